//! State, statistics, the chosen sub-protocol and the last error.

use crate::args::{copy_out, write_out};
use crate::error::last_error;
use crate::guard::{guard, guard_value};
use crate::registry;
use crate::stats::DwsStats;
use crate::status::DwsStatus;
use devian_ws_policy::abi;
use interoptopus::{ffi_constant, ffi_function};
use std::ffi::c_void;

/// `dws_client_state`: not connected (before connect, or after the final close).
#[ffi_constant]
pub const DWS_STATE_CLOSED: u32 = abi::state::CLOSED;
/// `dws_client_state`: TCP, TLS and upgrade handshake under way.
#[ffi_constant]
pub const DWS_STATE_CONNECTING: u32 = abi::state::CONNECTING;
/// `dws_client_state`: open, authentication under way.
#[ffi_constant]
pub const DWS_STATE_AUTHENTICATING: u32 = abi::state::AUTHENTICATING;
/// `dws_client_state`: open and usable.
#[ffi_constant]
pub const DWS_STATE_OPEN: u32 = abi::state::OPEN;
/// `dws_client_state`: close handshake under way.
#[ffi_constant]
pub const DWS_STATE_CLOSING: u32 = abi::state::CLOSING;
/// `dws_client_state`: waiting to reconnect.
#[ffi_constant]
pub const DWS_STATE_RECONNECTING: u32 = abi::state::RECONNECTING;

/// Writes the connection state (DWS_STATE_*) to `*out_state` (caller-owned).
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_client_state(handle: u64, out_state: *mut u32) -> DwsStatus {
    guard(|| {
        let entry = registry::get(handle)?;
        let state = entry.with_client_or(DWS_STATE_CLOSED, |c| c.state().wire())?;
        // SAFETY: the out-pointer is null (refused by `write_out`) or valid for one write, per the `# Safety` contract.
        unsafe { write_out(out_state, state, "out_state") }?;
        Ok(DwsStatus::Ok)
    })
}

/// Writes a snapshot of the counters to `*out_stats` (caller-owned; all zero before connect).
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_client_stats(handle: u64, out_stats: *mut DwsStats) -> DwsStatus {
    guard(|| {
        let entry = registry::get(handle)?;
        let stats = entry.with_client_or(DwsStats::default(), |c| DwsStats::from(c.stats()))?;
        // SAFETY: the out-pointer is null (refused by `write_out`) or valid for one write, per the `# Safety` contract.
        unsafe { write_out(out_stats, stats, "out_stats") }?;
        Ok(DwsStatus::Ok)
    })
}

/// Copies the sub-protocol the server chose (UTF-8, no NUL) into
/// `buf[0..cap]` (caller-owned; may be null when `cap` is 0) and returns its
/// full length, so a 0-capacity call asks for the size. Returns 0 when none
/// was chosen, before Open, and on failure (then `dws_last_error` says why).
/// Lengths are `u32`, as in `dws_last_error`: a WebGL player (Emscripten
/// without BigInt) could not return a 64-bit value from the `.jslib`.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_client_protocol(handle: u64, buf: *mut c_void, cap: u32) -> u32 {
    guard_value(DwsStatus::Panic, || {
        let protocol = registry::get(handle)?.protocol();
        // SAFETY: `buf` is null (accepted only with `cap` 0) or valid for `cap` writes, per the `# Safety` contract.
        Ok(unsafe { copy_out(protocol.as_bytes(), buf, cap) })
    })
    .unwrap_or(0)
}

/// Copies the calling thread's last error message (UTF-8, no NUL) into
/// `buf[0..cap]` (caller-owned; may be null when `cap` is 0) and returns its
/// full length; copies `min(cap, length)` bytes. The message is the one of
/// the last failing `dws_` call on this thread; successes do not clear it.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_last_error(buf: *mut c_void, cap: u32) -> u32 {
    // Not through `guard`: that would overwrite the message being read.
    std::panic::catch_unwind(|| {
        let message = last_error();
        // SAFETY: `buf` is null (accepted only with `cap` 0) or valid for `cap` writes, per the `# Safety` contract.
        unsafe { copy_out(message.as_bytes(), buf, cap) }
    })
    .unwrap_or(0)
}
