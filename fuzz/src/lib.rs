//! The invariant checks the fuzz targets run.
//!
//! They live with the tests of the crate they exercise (protocol, engine,
//! ffi), so that the stable
//! regression test (`native/protocol/tests/fuzz_regressions.rs`) replays
//! saved inputs through exactly the same code; this crate only re-exports
//! them for the targets in `fuzz_targets/`.

#[path = "../../native/protocol/tests/fuzz_harness/mod.rs"]
mod harness;

pub use harness::{check_decoder, check_extensions, check_handshake, check_round_trip, check_url};

#[path = "../../native/engine/tests/fuzz_harness/mod.rs"]
mod engine_harness;

pub use engine_harness::check_receive_path;

#[path = "../../native/ffi/tests/fuzz_harness/mod.rs"]
mod ffi_harness;

pub use ffi_harness::check_call_sequence;
