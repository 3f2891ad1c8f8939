//! Settings of one WebSocket connection.

use devian_ws_protocol::deflate::DeflateConfig;
use devian_ws_protocol::Limits;
use std::time::Duration;

/// Settings of a [`crate::WebSocket`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebSocketConfig {
    /// Frame and message size limits for what the peer sends (over → 1009).
    pub limits: Limits,
    /// Answer Pings with Pongs automatically (RFC 6455 §5.5.2). When off,
    /// Pings are still returned to the caller, who must answer them.
    pub auto_pong: bool,
    /// Bytes asked from the stream per read.
    pub read_buffer_size: usize,
    /// Capacity the frame buffer keeps between sends; a larger message
    /// grows it for that send only, so one huge message does not pin memory.
    pub write_buffer_size: usize,
    /// How long the close handshake may take: waiting for the peer's Close
    /// after ours, and for the TCP connection to end afterwards.
    pub close_timeout: Duration,
    /// permessage-deflate (RFC 7692); `None` (the default) neither offers
    /// nor accepts it, and RSV1 from the peer stays a 1002. A client offers
    /// it, a server accepts a client's offer it can honour.
    pub permessage_deflate: Option<DeflateConfig>,
}

impl Default for WebSocketConfig {
    fn default() -> Self {
        WebSocketConfig {
            limits: Limits::default(),
            auto_pong: true,
            read_buffer_size: 64 * 1024,
            write_buffer_size: 64 * 1024,
            close_timeout: Duration::from_secs(5),
            permessage_deflate: None,
        }
    }
}
