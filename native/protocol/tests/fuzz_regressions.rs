//! Replays the saved fuzz inputs under stable `cargo test`.
//!
//! Every file under `tests/fuzz_regressions/<target>/` (crashes the
//! fuzzers found once, plus a few seeds) goes through the same invariant
//! checks as the cargo-fuzz target of that name (see `fuzz/README.md`), so
//! a fixed bug stays fixed without nightly or cargo-fuzz in CI.

mod fuzz_harness;

use std::path::PathBuf;

/// Runs `check` on every file of one target's directory, in name order.
fn replay(target: &str, check: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    files.sort();
    assert!(!files.is_empty(), "no inputs in {}", dir.display());
    for file in files {
        let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        // Names the input in the failure output if the check panics.
        eprintln!("replaying {}", file.display());
        check(&data);
    }
}

#[test]
fn fuzz_regressions_decoder() {
    replay("decoder", fuzz_harness::check_decoder);
}

#[test]
fn fuzz_regressions_round_trip() {
    replay("round_trip", fuzz_harness::check_round_trip);
}

#[test]
fn fuzz_regressions_handshake() {
    replay("handshake", fuzz_harness::check_handshake);
}

#[test]
fn fuzz_regressions_url() {
    replay("url", fuzz_harness::check_url);
}

#[test]
fn fuzz_regressions_extensions() {
    replay("extensions", fuzz_harness::check_extensions);
}
