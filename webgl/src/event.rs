//! What a connection reports to the game, queued until the game's `Update()` polls it.

use devian_ws_policy::abi;

/// Kinds of event, numbered as the native library's `DwsEvent.kind`
/// ([`abi::event`]): the bridge writes them into the `DwsEvent` of `dws_client_poll`, which
/// C# reads the same way on every platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum EventKind {
    /// The connection opened; payload: the negotiated sub-protocol (may be empty).
    Open = abi::event::OPEN,
    /// A message; code: [`abi::message`] TEXT or BINARY; payload: its bytes.
    Message = abi::event::MESSAGE,
    /// The application started the close handshake.
    Closing = abi::event::CLOSING,
    /// The connection is closed for good; code: the close code; aux: 1 if the close
    /// handshake completed; payload: the UTF-8 reason.
    Closed = abi::event::CLOSED,
    /// Something failed; payload: a UTF-8 description. A `Closed` follows when fatal.
    Error = abi::event::ERROR,
    /// The connection dropped and a reconnect is scheduled; code: the attempt (1-based);
    /// aux: the delay in milliseconds.
    Reconnecting = abi::event::RECONNECTING,
    /// A reconnect succeeded; buffered sends are being flushed; payload: the sub-protocol.
    Reconnected = abi::event::RECONNECTED,
    /// Authentication was applied (the first message was written, or the URL / sub-protocol
    /// carried the token).
    Authenticated = abi::event::AUTHENTICATED,
}

/// One queued event. `M` is the received-message handle: the browser build keeps the
/// browser's own buffer there (so the only copy is the one into the game's heap); tests use
/// plain bytes.
#[derive(Debug, Clone, PartialEq)]
pub enum Event<M> {
    /// See [`EventKind::Open`].
    Open {
        /// Negotiated sub-protocol, empty when none.
        protocol: String,
    },
    /// See [`EventKind::Message`].
    Message {
        /// The message.
        data: M,
        /// Its length in bytes.
        len: usize,
        /// Text (UTF-8) rather than binary.
        text: bool,
    },
    /// See [`EventKind::Closing`].
    Closing,
    /// See [`EventKind::Closed`].
    Closed {
        /// Close code (1005 when the peer sent none, 1006 when the connection just dropped).
        code: u16,
        /// Close reason.
        reason: String,
        /// Whether the close handshake completed (RFC 6455 §7.1.4 "cleanly").
        clean: bool,
    },
    /// See [`EventKind::Error`].
    Error {
        /// What failed.
        message: String,
    },
    /// See [`EventKind::Reconnecting`].
    Reconnecting {
        /// Attempt number, 1-based.
        attempt: u32,
        /// Milliseconds until the attempt.
        delay_ms: u32,
    },
    /// See [`EventKind::Reconnected`].
    Reconnected {
        /// Negotiated sub-protocol, empty when none.
        protocol: String,
    },
    /// See [`EventKind::Authenticated`].
    Authenticated,
}

impl<M> Event<M> {
    /// The kind, as numbered for the bridge.
    pub fn kind(&self) -> EventKind {
        match self {
            Event::Open { .. } => EventKind::Open,
            Event::Message { .. } => EventKind::Message,
            Event::Closing => EventKind::Closing,
            Event::Closed { .. } => EventKind::Closed,
            Event::Error { .. } => EventKind::Error,
            Event::Reconnecting { .. } => EventKind::Reconnecting,
            Event::Reconnected { .. } => EventKind::Reconnected,
            Event::Authenticated => EventKind::Authenticated,
        }
    }

    /// Bytes of payload the game must make room for.
    pub fn payload_len(&self) -> usize {
        match self {
            Event::Open { protocol } | Event::Reconnected { protocol } => protocol.len(),
            Event::Message { len, .. } => *len,
            Event::Closed { reason, .. } => reason.len(),
            Event::Error { message } => message.len(),
            Event::Closing | Event::Reconnecting { .. } | Event::Authenticated => 0,
        }
    }

    /// The event's number: message kind, close code, reconnect attempt, or 0.
    pub fn code(&self) -> u32 {
        match self {
            Event::Message { text: true, .. } => abi::message::TEXT,
            Event::Message { text: false, .. } => abi::message::BINARY,
            Event::Closed { code, .. } => u32::from(*code),
            Event::Reconnecting { attempt, .. } => *attempt,
            _ => 0,
        }
    }

    /// The event's second number: 1/0 for a clean close, the reconnect delay in ms, or 0.
    pub fn aux(&self) -> u32 {
        match self {
            Event::Closed { clean, .. } => u32::from(*clean),
            Event::Reconnecting { delay_ms, .. } => *delay_ms,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_sizes_and_codes() {
        let m: Event<Vec<u8>> = Event::Message {
            data: vec![1, 2, 3],
            len: 3,
            text: false,
        };
        assert_eq!(
            (m.kind(), m.payload_len(), m.code()),
            (EventKind::Message, 3, 2)
        );
        let t: Event<Vec<u8>> = Event::Message {
            data: b"hi".to_vec(),
            len: 2,
            text: true,
        };
        assert_eq!((t.kind() as u32, t.code()), (2, 1), "message, text");
        let closing: Event<Vec<u8>> = Event::Closing;
        assert_eq!((closing.kind() as u32, closing.payload_len()), (3, 0));
        let c: Event<Vec<u8>> = Event::Closed {
            code: 4001,
            reason: "bye".into(),
            clean: true,
        };
        assert_eq!(
            (c.kind() as u32, c.payload_len(), c.code(), c.aux()),
            (4, 3, 4001, 1)
        );
        let r: Event<Vec<u8>> = Event::Reconnecting {
            attempt: 2,
            delay_ms: 10,
        };
        assert_eq!(
            (r.kind() as u32, r.payload_len(), r.code(), r.aux()),
            (6, 0, 2, 10)
        );
    }
}
