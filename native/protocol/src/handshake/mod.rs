//! The opening handshake (RFC 6455 §4), without I/O.
// CONTRACT STUB: signatures fixed; bodies to be implemented.

pub mod client;
pub mod server;

use std::time::Duration;

/// Bounds on handshake input (against CVE-2023-43669-style slow or huge handshakes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandshakeLimits {
    /// Most header lines accepted.
    pub max_headers: usize,
    /// Most bytes in the whole head (request/status line plus headers).
    pub max_head_bytes: usize,
    /// Longest the I/O layer lets the handshake take.
    pub timeout: Duration,
}

impl Default for HandshakeLimits {
    fn default() -> Self {
        HandshakeLimits { max_headers: 64, max_head_bytes: 16 * 1024, timeout: Duration::from_secs(10) }
    }
}

/// `base64(sha1(key ++ GUID))` (§4.2.2 step 5.4).
pub fn accept_key(_key: &str) -> String {
    todo!()
}
