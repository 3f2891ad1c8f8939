//! The threaded client engine.
//!
//! Data flows one way: socket → receive thread → pooled buffer → dispatch
//! queue → [`Client::poll`] (the game's main thread). The reverse path:
//! [`Client::send`] → send queue → send thread → socket.
// CONTRACT STUB: names and signatures fixed; bodies to be implemented.
#![warn(missing_docs)]

use devian_ws_protocol::{CloseCode, Error, Limits, MessageKind, Result};
use std::time::Duration;

pub use devian_websocket::tls::TlsOptions;
pub use devian_ws_policy::{Auth, QueueLimits, ReconnectPolicy, Stats};

/// Keep-alive and timeouts.
#[derive(Debug, Clone, PartialEq)]
pub struct KeepAlive {
    /// Send a ping this often; `None` disables keep-alive pings.
    pub ping_interval: Option<Duration>,
    /// A ping unanswered this long declares the connection dead (1006).
    pub pong_timeout: Duration,
    /// Close if nothing at all is received this long; `None` disables.
    pub idle_timeout: Option<Duration>,
}

/// Everything a connection is configured with.
#[derive(Debug, Clone)]
pub struct Config {
    /// `ws://` or `wss://` URL.
    pub url: String,
    /// Sub-protocols offered.
    pub protocols: Vec<String>,
    /// Extra request headers.
    pub headers: Vec<(String, String)>,
    /// Optional Origin header.
    pub origin: Option<String>,
    /// Frame and message size limits.
    pub limits: Limits,
    /// TLS verification options.
    pub tls: TlsOptions,
    /// Keep-alive settings.
    pub keepalive: KeepAlive,
    /// Bound on TCP connect + TLS + upgrade handshake.
    pub connect_timeout: Duration,
    /// Bound on the close handshake.
    pub close_timeout: Duration,
    /// Reconnect policy.
    pub reconnect: ReconnectPolicy,
    /// Authentication method, applied on every (re)connect.
    pub auth: Auth,
    /// Bound on the outgoing queue; full means `Error::Capacity`.
    pub send_queue: QueueLimits,
    /// Bound on undrained received messages; full means the receive thread stops reading.
    pub recv_queue: QueueLimits,
    /// Buffer sends while reconnecting (bounded); `None` makes such sends fail.
    pub reconnect_buffer: Option<QueueLimits>,
}

/// Connection states (seed 002 / seed 000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum State {
    /// Not connected (initial, or after the final close).
    Closed = 0,
    /// TCP, TLS and upgrade handshake under way.
    Connecting = 1,
    /// Open, waiting for authentication to complete.
    Authenticating = 2,
    /// Open and usable.
    Open = 3,
    /// Close handshake under way.
    Closing = 4,
    /// Waiting to reconnect.
    Reconnecting = 5,
}

/// A pooled buffer holding one received message; returns to its pool when dropped.
#[derive(Debug)]
pub struct PooledBuf {
    _buf: Vec<u8>,
}

/// What the consumer sees, in order.
#[derive(Debug)]
pub enum Event {
    /// The connection is open; the sub-protocol the server chose.
    Open {
        /// Chosen sub-protocol.
        protocol: Option<String>,
    },
    /// Authentication completed (first-message auth was sent; others at open).
    Authenticated,
    /// A complete message.
    Message {
        /// Text or binary.
        kind: MessageKind,
        /// The payload, in a pooled buffer.
        data: PooledBuf,
    },
    /// A close handshake started.
    Closing,
    /// The connection ended for good (no reconnect follows).
    Closed {
        /// Close code (1006 when no close frame).
        code: CloseCode,
        /// Close reason.
        reason: String,
        /// Whether the close handshake completed.
        was_clean: bool,
    },
    /// Something failed; the text says what.
    Error {
        /// Broad category.
        kind: ErrorKind,
        /// Human description.
        text: String,
    },
    /// The connection dropped; attempt `attempt` starts after `delay`.
    Reconnecting {
        /// 1-based attempt number.
        attempt: u32,
        /// Delay before it.
        delay: Duration,
    },
    /// A reconnect succeeded.
    Reconnected,
}

/// Broad category of an [`Event::Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ErrorKind {
    /// Socket errors, connection refused, reset.
    Io = 1,
    /// TLS failure.
    Tls = 2,
    /// Upgrade handshake failure.
    Handshake = 3,
    /// The peer broke the protocol.
    Protocol = 4,
    /// A timeout (connect, pong, idle, close).
    Timeout = 5,
    /// Anything else.
    Other = 6,
}

/// One WebSocket connection driven by its own send and receive threads.
#[derive(Debug)]
pub struct Client {}

impl Client {
    /// Validates `config` and starts connecting in the background; progress arrives as events.
    pub fn connect(_config: Config) -> Result<Client> {
        todo!()
    }
    /// Current state.
    pub fn state(&self) -> State {
        todo!()
    }
    /// Copies `payload` once into a pooled buffer and enqueues it; never blocks on the network.
    pub fn send(&self, _kind: MessageKind, _payload: &[u8]) -> Result<()> {
        todo!()
    }
    /// Like `send`, but `fill` writes the `len`-byte payload straight into the pooled buffer.
    pub fn send_with(&self, _kind: MessageKind, _len: usize, _fill: impl FnOnce(&mut [u8])) -> Result<()> {
        todo!()
    }
    /// The next event, if any. One consumer thread only.
    pub fn poll(&self) -> Option<Event> {
        todo!()
    }
    /// Starts the close handshake. No reconnect follows.
    pub fn close(&self, _code: CloseCode, _reason: &str) -> Result<()> {
        todo!()
    }
    /// Counters snapshot.
    pub fn stats(&self) -> Stats {
        todo!()
    }
    /// Closes (if needed) and joins both threads.
    pub fn shutdown(self) {
        todo!()
    }
}

/// Closes every live connection in the process and joins all their threads.
pub fn shutdown_all() {
    todo!()
}

#[allow(dead_code)]
fn _uses(_: Error) {}
