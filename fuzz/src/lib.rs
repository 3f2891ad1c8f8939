//! The invariant checks the fuzz targets run.
//!
//! They live with the protocol crate's tests, so that the stable
//! regression test (`native/protocol/tests/fuzz_regressions.rs`) replays
//! saved inputs through exactly the same code; this crate only re-exports
//! them for the targets in `fuzz_targets/`.

#[path = "../../native/protocol/tests/fuzz_harness/mod.rs"]
mod harness;

pub use harness::{check_decoder, check_extensions, check_handshake, check_round_trip, check_url};
