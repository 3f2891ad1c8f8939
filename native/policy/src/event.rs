//! What a connection reports to the application, in order: one event type for
//! the native engine and the WebGL module, numbered for the C ABI by
//! [`Event::wire_kind`].

use core::time::Duration;

use crate::abi;

/// What the consumer sees, in order.
///
/// A first connection yields `Open`, then `Authenticated` (unless the auth
/// method is `None`). A reconnect yields `Reconnecting` (one per attempt),
/// then `Open`, `Authenticated`, and `Reconnected` once the buffered messages
/// are about to be flushed. `Closed` is always the last event.
///
/// `K` is the message kind and `D` the received payload, which each build
/// keeps in its own form: the engine a pooled buffer, the browser build the
/// browser's own buffer (so the only copy is the one into the game's heap).
#[derive(Debug, Clone, PartialEq)]
pub enum Event<K, D> {
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
        kind: K,
        /// The payload.
        data: D,
    },
    /// A close handshake started.
    Closing,
    /// The connection ended for good (no reconnect follows).
    Closed {
        /// Close code (1005 when the peer sent none, 1006 when the connection
        /// dropped without a close frame: RFC 6455 §7.1.5).
        code: u16,
        /// Close reason.
        reason: String,
        /// Whether the close handshake completed (RFC 6455 §7.1.4 "cleanly").
        was_clean: bool,
        /// Messages the application sent that never went out (also counted in
        /// `Stats::messages_unsent`); 0 when everything went out.
        unsent: u64,
    },
    /// Something failed; the text says what. A `Closed` follows when fatal.
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

impl<K, D> Event<K, D> {
    /// The kind as the C ABI numbers it ([`abi::event`], `DwsEvent.kind`).
    pub fn wire_kind(&self) -> u32 {
        match self {
            Event::Open { .. } => abi::event::OPEN,
            Event::Authenticated => abi::event::AUTHENTICATED,
            Event::Message { .. } => abi::event::MESSAGE,
            Event::Closing => abi::event::CLOSING,
            Event::Closed { .. } => abi::event::CLOSED,
            Event::Error { .. } => abi::event::ERROR,
            Event::Reconnecting { .. } => abi::event::RECONNECTING,
            Event::Reconnected => abi::event::RECONNECTED,
        }
    }
}

/// Broad category of an [`Event::Error`], numbered as `DwsEvent.error_kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ErrorKind {
    /// Socket errors, connection refused, reset (in a browser: the socket's
    /// `error` event, which carries no detail).
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
    /// The number `DwsEvent.error_kind` carries.
    pub const fn wire(self) -> u32 {
        self as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_the_abis_numbers() {
        let events: [Event<(), ()>; 8] = [
            Event::Open { protocol: None },
            Event::Message { kind: (), data: () },
            Event::Closing,
            Event::Closed {
                code: 1000,
                reason: String::new(),
                was_clean: true,
                unsent: 0,
            },
            Event::Error {
                kind: ErrorKind::Io,
                text: String::new(),
            },
            Event::Reconnecting {
                attempt: 1,
                delay: Duration::ZERO,
            },
            Event::Reconnected,
            Event::Authenticated,
        ];
        let kinds: Vec<u32> = events.iter().map(Event::wire_kind).collect();
        assert_eq!(kinds, [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(ErrorKind::Tls.wire(), 2);
        assert_eq!(ErrorKind::Proxy.wire(), 7);
    }
}
