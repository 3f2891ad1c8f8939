//! Incremental UTF-8 validation across fragments (§5.6, §8.1).
// CONTRACT STUB.

/// Validates UTF-8 fed in pieces; a code point may be split between pieces.
#[derive(Debug, Default, Clone)]
pub struct Utf8Validator {}
