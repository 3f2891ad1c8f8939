//! Creating, connecting, closing and freeing clients.

use crate::args::{str_arg, write_out};
use crate::error::FfiError;
use crate::guard::{guard, guard_value};
use crate::options::DwsOptions;
use crate::registry;
use crate::status::DwsStatus;
use devian_ws_engine::MAX_CLOSE_REASON;
use devian_ws_protocol::CloseCode;
use interoptopus::ffi_function;
use interoptopus::patterns::string::AsciiPointer;
use std::ffi::c_void;

/// Writes the default options into `*out_options` (caller-owned, written only).
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_options_default(out_options: *mut DwsOptions) -> DwsStatus {
    guard(|| {
        // SAFETY: the out-pointer is null (refused by `write_out`) or valid for one write, per the `# Safety` contract.
        unsafe { write_out(out_options, DwsOptions::default(), "out_options") }?;
        Ok(DwsStatus::Ok)
    })
}

/// Creates an unconnected client for `url` (`ws://` or `wss://`) and writes
/// its handle to `*out_handle`. `options` may be null for the defaults; it is
/// copied, as is `url`. Configure it with the `dws_client_set_*`/`add_*`
/// calls, then `dws_client_connect`. Free it with `dws_client_free`.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_client_new(
    options: *const DwsOptions,
    url: AsciiPointer,
    out_handle: *mut u64,
) -> DwsStatus {
    guard(|| {
        if out_handle.is_null() {
            return Err(FfiError::null("out_handle"));
        }
        // SAFETY: a string argument is null (refused by `str_arg`) or NUL-terminated and valid for this call, per the `# Safety` contract.
        let url = unsafe { str_arg(&url, "url") }?;
        // SAFETY: non-null `options` points to a caller-owned DwsOptions of
        // the `struct_size` it declares; read without assuming alignment.
        let options = if options.is_null() {
            DwsOptions::default()
        } else {
            // SAFETY: non-null `options` points to a caller-owned DwsOptions of the `struct_size` it declares, per the `# Safety` contract.
            unsafe { DwsOptions::read_versioned(options) }?
        };
        let config = options.to_config(url)?;
        let handle = registry::insert(config)?;
        // SAFETY: the out-pointer is null (refused by `write_out`) or valid for one write, per the `# Safety` contract.
        unsafe { write_out(out_handle, handle, "out_handle") }?;
        Ok(DwsStatus::Ok)
    })
}

/// Starts connecting and returns at once; progress arrives as events from
/// `dws_client_poll` (Open, or Error then Closed). A second call is
/// `InvalidState`. A configuration the engine rejects (a URL it cannot use,
/// a root CA that is not PEM) is `InvalidArgument` and leaves the client
/// unconnected and configurable.
#[ffi_function]
#[no_mangle]
pub extern "C" fn dws_client_connect(handle: u64) -> DwsStatus {
    guard(|| {
        registry::get(handle)?.connect()?;
        Ok(DwsStatus::Ok)
    })
}

/// Starts the close handshake with `code` (1000, 1001-1003, 1007-1014 or
/// 3000-4999, RFC 6455 §7.4) and `reason` (UTF-8, at most 123 bytes; null
/// means empty). No reconnect follows. Completion arrives as a Closed event.
/// A second call is `Closed`; before connect it is `InvalidState`.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_client_close(
    handle: u64,
    code: u16,
    reason: AsciiPointer,
) -> DwsStatus {
    guard(|| {
        let entry = registry::get(handle)?;
        let reason = if reason.as_c_str().is_none() {
            ""
        } else {
            // SAFETY: a string argument is null (refused by `str_arg`) or NUL-terminated and valid for this call, per the `# Safety` contract.
            unsafe { str_arg(&reason, "reason") }?
        };
        // RFC 6455 §7.4.1/§7.4.2: 1005, 1006 and 1015 never go on the wire.
        if !CloseCode(code).is_allowed_on_wire() {
            return Err(FfiError::invalid(format!(
                "close code {code} may not be sent (RFC 6455 7.4)"
            )));
        }
        if reason.len() > MAX_CLOSE_REASON {
            return Err(FfiError::invalid(
                "close reason longer than 123 bytes (RFC 6455 5.5)",
            ));
        }
        entry.with_client(|client| {
            if !entry.request_close() {
                return Err(FfiError::new(DwsStatus::Closed, "close already requested"));
            }
            client
                .close(CloseCode(code), reason)
                .map_err(|e| FfiError::engine("close", &e))
        })?;
        Ok(DwsStatus::Ok)
    })
}

/// Closes the client if needed, stops its threads and invalidates `handle`.
/// Any `DwsEvent` pointer from this handle is invalid afterwards. A second
/// call is `InvalidHandle`. Returns within about 100 ms whatever the network
/// does: threads still blocked then (a TCP connect, a peer that does not
/// read) are cut off and end on their own.
#[ffi_function]
#[no_mangle]
pub extern "C" fn dws_client_free(handle: u64) -> DwsStatus {
    guard(|| {
        registry::free(handle)?;
        Ok(DwsStatus::Ok)
    })
}

/// Writes up to `cap` live handles (uint64_t each) to `out_handles` (caller-owned
/// array; may be null when `cap` is 0) and returns how many handles are live
/// (which may exceed `cap`). Returns 0 on failure.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_list(out_handles: *mut c_void, cap: u32) -> u32 {
    guard_value(DwsStatus::Panic, || {
        let live = registry::handles();
        if !out_handles.is_null() {
            let out = out_handles.cast::<u64>();
            for (i, h) in live.iter().take(cap as usize).enumerate() {
                // SAFETY: the caller provides `cap` writable slots; `i < cap`.
                unsafe { out.add(i).write_unaligned(*h) };
            }
        } else if cap > 0 {
            return Err(FfiError::null("out_handles"));
        }
        Ok(u32::try_from(live.len()).unwrap_or(u32::MAX))
    })
    .unwrap_or(0)
}

/// Stops and frees every client in the process at once, returning within
/// about 100 ms whatever the network does (engine threads never call into
/// the caller, so none needs to be waited for longer). Every handle issued
/// before is `InvalidHandle` afterwards, except that one whose polled event
/// is still held keeps that event readable until `dws_client_release` (or
/// `dws_client_free`) on it. New clients can be created after it. Call it
/// before Unity reloads the domain.
#[ffi_function]
#[no_mangle]
pub extern "C" fn dws_shutdown_all() -> DwsStatus {
    guard(|| {
        // The engine's shutdown_all stops every connection (handles' and
        // those made through the Rust API) at once and waits for them once.
        // Freeing the handles then only drops stopped clients.
        devian_ws_engine::shutdown_all();
        registry::free_all();
        Ok(DwsStatus::Ok)
    })
}
