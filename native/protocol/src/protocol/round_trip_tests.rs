//! Encoder → Decoder round trips for both roles, including the extension
//! hook end to end and byte-at-a-time feeding.

use super::frame::{FrameHeader, Opcode, RSV1};
use super::{Decoded, Decoder, Encoder, Limits, Reply, Role};
use crate::close_code::CloseCode;
use crate::error::{Error, Result};
use crate::extensions::Extension;
use crate::message::MessageKind;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A decoded event with its data copied out, for comparisons.
#[derive(Debug, PartialEq, Eq)]
enum Ev {
    Msg(MessageKind, Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<u16>, Vec<u8>),
}

/// Decodes `wire` cut into pieces whose sizes `next_len` chooses.
fn decode_in_pieces(
    dec: &mut Decoder,
    wire: &[u8],
    mut next_len: impl FnMut() -> usize,
) -> Result<Vec<Ev>> {
    let mut events = Vec::new();
    let mut message = Vec::new();
    let mut pos = 0;
    // Every call consumes at least one byte, so wire.len() calls suffice.
    for _ in 0..=wire.len() {
        if pos == wire.len() {
            break;
        }
        let end = pos.saturating_add(next_len().max(1)).min(wire.len());
        let (n, ev) = dec.decode(&wire[pos..end], &mut message)?;
        assert!(n > 0, "no progress");
        pos += n;
        match ev {
            None => assert_eq!(pos, end),
            Some(Decoded::Message(kind)) => {
                events.push(Ev::Msg(kind, std::mem::take(&mut message)))
            }
            Some(Decoded::Ping(p)) => events.push(Ev::Ping(p.as_slice().to_vec())),
            Some(Decoded::Pong(p)) => events.push(Ev::Pong(p.as_slice().to_vec())),
            Some(Decoded::Close(c, r)) => {
                events.push(Ev::Close(c.map(|c| c.0), r.as_slice().to_vec()))
            }
        }
    }
    assert_eq!(pos, wire.len());
    Ok(events)
}

fn peer(role: Role) -> Role {
    match role {
        Role::Client => Role::Server,
        Role::Server => Role::Client,
    }
}

/// A conversation exercising every frame kind, encoded by `sender`, and
/// the events it must decode to.
fn conversation(sender: Role) -> (Vec<u8>, Vec<Ev>) {
    let mut enc = Encoder::new(sender);
    let mut wire = Vec::new();
    let mut expected = Vec::new();
    for len in [0usize, 1, 125, 126, 65_535, 65_536] {
        let payload: Vec<u8> = (0..len).map(|i| (i * 13 % 256) as u8).collect();
        enc.encode_message(MessageKind::Binary, &payload, &mut wire);
        expected.push(Ev::Msg(MessageKind::Binary, payload));
    }
    enc.encode_message(MessageKind::Text, "ünïcødé 😀".as_bytes(), &mut wire);
    expected.push(Ev::Msg(MessageKind::Text, "ünïcødé 😀".as_bytes().to_vec()));
    // §5.4: fragmented text with a code point cut between frames and
    // control frames in between.
    let text = "€uro€".as_bytes();
    enc.encode_frame(Opcode::Text, false, &text[..1], &mut wire);
    enc.encode_control(Opcode::Ping, b"are you there", &mut wire)
        .unwrap();
    enc.encode_frame(Opcode::Continuation, false, &text[1..5], &mut wire);
    enc.encode_control(Opcode::Pong, b"", &mut wire).unwrap();
    enc.encode_frame(Opcode::Continuation, true, &text[5..], &mut wire);
    expected.push(Ev::Ping(b"are you there".to_vec()));
    expected.push(Ev::Pong(vec![]));
    expected.push(Ev::Msg(MessageKind::Text, text.to_vec()));
    // Zero-copy path.
    let mut buf = vec![0u8; super::frame::MAX_HEADER_LEN];
    buf.extend_from_slice(b"in place");
    let start = enc.encode_in_place(Opcode::Binary, true, &mut buf);
    wire.extend_from_slice(&buf[start..]);
    expected.push(Ev::Msg(MessageKind::Binary, b"in place".to_vec()));
    enc.encode_close(Some(CloseCode::GOING_AWAY), "bye", &mut wire)
        .unwrap();
    expected.push(Ev::Close(Some(1001), b"bye".to_vec()));
    (wire, expected)
}

