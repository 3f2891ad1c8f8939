//! Hostile bytes from a peer into the real engine client's receive path, after a valid 101
//! (see native/engine/tests/fuzz_harness/mod.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| devian_ws_protocol_fuzz::check_receive_path(data));
