//! Sec-WebSocket-Extensions header parsing (see check_extensions).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| devian_ws_protocol_fuzz::check_extensions(data));
