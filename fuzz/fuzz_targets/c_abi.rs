//! Fuzzer-chosen sequences of `dws_*` calls against a loopback echo peer
//! (see native/ffi/tests/fuzz_harness/mod.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| devian_ws_protocol_fuzz::check_call_sequence(data));
