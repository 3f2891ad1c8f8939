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

/// Bytes of the FrameV1 header: the little-endian int32 opcode (seed 004).
pub const FRAME_V1_HEADER: usize = 4;

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
        let kind = match kind {
            DWS_MESSAGE_TEXT => MessageKind::Text,
            DWS_MESSAGE_BINARY => MessageKind::Binary,
            other => {
                return Err(FfiError::invalid(format!(
                    "message kind {other} is not 1 (text) or 2 (binary)"
                )))
            }
        };
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

/// Queues the FrameV1 message `[opcode: int32 little-endian][payload]` as
/// one binary message, built directly in the pooled send buffer (one copy
/// of `payload[0..len]`, which the caller keeps). Same statuses as
/// `dws_client_send`.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_client_send_frame_v1(
    handle: u64,
    opcode: i32,
    payload: *const c_void,
    len: u64,
) -> DwsStatus {
    guard(|| {
        let entry = registry::get(handle)?;
        let payload = unsafe { bytes_arg(payload, len, "payload") }?;
        let total = payload
            .len()
            .checked_add(FRAME_V1_HEADER)
            .ok_or_else(|| FfiError::invalid("payload too large"))?;
        entry.with_client(|client| {
            client
                .send_with(MessageKind::Binary, total, |buf| {
                    // `send_with` hands exactly `total` bytes; by then the
                    // message is committed, so there is nothing to report.
                    let written = write_frame_v1(buf, opcode, payload);
                    debug_assert!(written, "send_with buffer of the asked size");
                })
                .map_err(|e| FfiError::engine("send", &e))
        })?;
        Ok(DwsStatus::Ok)
    })
}

/// Writes the FrameV1 encoding into `buf`; `false` (and nothing written) if
/// `buf` is not exactly the encoded size.
pub fn write_frame_v1(buf: &mut [u8], opcode: i32, payload: &[u8]) -> bool {
    if buf.len() != FRAME_V1_HEADER + payload.len() {
        return false;
    }
    let (head, body) = buf.split_at_mut(FRAME_V1_HEADER);
    head.copy_from_slice(&opcode.to_le_bytes());
    body.copy_from_slice(payload);
    true
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_v1_is_opcode_little_endian_then_payload() {
        let mut buf = [0u8; 7];
        assert!(write_frame_v1(&mut buf, 0x0102_0304, b"abc"));
        assert_eq!(buf, [0x04, 0x03, 0x02, 0x01, b'a', b'b', b'c']);
        let mut neg = [0u8; 4];
        assert!(write_frame_v1(&mut neg, -2, b""));
        assert_eq!(neg, [0xfe, 0xff, 0xff, 0xff]);
    }

    #[test]
    fn frame_v1_refuses_a_buffer_of_the_wrong_size() {
        let mut small = [9u8; 5];
        assert!(!write_frame_v1(&mut small, 1, b"abc"));
        assert_eq!(small, [9; 5], "nothing written");
    }
}
