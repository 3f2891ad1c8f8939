//! Sending, and polling received events.

use crate::args::{bytes_arg, write_out};
use crate::error::FfiError;
use crate::event::{DwsEvent, DWS_MESSAGE_BINARY, DWS_MESSAGE_TEXT};
use crate::guard::guard;
use crate::registry;
use crate::status::DwsStatus;
use devian_ws_protocol::MessageKind;
use interoptopus::ffi_function;
use std::ffi::c_void;
use std::time::{Duration, Instant};

/// Queues one message: `kind` 1 text (must be UTF-8, RFC 6455 §5.6) or 2
/// binary; `data[0..len]` is copied once into a pooled buffer before this
/// returns (the caller keeps its memory; `data` may be null when `len` is 0).
/// Never blocks on the network. `QueueFull` when the bounded send queue is
/// full (nothing queued; retry later); `InvalidState` before open, unless
/// the reconnect buffer takes it; `Closed` once closing or closed.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_client_send(
    handle: u64,
    kind: u32,
    data: *const c_void,
    len: u64,
) -> DwsStatus {
    guard(|| {
        let entry = registry::get(handle)?;
        let kind = message_kind(kind)?;
        // SAFETY: the data pointer is null (accepted only with length 0) or valid for `len` reads during this call, per the `# Safety` contract.
        let data = unsafe { bytes_arg(data, len, "data") }?;
        // Validated here for its own status (before connect too); the engine
        // then gets a `&str` and does not scan the payload a second time.
        let text = match kind {
            MessageKind::Text => Some(std::str::from_utf8(data).map_err(|_| {
                FfiError::new(DwsStatus::InvalidUtf8, "text message is not valid UTF-8")
            })?),
            MessageKind::Binary => None,
        };
        entry.with_client(|client| {
            match text {
                Some(text) => client.send_text(text),
                None => client.send(kind, data),
            }
            .map_err(|e| FfiError::engine("send", &e))
        })?;
        Ok(DwsStatus::Ok)
    })
}

/// Reserves a send buffer for a message of exactly `len` bytes and writes
/// its address to `*out_data` (caller-owned, written only): library memory,
/// zeroed, writable for `len` bytes until `dws_client_send_commit`,
/// `dws_client_send_abort` or `dws_client_free` on this handle. The caller
/// fills it in place (a frame header and payload, a UTF-8 encoding...)
/// instead of building the message in its own memory first. One reservation
/// per handle at a time: a second is `InvalidState`, as is a call before
/// connect. `InvalidArgument` when `len` exceeds the send queue's byte bound.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_client_send_reserve(
    handle: u64,
    len: u64,
    out_data: *mut *mut u8,
) -> DwsStatus {
    guard(|| {
        if out_data.is_null() {
            return Err(FfiError::null("out_data"));
        }
        let entry = registry::get(handle)?;
        let len = usize::try_from(len).map_err(|_| FfiError::invalid("len too large"))?;
        let data = entry.reserve(len)?;
        // SAFETY: the out-pointer is null (refused by `write_out`) or valid for one write, per the `# Safety` contract.
        unsafe { write_out(out_data, data, "out_data") }?;
        Ok(DwsStatus::Ok)
    })
}

/// Queues the reserved message as `kind` (1 text, which must be UTF-8, or 2
/// binary). The reservation ends whatever the outcome: its memory is no
/// longer the caller's. Statuses as `dws_client_send`; `InvalidState`
/// without a reservation.
#[ffi_function]
#[no_mangle]
pub extern "C" fn dws_client_send_commit(handle: u64, kind: u32) -> DwsStatus {
    guard(|| {
        let entry = registry::get(handle)?;
        let kind = message_kind(kind).inspect_err(|_| entry.abort_reservation())?;
        entry.commit(kind)?;
        Ok(DwsStatus::Ok)
    })
}

/// Drops the reservation without sending; `Ok` also when there is none.
#[ffi_function]
#[no_mangle]
pub extern "C" fn dws_client_send_abort(handle: u64) -> DwsStatus {
    guard(|| {
        registry::get(handle)?.abort_reservation();
        Ok(DwsStatus::Ok)
    })
}

fn message_kind(kind: u32) -> Result<MessageKind, FfiError> {
    match kind {
        DWS_MESSAGE_TEXT => Ok(MessageKind::Text),
        DWS_MESSAGE_BINARY => Ok(MessageKind::Binary),
        other => Err(FfiError::invalid(format!(
            "message kind {other} is not 1 (text) or 2 (binary)"
        ))),
    }
}

/// Blocks the calling thread until `dws_client_poll` has an event (`Ok`) or
/// `timeout_ms` passes (`Empty`). For a thread that only pumps events (an
/// async wrapper); a game loop polls each frame instead. Freeing the handle
/// from another thread ends the wait within about 10 ms (`InvalidHandle`).
/// Before connect: `InvalidState`.
#[ffi_function]
#[no_mangle]
pub extern "C" fn dws_client_wait(handle: u64, timeout_ms: u32) -> DwsStatus {
    guard(|| {
        let entry = registry::get(handle)?;
        let deadline = Instant::now() + Duration::from_millis(u64::from(timeout_ms));
        loop {
            // In slices, so the entry's lock is never held long: a free or a
            // stop from another thread gets in between.
            let left = deadline.saturating_duration_since(Instant::now());
            let slice = left.min(WAIT_SLICE);
            if entry.with_client(|client| Ok(client.wait(slice)))? {
                return Ok(DwsStatus::Ok);
            }
            if left <= WAIT_SLICE {
                return Ok(DwsStatus::Empty);
            }
        }
    })
}

/// The longest `dws_client_wait` holds the entry between checks.
const WAIT_SLICE: Duration = Duration::from_millis(10);

/// Takes the next event into `*out_event` (caller-owned, written only): `Ok` with
/// an event, `Empty` when none is waiting (`*out_event` zeroed). Releases the
/// previous event first. `out_event.data` points into library memory that stays
/// valid until the next `dws_client_poll` or `dws_client_release` on this
/// handle (or its free). Call from one thread per handle. Before connect:
/// `InvalidState`.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_client_poll(handle: u64, out_event: *mut DwsEvent) -> DwsStatus {
    guard(|| {
        if out_event.is_null() {
            return Err(FfiError::null("out_event"));
        }
        let entry = registry::get(handle)?;
        let (event, status) = match entry.poll()? {
            Some(ev) => (ev, DwsStatus::Ok),
            None => (DwsEvent::NONE, DwsStatus::Empty),
        };
        // SAFETY: the out-pointer is null (refused by `write_out`) or valid for one write, per the `# Safety` contract.
        unsafe { write_out(out_event, event, "out_event") }?;
        Ok(status)
    })
}

/// Releases the event from the last `dws_client_poll`, returning its buffer
/// to the pool; its `data` pointer is invalid afterwards. Releasing twice,
/// or with nothing held, is `Ok`. After `dws_shutdown_all`, a handle whose
/// event was still held answers this call (`Ok`) and is invalid after it.
#[ffi_function]
#[no_mangle]
pub extern "C" fn dws_client_release(handle: u64) -> DwsStatus {
    guard(|| {
        registry::release(handle)?;
        Ok(DwsStatus::Ok)
    })
}
