//! Client side of the opening handshake (§4.1).
// CONTRACT STUB: signatures fixed; bodies to be implemented.

use super::HandshakeLimits;
use crate::error::Result;
use crate::url::WsUrl;

/// What the client asks for.
#[derive(Debug, Clone, Default)]
pub struct ClientRequest {
    /// Sub-protocols offered, in preference order.
    pub protocols: Vec<String>,
    /// Extension offers, each one Sec-WebSocket-Extensions element (e.g. `permessage-deflate; client_max_window_bits`).
    pub extensions: Vec<String>,
    /// Optional Origin header.
    pub origin: Option<String>,
    /// Extra headers (e.g. Authorization).
    pub headers: Vec<(String, String)>,
}

/// What the server agreed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientResponse {
    /// The chosen sub-protocol, if any (always one we offered).
    pub protocol: Option<String>,
    /// Accepted extensions (each one we offered).
    pub extensions: Vec<String>,
    /// All response headers, in order.
    pub headers: Vec<(String, String)>,
}

/// One client handshake in progress.
#[derive(Debug, Clone)]
pub struct ClientHandshake {}

impl ClientHandshake {
    /// Starts a handshake: returns the state and the request bytes to write.
    pub fn start(_url: &WsUrl, _request: &ClientRequest) -> (ClientHandshake, Vec<u8>) {
        todo!()
    }

    /// Parses the response head from `buf` (all bytes read so far).
    /// `Ok(None)`: need more bytes. `Ok(Some((resp, n)))`: done, the head was
    /// `buf[..n]` and any bytes after it are WebSocket frames to keep.
    pub fn parse_response(&self, _buf: &[u8], _limits: &HandshakeLimits) -> Result<Option<(ClientResponse, usize)>> {
        todo!()
    }
}
