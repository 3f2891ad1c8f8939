//! Replays the saved inputs of the `c_abi` fuzz target under stable
//! `cargo test` (see `tests/fuzz_harness/mod.rs` for what each asserts and
//! `fuzz/README.md` for the fuzzer).

mod fuzz_harness;

use std::path::PathBuf;

#[test]
fn fuzz_regressions_c_abi() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/c_abi");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no inputs in {}", dir.display());
    for file in files {
        let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        eprintln!("replaying {}", file.display());
        fuzz_harness::check_call_sequence(&data);
    }
}
