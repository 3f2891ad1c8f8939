//! The decoder driven over a stream in pieces, with the progress and
//! reply contract of `Decoder::decode` checked on every single call.

use devian_ws_protocol::protocol::Reply;
use devian_ws_protocol::{ControlPayload, Decoded, Decoder, Error, Limits, MessageKind};

/// A decoded event with its data copied out, for comparisons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ev {
    /// A complete data message.
    Msg(MessageKind, Vec<u8>),
    /// A Ping and its payload.
    Ping(Vec<u8>),
    /// A Pong and its payload.
    Pong(Vec<u8>),
    /// The peer's Close: code and reason.
    Close(Option<u16>, Vec<u8>),
}

/// How feeding a stream ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// All input was consumed without error; `truncated` is whether
    /// `check_eof` reported a frame cut off by the end of the stream.
    Eof {
        /// `check_eof` failed.
        truncated: bool,
    },
    /// The decoder failed; the error as text and its close code.
    Failed {
        /// `Display` of the error.
        error: String,
        /// The close code the connection is failed with.
        close_code: Option<u16>,
    },
}

/// Everything a stream decoded to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Events in the order they were returned.
    pub events: Vec<Ev>,
    /// How it ended.
    pub end: End,
}

/// Feeds `wire` to `dec` in pieces whose sizes `next_len` picks, checking
/// after every call: consumed ≤ offered, progress on non-empty input,
/// `(n, None)` consumes everything, the message buffer stays within
/// `max_message_size` (and its capacity within a constant factor of the
/// limits), and each event comes with exactly the reply it requires.
pub fn feed(
    dec: &mut Decoder,
    wire: &[u8],
    auto_pong: bool,
    direct: bool,
    mut next_len: impl FnMut() -> usize,
) -> Outcome {
    let limits = dec.limits();
    let mut message = Vec::new();
    let mut events = Vec::new();
    let mut pos = 0;
    // Each call consumes at least one byte of its piece, so the number of
    // calls is bounded by the bytes plus the pieces.
    let mut calls_left = 2 * wire.len() + 1;
    while pos < wire.len() {
        let end = pos.saturating_add(next_len().max(1)).min(wire.len());
        while pos < end {
            assert!(calls_left > 0, "decoder stopped making progress");
            calls_left -= 1;
            let piece = &wire[pos..end];
            // The engine's way for large payloads: the bytes go straight into
            // the message buffer, then to payload_read. Same events expected.
            let remaining = dec.payload_remaining();
            if direct && remaining > 0 {
                let n = piece
                    .len()
                    .min(usize::try_from(remaining).unwrap_or(usize::MAX));
                let start = message.len();
                message.extend_from_slice(&piece[..n]);
                pos += n;
                match dec.payload_read(&mut message, start) {
                    Ok(None) => check_buffer(&message, limits),
                    Ok(Some(ev)) => events.push(take_event(dec, ev, &mut message, auto_pong)),
                    Err(e) => return failed(dec, e, events),
                }
                continue;
            }
            let (n, event) = match dec.decode(piece, &mut message) {
                Ok(ok) => ok,
                Err(e) => {
                    // Even a failed message may not have grown without bound.
                    check_capacity(&message, limits);
                    return failed(dec, e, events);
                }
            };
            assert!(n <= piece.len(), "consumed {n} of {} bytes", piece.len());
            assert!(n > 0, "no progress on {} bytes of input", piece.len());
            pos += n;
            check_buffer(&message, limits);
            match event {
                None => assert_eq!(pos, end, "(n, None) must consume the whole input"),
                Some(ev) => events.push(take_event(dec, ev, &mut message, auto_pong)),
            }
        }
    }
    let closed = events.iter().any(|e| matches!(e, Ev::Close(..)));
    assert_eq!(dec.close_received(), closed);
    Outcome {
        events,
        end: End::Eof {
            truncated: dec.check_eof().is_err(),
        },
    }
}

/// RFC 6455 §10.4: memory follows the limits, not announced lengths.
fn check_buffer(message: &Vec<u8>, limits: Limits) {
    assert!(
        message.len() <= limits.max_message_size,
        "message buffer {} over max_message_size {}",
        message.len(),
        limits.max_message_size
    );
    check_capacity(message, limits);
}

/// The capacity may exceed the length (Vec doubling, the decoder's bounded
/// reservation, an inflater's minimum growth step) but never by more than
/// a constant factor of the limits plus a constant.
fn check_capacity(message: &Vec<u8>, limits: Limits) {
    let bound = 4usize
        .saturating_mul(
            limits
                .max_message_size
                .saturating_add(limits.max_frame_size),
        )
        .saturating_add(64 * 1024);
    assert!(
        message.capacity() <= bound,
        "message buffer capacity {} over {bound}",
        message.capacity()
    );
}

/// A fatal error must name the close code (§7.1.7: 1002, 1007 or 1009 for
/// a peer's fault), and the decoder must refuse to go on.
fn failed(dec: &mut Decoder, e: Error, events: Vec<Ev>) -> Outcome {
    let close_code = e.close_code().map(|c| c.0);
    assert!(
        close_code.is_some(),
        "peer-caused error without a close code: {e:?}"
    );
    let again = dec.decode(&[0x81, 0x00], &mut Vec::new());
    assert!(
        matches!(again, Err(Error::Usage(_))),
        "after an error: {again:?}"
    );
    Outcome {
        events,
        end: End::Failed {
            error: e.to_string(),
            close_code,
        },
    }
}

/// Copies an event out and checks what it promises: text is UTF-8, a Ping
/// is answered with its own payload (§5.5.2) unless auto-pong is off, a
/// Close is echoed with its code (§5.5.1) and carries a legal code (§7.4)
/// and a UTF-8 reason (§8.1); nothing else asks for a reply.
fn take_event(dec: &mut Decoder, ev: Decoded, message: &mut Vec<u8>, auto_pong: bool) -> Ev {
    let reply = dec.take_reply();
    match ev {
        Decoded::Message(kind) => {
            assert_eq!(reply, None);
            if kind == MessageKind::Text {
                assert!(std::str::from_utf8(message).is_ok(), "text is not UTF-8");
            }
            Ev::Msg(kind, std::mem::take(message))
        }
        Decoded::Ping(p) => {
            let expected = auto_pong.then_some(Reply::Pong(p));
            assert_eq!(reply, expected);
            Ev::Ping(p.as_slice().to_vec())
        }
        Decoded::Pong(p) => {
            assert_eq!(reply, None);
            Ev::Pong(p.as_slice().to_vec())
        }
        Decoded::Close(code, reason) => {
            assert!(dec.close_received());
            assert!(code.is_none_or(|c| c.is_allowed_on_wire()), "{code:?}");
            assert!(code.is_some() || reason.as_slice().is_empty());
            assert!(std::str::from_utf8(reason.as_slice()).is_ok());
            assert_eq!(reply, Some(Reply::Close(code, ControlPayload::EMPTY)));
            Ev::Close(code.map(|c| c.0), reason.as_slice().to_vec())
        }
    }
}
