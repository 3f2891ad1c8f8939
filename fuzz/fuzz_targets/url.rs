//! ws:// and wss:// URL parsing (see check_url).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| devian_ws_protocol_fuzz::check_url(data));
