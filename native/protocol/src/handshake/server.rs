//! Server side of the opening handshake (§4.2).
// CONTRACT STUB: signatures fixed; bodies to be implemented.

use super::HandshakeLimits;
use crate::error::Result;

/// A parsed HTTP request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpgradeRequest {
    /// Method, e.g. GET.
    pub method: String,
    /// Request target (path and query).
    pub resource: String,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
}

impl UpgradeRequest {
    /// Parses a request head from `buf`. `Ok(None)`: need more bytes.
    /// `Ok(Some((req, n)))`: the head was `buf[..n]`.
    pub fn parse(_buf: &[u8], _limits: &HandshakeLimits) -> Result<Option<(UpgradeRequest, usize)>> {
        todo!()
    }

    /// First value of a header, by case-insensitive name.
    pub fn header(&self, _name: &str) -> Option<&str> {
        todo!()
    }

    /// Whether this is a valid WebSocket upgrade (GET, Upgrade: websocket,
    /// Connection contains upgrade, version 13, a 16-byte base64 key).
    pub fn is_upgrade_request(&self) -> bool {
        todo!()
    }

    /// Sub-protocols the client offered, in order.
    pub fn protocols(&self) -> Vec<String> {
        todo!()
    }

    /// The 101 response accepting this request with an optional chosen
    /// sub-protocol (must be one offered) and extra headers.
    pub fn accept(&self, _protocol: Option<&str>, _extra_headers: &[(String, String)]) -> Result<Vec<u8>> {
        todo!()
    }
}

/// An HTTP error response rejecting the upgrade, with a body.
pub fn reject(_status: u16, _body: &[u8]) -> Vec<u8> {
    todo!()
}
