//! Helpers shared by the ABI tests.
#![allow(dead_code)]

pub mod echo_server;

use devian_ws::*;
use std::ffi::CString;
use std::sync::{Mutex, MutexGuard};

/// The handle table is process-wide and `dws_shutdown_all` empties it, so
/// tests in one binary take turns.
static SERIAL: Mutex<()> = Mutex::new(());

/// Takes the turn; survives a previous test's failure.
pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// A NUL-terminated copy of `s`.
pub fn c(s: &str) -> CString {
    CString::new(s).expect("no interior NUL")
}

/// The ASCII-pointer view interoptopus passes strings as.
pub fn ap(s: &CString) -> interoptopus::patterns::string::AsciiPointer<'_> {
    interoptopus::patterns::string::AsciiPointer::from_cstr(s)
}

/// A null string argument.
pub fn null_str() -> interoptopus::patterns::string::AsciiPointer<'static> {
    interoptopus::patterns::string::AsciiPointer::default()
}

/// This thread's last error, through the C function.
pub fn last_error() -> String {
    let needed = unsafe { dws_last_error(std::ptr::null_mut(), 0) };
    let mut buf = vec![0u8; needed as usize];
    let got = unsafe { dws_last_error(buf.as_mut_ptr().cast(), buf.len() as u32) };
    assert_eq!(got, needed);
    String::from_utf8(buf).expect("last error is UTF-8")
}

/// A new unconnected client for `url` with `options` (defaults if `None`).
pub fn new_client(url: &str, options: Option<&DwsOptions>) -> u64 {
    let url = c(url);
    let mut h = 0u64;
    let opts = options.map_or(std::ptr::null(), |o| o as *const DwsOptions);
    let s = unsafe { dws_client_new(opts, ap(&url), &mut h) };
    assert_eq!(s, DwsStatus::Ok, "dws_client_new: {}", last_error());
    assert_ne!(h, 0);
    h
}
