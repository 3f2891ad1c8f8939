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

/// What the bridge needs of an event for `dws_client_poll`.
pub trait BridgeFields {
    /// Bytes of payload the game must make room for: the message, the sub-protocol of an
    /// `Open`, the reason of a `Closed`, the text of an `Error`.
    fn payload_len(&self) -> usize;
    /// The event as the C ABI's `DwsEvent` ([`abi::event_layout`]), its payload at `data`
    /// in the player's heap (null when there is none).
    fn dws_event(&self, data: u32) -> [u8; abi::event_layout::SIZE];
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

    fn dws_event(&self, data: u32) -> [u8; abi::event_layout::SIZE] {
        use abi::event_layout as at;
        let mut b = [0u8; at::SIZE];
        let mut put = |at: usize, bytes: &[u8]| b[at..at + bytes.len()].copy_from_slice(bytes);
        put(at::KIND, &self.wire_kind().to_le_bytes());
        let len = self.payload_len() as u64;
        if len > 0 {
            put(at::DATA, &data.to_le_bytes());
            put(at::LEN, &len.to_le_bytes());
        }
        match self {
            Event::Message { kind, .. } => {
                let kind = match kind {
                    MessageKind::Text => abi::message::TEXT,
                    MessageKind::Binary => abi::message::BINARY,
                };
                put(at::MESSAGE_KIND, &kind.to_le_bytes());
            }
            Event::Closed {
                code,
                was_clean,
                unsent,
                ..
            } => {
                put(at::CODE, &code.to_le_bytes());
                put(at::WAS_CLEAN, &[u8::from(*was_clean)]);
                put(at::UNSENT, &unsent.to_le_bytes());
            }
            Event::Reconnecting { attempt, delay } => {
                let delay_ms = u32::try_from(delay.as_millis()).unwrap_or(u32::MAX);
                put(at::ATTEMPT, &attempt.to_le_bytes());
                put(at::DELAY_MS, &delay_ms.to_le_bytes());
            }
            _ => {}
        }
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use abi::event_layout as at;
    use core::time::Duration;

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }

    fn u64_at(b: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
    }

    #[test]
    fn dws_events_carry_kind_payload_and_numbers() {
        let m: Event<Vec<u8>> = Event::Message {
            kind: MessageKind::Binary,
            data: Received {
                data: vec![1, 2, 3],
                len: 3,
            },
        };
        let b = m.dws_event(4096);
        assert_eq!(m.payload_len(), 3);
        assert_eq!((u32_at(&b, at::KIND), u32_at(&b, at::MESSAGE_KIND)), (2, 2));
        assert_eq!((u32_at(&b, at::DATA), u64_at(&b, at::LEN)), (4096, 3));
        let t: Event<Vec<u8>> = Event::Message {
            kind: MessageKind::Text,
            data: Received {
                data: b"hi".to_vec(),
                len: 2,
            },
        };
        assert_eq!(u32_at(&t.dws_event(8), at::MESSAGE_KIND), 1, "text");
        let closing: Event<Vec<u8>> = Event::Closing;
        let b = closing.dws_event(8);
        assert_eq!((u32_at(&b, at::KIND), closing.payload_len()), (3, 0));
        assert_eq!(u32_at(&b, at::DATA), 0, "no payload, no pointer");
        let c: Event<Vec<u8>> = Event::Closed {
            code: 4001,
            reason: "bye".into(),
            was_clean: true,
            unsent: 2,
        };
        let b = c.dws_event(8);
        assert_eq!((u32_at(&b, at::KIND), c.payload_len()), (4, 3));
        assert_eq!(u16::from_le_bytes([b[at::CODE], b[at::CODE + 1]]), 4001);
        assert_eq!((b[at::WAS_CLEAN], u64_at(&b, at::UNSENT)), (1, 2));
        let r: Event<Vec<u8>> = Event::Reconnecting {
            attempt: 2,
            delay: Duration::from_millis(10),
        };
        let b = r.dws_event(8);
        assert_eq!(
            (
                u32_at(&b, at::KIND),
                u32_at(&b, at::ATTEMPT),
                u32_at(&b, at::DELAY_MS)
            ),
            (6, 2, 10)
        );
        let o: Event<Vec<u8>> = Event::Open {
            protocol: Some("chat".into()),
        };
        assert_eq!((o.wire_kind(), o.payload_len()), (1, 4));
    }
}
