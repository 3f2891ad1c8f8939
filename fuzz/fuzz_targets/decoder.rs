//! Hostile bytes into the decoder, both roles, random read splits (see check_decoder).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| devian_ws_protocol_fuzz::check_decoder(data));
