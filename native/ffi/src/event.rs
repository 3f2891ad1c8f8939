//! `DwsEvent`: one polled engine event, described by plain fields and a
//! borrowed pointer into memory the handle keeps alive until the next poll
//! or release.

use devian_ws_engine::{Event, PooledBuf};
use devian_ws_policy::abi;
use devian_ws_protocol::MessageKind;
use interoptopus::{ffi_constant, ffi_type};

/// `DwsEvent.kind`: the connection is open; `data` is the chosen sub-protocol (UTF-8, may be empty).
#[ffi_constant]
pub const DWS_EVENT_OPEN: u32 = abi::event::OPEN;
/// `DwsEvent.kind`: a complete message; `message_kind` and `data` describe it.
#[ffi_constant]
pub const DWS_EVENT_MESSAGE: u32 = abi::event::MESSAGE;
/// `DwsEvent.kind`: the close handshake started.
#[ffi_constant]
pub const DWS_EVENT_CLOSING: u32 = abi::event::CLOSING;
/// `DwsEvent.kind`: the connection ended for good; `code`, `was_clean`, `data` = reason.
#[ffi_constant]
pub const DWS_EVENT_CLOSED: u32 = abi::event::CLOSED;
/// `DwsEvent.kind`: something failed; `error_kind`, `data` = description.
#[ffi_constant]
pub const DWS_EVENT_ERROR: u32 = abi::event::ERROR;
/// `DwsEvent.kind`: the connection dropped; attempt `attempt` starts after `delay_ms`.
#[ffi_constant]
pub const DWS_EVENT_RECONNECTING: u32 = abi::event::RECONNECTING;
/// `DwsEvent.kind`: a reconnect succeeded.
#[ffi_constant]
pub const DWS_EVENT_RECONNECTED: u32 = abi::event::RECONNECTED;
/// `DwsEvent.kind`: authentication completed.
#[ffi_constant]
pub const DWS_EVENT_AUTHENTICATED: u32 = abi::event::AUTHENTICATED;

/// Message kind (`DwsEvent.message_kind`, `dws_client_send`'s `kind`): UTF-8 text.
#[ffi_constant]
pub const DWS_MESSAGE_TEXT: u32 = abi::message::TEXT;
/// Message kind: binary.
#[ffi_constant]
pub const DWS_MESSAGE_BINARY: u32 = abi::message::BINARY;

/// One event from `dws_client_poll`.
///
/// Ownership: `data` points into memory owned by the library (the pooled
/// receive buffer, or the event's text). It stays valid until the next
/// `dws_client_poll` or `dws_client_release` on the same handle, or
/// `dws_client_free` / `dws_shutdown_all`, whichever comes first. Copy what
/// you need before then; never free it.
#[ffi_type]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DwsEvent {
    /// DWS_EVENT_*: 1 Open, 2 Message, 3 Closing, 4 Closed, 5 Error, 6 Reconnecting, 7 Reconnected, 8 Authenticated.
    pub kind: u32,
    /// Message only: 1 text, 2 binary; 0 otherwise.
    pub message_kind: u32,
    /// Message payload, or the UTF-8 text of Open (protocol), Closed (reason), Error (description). Null when `len` is 0.
    pub data: *const u8,
    /// Bytes at `data`.
    pub len: u64,
    /// Closed only: the close code (1005 no code, 1006 no close frame).
    pub code: u16,
    /// Closed only: 1 when the close handshake completed.
    pub was_clean: u8,
    /// Error only: 1 I/O, 2 TLS, 3 handshake, 4 protocol, 5 timeout, 6 other, 7 proxy.
    pub error_kind: u32,
    /// Reconnecting only: 1-based attempt number.
    pub attempt: u32,
    /// Reconnecting only: delay before the attempt, ms.
    pub delay_ms: u32,
    /// Closed only: messages `dws_client_send` accepted that were never sent.
    pub unsent: u64,
}

impl DwsEvent {
    /// An all-zero event (kind 0: none).
    pub const NONE: DwsEvent = DwsEvent {
        kind: 0,
        message_kind: 0,
        data: std::ptr::null(),
        len: 0,
        code: 0,
        was_clean: 0,
        error_kind: 0,
        attempt: 0,
        delay_ms: 0,
        unsent: 0,
    };

