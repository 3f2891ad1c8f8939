//! Client response and server request parsers, whole and byte by byte (see check_handshake).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| devian_ws_protocol_fuzz::check_handshake(data));
