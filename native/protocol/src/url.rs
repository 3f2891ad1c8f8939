//! `ws://` and `wss://` URLs (RFC 6455 §3).
// CONTRACT STUB: signatures fixed; bodies to be implemented.

use crate::error::Result;

/// A parsed WebSocket URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsUrl {
    /// `true` for wss://.
    pub secure: bool,
    /// Host name or IP literal, without brackets.
    pub host: String,
    /// Port (80/443 by default).
    pub port: u16,
    /// Path and query, e.g. `/chat?room=1`; `/` when empty. No fragment.
    pub resource: String,
}

impl WsUrl {
    /// Parses `ws://host[:port][/path][?query]` or `wss://...`. IPv6 literals in brackets.
    pub fn parse(_url: &str) -> Result<WsUrl> {
        todo!()
    }

    /// The Host header value: host, bracketed if IPv6, with `:port` unless it is the default.
    pub fn host_header(&self) -> String {
        todo!()
    }
}
