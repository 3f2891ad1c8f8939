//! What a connection reports to the game, queued until the game's `Update()` polls it: the
//! event type the native engine uses too ([`devian_ws_policy::Event`]), with the browser's
//! forms of a received message, and the numbers the bridge writes into `dws_client_poll`'s
//! `DwsEvent`.

use devian_ws_policy::abi;

pub use devian_ws_policy::ErrorKind;

/// Text or binary, as the browser delivered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// UTF-8 text.
    Text,
    /// Binary.
    Binary,
}

/// A received message: `M` is the browser's own buffer (so the only copy is the one into the
/// game's heap); tests use plain bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received<M> {
    /// The message.
    pub data: M,
    /// Its length in bytes.
    pub len: usize,
}

/// One queued event.
pub type Event<M> = devian_ws_policy::Event<MessageKind, Received<M>>;

/// The fields of `DwsEvent` the bridge fills from an event besides its kind
/// ([`devian_ws_policy::Event::wire_kind`]).
pub trait BridgeFields {
    /// Bytes of payload the game must make room for: the message, the sub-protocol of an
    /// `Open`, the reason of a `Closed`, the text of an `Error`.
    fn payload_len(&self) -> usize;
    /// The message kind ([`abi::message`]), close code or reconnect attempt; else 0.
    fn code(&self) -> u32;
    /// 1/0 for a clean close, the reconnect delay in ms; else 0.
    fn aux(&self) -> u32;
}

impl<M> BridgeFields for Event<M> {
    fn payload_len(&self) -> usize {
        match self {
            Event::Open { protocol } => protocol.as_ref().map_or(0, String::len),
            Event::Message { data, .. } => data.len,
            Event::Closed { reason, .. } => reason.len(),
            Event::Error { text, .. } => text.len(),
            Event::Closing
            | Event::Reconnecting { .. }
            | Event::Reconnected
            | Event::Authenticated => 0,
        }
    }

    fn code(&self) -> u32 {
        match self {
            Event::Message {
                kind: MessageKind::Text,
                ..
            } => abi::message::TEXT,
            Event::Message {
                kind: MessageKind::Binary,
                ..
            } => abi::message::BINARY,
            Event::Closed { code, .. } => u32::from(*code),
            Event::Reconnecting { attempt, .. } => *attempt,
            _ => 0,
        }
    }

    fn aux(&self) -> u32 {
        match self {
            Event::Closed { was_clean, .. } => u32::from(*was_clean),
            Event::Reconnecting { delay, .. } => {
                u32::try_from(delay.as_millis()).unwrap_or(u32::MAX)
            }
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::time::Duration;

    #[test]
    fn kinds_sizes_and_codes() {
        let m: Event<Vec<u8>> = Event::Message {
            kind: MessageKind::Binary,
            data: Received {
                data: vec![1, 2, 3],
                len: 3,
            },
        };
        assert_eq!((m.wire_kind(), m.payload_len(), m.code()), (2, 3, 2));
        let t: Event<Vec<u8>> = Event::Message {
            kind: MessageKind::Text,
            data: Received {
                data: b"hi".to_vec(),
                len: 2,
            },
        };
        assert_eq!((t.wire_kind(), t.code()), (2, 1), "message, text");
        let closing: Event<Vec<u8>> = Event::Closing;
        assert_eq!((closing.wire_kind(), closing.payload_len()), (3, 0));
        let c: Event<Vec<u8>> = Event::Closed {
            code: 4001,
            reason: "bye".into(),
            was_clean: true,
            unsent: 0,
        };
        assert_eq!(
            (c.wire_kind(), c.payload_len(), c.code(), c.aux()),
            (4, 3, 4001, 1)
        );
        let r: Event<Vec<u8>> = Event::Reconnecting {
            attempt: 2,
            delay: Duration::from_millis(10),
        };
        assert_eq!(
            (r.wire_kind(), r.payload_len(), r.code(), r.aux()),
            (6, 0, 2, 10)
        );
        let o: Event<Vec<u8>> = Event::Open {
            protocol: Some("chat".into()),
        };
        assert_eq!((o.wire_kind(), o.payload_len()), (1, 4));
    }
}
