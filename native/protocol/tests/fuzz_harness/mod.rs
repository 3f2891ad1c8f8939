//! Invariant checks shared by the cargo-fuzz targets (`fuzz/`) and the
//! stable regression test (`tests/fuzz_regressions.rs`).
//!
//! Each `check_*` function takes raw fuzzer bytes, drives one public API of
//! the crate with them and panics if an invariant breaks. Keeping the
//! checks here, in plain stable Rust, means a crash file found by the
//! fuzzer replays under `cargo test` with exactly the same assertions.
//!
//! The fuzz crate includes this directory with `#[path]`; nothing here may
//! depend on anything but `devian_ws_protocol` and `std`.

pub mod decoder;
pub mod events;
pub mod handshake;
pub mod input;
pub mod round_trip;
pub mod test_extensions;
pub mod text;

pub use decoder::check_decoder;
pub use handshake::check_handshake;
pub use round_trip::check_round_trip;
pub use text::{check_extensions, check_url};
