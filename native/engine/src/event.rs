//! What the consumer sees, and how failures are categorised.

use crate::pool::PooledBuf;
use devian_ws_protocol::{CloseCode, Error, MessageKind};
use std::time::Duration;

/// What the consumer sees, in order.
///
/// A first connection yields `Open`, then `Authenticated` (unless the auth
/// method is `None`). A reconnect yields `Reconnecting` (one per attempt),
/// then `Open`, `Authenticated`, and `Reconnected` once the buffered messages
/// are about to be flushed. `Closed` is always the last event.
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
        /// Messages `send` accepted that were never sent (also counted in
        /// `Stats::messages_unsent`); 0 when everything went out.
        unsent: u64,
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
    /// The proxy refused or failed the tunnel.
    Proxy = 7,
}

impl ErrorKind {
    /// The category of a stack error.
    pub fn of(e: &Error) -> ErrorKind {
        match e {
            Error::Io(io) if is_timeout(io) => ErrorKind::Timeout,
            Error::Io(_) => ErrorKind::Io,
            Error::Tls(_) => ErrorKind::Tls,
            Error::Handshake(_) => ErrorKind::Handshake,
            Error::Protocol(_) | Error::InvalidUtf8 | Error::TooBig { .. } => ErrorKind::Protocol,
            Error::Timeout(_) => ErrorKind::Timeout,
            Error::Proxy(_) => ErrorKind::Proxy,
            _ => ErrorKind::Other,
        }
    }
}

pub(crate) use devian_websocket::is_timeout;

#[cfg(test)]
mod tests {
    use super::*;
    use devian_ws_protocol::ProtocolViolation;

    #[test]
    fn kinds_of_errors() {
        let timeout = std::io::Error::from(std::io::ErrorKind::WouldBlock);
        assert_eq!(ErrorKind::of(&Error::Io(timeout)), ErrorKind::Timeout);
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(ErrorKind::of(&Error::Io(refused)), ErrorKind::Io);
        assert_eq!(
            ErrorKind::of(&Error::Protocol(ProtocolViolation::MaskedFrame)),
            ErrorKind::Protocol
        );
        assert_eq!(ErrorKind::of(&Error::Timeout("pong")), ErrorKind::Timeout);
        assert_eq!(ErrorKind::of(&Error::Usage("x")), ErrorKind::Other);
    }
}