// RFC 6455 §5: everything the encoder writes, the peer's decoder reads
// back, in both directions, whole.
#[test]
fn rfc6455_5_round_trip_both_roles() {
    for sender in [Role::Client, Role::Server] {
        let (wire, expected) = conversation(sender);
        let mut dec = Decoder::new(peer(sender), Limits::default());
        assert_eq!(
            decode_in_pieces(&mut dec, &wire, || usize::MAX).unwrap(),
            expected,
            "{sender:?}"
        );
        assert!(dec.close_received());
        assert_eq!(
            dec.take_reply(),
            Some(Reply::Close(
                Some(CloseCode::GOING_AWAY),
                super::ControlPayload::EMPTY
            ))
        );
        assert!(dec.check_eof().is_ok());
    }
}

// Feeding one byte at a time, or in random pieces, yields exactly what
// feeding the whole buffer does: all decoder state survives call
// boundaries (headers, masks, UTF-8, fragments).
#[test]
fn byte_at_a_time_equals_whole_buffer() {
    let mut rng = StdRng::seed_from_u64(6455);
    for sender in [Role::Client, Role::Server] {
        let (wire, expected) = conversation(sender);
        let mut dec = Decoder::new(peer(sender), Limits::default());
        assert_eq!(
            decode_in_pieces(&mut dec, &wire, || 1).unwrap(),
            expected,
            "{sender:?} bytewise"
        );
        for _ in 0..5 {
            let mut dec = Decoder::new(peer(sender), Limits::default());
            let got = decode_in_pieces(&mut dec, &wire, || rng.gen_range(1..40)).unwrap();
            assert_eq!(got, expected, "{sender:?} random pieces");
        }
    }
}

/// Test-only extension that reverses payloads; any path that skips it
/// delivers reversed bytes. Shared with the decoder's unit tests.
pub(crate) struct Reverse;

impl Extension for Reverse {
    fn name(&self) -> &str {
        "x-reverse"
    }
    fn rsv_bits(&self) -> u8 {
        RSV1
    }
    fn decode_message(&mut self, payload: &mut Vec<u8>, max_size: usize) -> Result<()> {
        if payload.len() > max_size {
            return Err(Error::TooBig {
                what: "message",
                size: payload.len() as u64,
                limit: max_size as u64,
            });
        }
        payload.reverse();
        Ok(())
    }
    fn encode_message(&mut self, payload: &mut Vec<u8>) -> Result<bool> {
        // Leaves one-byte messages alone, as a compressor may skip tiny ones.
        if payload.len() < 2 {
            return Ok(false);
        }
        payload.reverse();
        Ok(true)
    }
}

// RFC 7692 §6 through the public halves: the encoder sets RSV1 on
// transformed messages only, and the decoder undoes the transformation.
#[test]
fn rfc7692_6_extension_hook_end_to_end() {
    for sender in [Role::Client, Role::Server] {
        let mut enc = Encoder::new(sender);
        enc.set_extension(Box::new(Reverse));
        let mut first = Vec::new();
        enc.encode_message(MessageKind::Text, "añb".as_bytes(), &mut first);
        let header = FrameHeader::parse(&first).unwrap().unwrap().0;
        assert!(header.rsv1, "transformed message must carry RSV1");
        let mut second = Vec::new();
        enc.encode_message(MessageKind::Binary, b"x", &mut second);
        assert!(
            !FrameHeader::parse(&second).unwrap().unwrap().0.rsv1,
            "untransformed message must not"
        );

        let mut wire = first;
        wire.extend(second);
        let mut dec = Decoder::new(peer(sender), Limits::default());
        dec.set_extension(Box::new(Reverse));
        let expected = vec![
            Ev::Msg(MessageKind::Text, "añb".as_bytes().to_vec()),
            Ev::Msg(MessageKind::Binary, b"x".to_vec()),
        ];
        assert_eq!(decode_in_pieces(&mut dec, &wire, || 1).unwrap(), expected);

        // A peer without the extension must fail on RSV1 (§5.2, 1002).
        let mut plain = Decoder::new(peer(sender), Limits::default());
        let err = decode_in_pieces(&mut plain, &wire, || usize::MAX).unwrap_err();
        assert_eq!(err.close_code(), Some(CloseCode::PROTOCOL_ERROR));
    }
}

// The two halves run on different threads (receive and send), so both must
// be Send, extension included. This test fails at compile time if not.
#[test]
fn halves_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let mut dec = Decoder::new(Role::Server, Limits::default());
    dec.set_extension(Box::new(Reverse));
    let mut enc = Encoder::new(Role::Server);
    enc.set_extension(Box::new(Reverse));
    assert_send(&dec);
    assert_send(&enc);
}