    /// Describes `event`. Pointers borrow from `event`, so the caller must
    /// keep `event` alive (and unmoved in its heap parts) while they are used.
    pub fn describe(event: &Event) -> DwsEvent {
        let base = DwsEvent::NONE;
        match event {
            Event::Open { protocol } => {
                let text = protocol.as_deref().unwrap_or("");
                DwsEvent {
                    kind: DWS_EVENT_OPEN,
                    ..with_bytes(base, text.as_bytes())
                }
            }
            Event::Authenticated => DwsEvent {
                kind: DWS_EVENT_AUTHENTICATED,
                ..base
            },
            Event::Message { kind, data } => DwsEvent {
                kind: DWS_EVENT_MESSAGE,
                message_kind: message_kind_code(*kind),
                ..with_bytes(base, payload(data))
            },
            Event::Closing => DwsEvent {
                kind: DWS_EVENT_CLOSING,
                ..base
            },
            Event::Closed {
                code,
                reason,
                was_clean,
                unsent,
            } => DwsEvent {
                kind: DWS_EVENT_CLOSED,
                code: *code,
                was_clean: u8::from(*was_clean),
                unsent: *unsent,
                ..with_bytes(base, reason.as_bytes())
            },
            Event::Error { kind, text } => DwsEvent {
                kind: DWS_EVENT_ERROR,
                error_kind: kind.wire(),
                ..with_bytes(base, text.as_bytes())
            },
            Event::Reconnecting { attempt, delay } => DwsEvent {
                kind: DWS_EVENT_RECONNECTING,
                attempt: *attempt,
                delay_ms: u32::try_from(delay.as_millis()).unwrap_or(u32::MAX),
                ..base
            },
            Event::Reconnected => DwsEvent {
                kind: DWS_EVENT_RECONNECTED,
                ..base
            },
        }
    }
}

fn with_bytes(base: DwsEvent, bytes: &[u8]) -> DwsEvent {
    if bytes.is_empty() {
        return base;
    }
    DwsEvent {
        data: bytes.as_ptr(),
        len: bytes.len() as u64,
        ..base
    }
}

/// The wire code of a message kind.
pub fn message_kind_code(kind: MessageKind) -> u32 {
    match kind {
        MessageKind::Text => DWS_MESSAGE_TEXT,
        MessageKind::Binary => DWS_MESSAGE_BINARY,
    }
}

/// The bytes of a received message, in place in the pooled buffer (no copy).
fn payload(buf: &PooledBuf) -> &[u8] {
    buf.as_slice()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn text_of(e: &DwsEvent) -> &str {
        if e.len == 0 {
            return "";
        }
        // SAFETY: `describe` pointed it at a live string of `len` bytes.
        let bytes = unsafe { std::slice::from_raw_parts(e.data, e.len as usize) };
        std::str::from_utf8(bytes).expect("utf-8")
    }

    #[test]
    fn closed_carries_code_reason_and_cleanliness() {
        // RFC 6455 §7.1.5: 1006 means no Close frame was received.
        let ev = Event::Closed {
            code: 1006,
            reason: "gone".into(),
            was_clean: false,
            unsent: 7,
        };
        let d = DwsEvent::describe(&ev);
        assert_eq!((d.kind, d.code, d.was_clean), (DWS_EVENT_CLOSED, 1006, 0));
        assert_eq!(d.unsent, 7);
        assert_eq!(text_of(&d), "gone");
    }

    #[test]
    fn open_without_protocol_has_a_null_empty_text() {
        let d = DwsEvent::describe(&Event::Open { protocol: None });
        assert_eq!(d.kind, DWS_EVENT_OPEN);
        assert!(d.data.is_null());
        assert_eq!(d.len, 0);
        // The event must outlive the description that borrows from it.
        let ev = Event::Open {
            protocol: Some("chat.v2".into()),
        };
        let d = DwsEvent::describe(&ev);
        assert_eq!(text_of(&d), "chat.v2");
    }

    #[test]
    fn error_and_reconnecting_fields() {
        let ev = Event::Error {
            kind: devian_ws_engine::ErrorKind::Tls,
            text: "unknown issuer".into(),
        };
        let d = DwsEvent::describe(&ev);
        assert_eq!((d.kind, d.error_kind), (DWS_EVENT_ERROR, 2));
        assert_eq!(text_of(&d), "unknown issuer");
        let d = DwsEvent::describe(&Event::Reconnecting {
            attempt: 3,
            delay: Duration::from_millis(1500),
        });
        assert_eq!(
            (d.kind, d.attempt, d.delay_ms),
            (DWS_EVENT_RECONNECTING, 3, 1500)
        );
        let d = DwsEvent::describe(&Event::Reconnecting {
            attempt: 1,
            delay: Duration::from_secs(u64::MAX),
        });
        assert_eq!(d.delay_ms, u32::MAX, "saturates");
        for (ev, kind) in [
            (Event::Closing, DWS_EVENT_CLOSING),
            (Event::Reconnected, DWS_EVENT_RECONNECTED),
            (Event::Authenticated, DWS_EVENT_AUTHENTICATED),
        ] {
            assert_eq!(
                DwsEvent::describe(&ev),
                DwsEvent {
                    kind,
                    ..DwsEvent::NONE
                }
            );
        }
    }
}
