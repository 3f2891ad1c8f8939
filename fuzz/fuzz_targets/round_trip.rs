//! Encoder → decoder round trips must reproduce every message (see check_round_trip).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| devian_ws_protocol_fuzz::check_round_trip(data));
