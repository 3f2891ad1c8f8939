//! Encoder → decoder: whatever the encoder accepts, the peer's decoder
//! must hand back exactly (RFC 6455 §5, both roles).

use super::events::{feed, End, Ev};
use super::input::{Chunker, Input};
use super::test_extensions::Reverse;
use devian_ws_protocol::deflate::{DeflateParams, PerMessageDeflate, MIN_WINDOW_BITS};
use devian_ws_protocol::extensions::Extension;
use devian_ws_protocol::{
    CloseCode, Decoder, Encoder, Error, Limits, MessageKind, Opcode, Role, MAX_HEADER_LEN,
};

/// Most operations per input, and most payloads of the large sizes, so one
/// input stays cheap however it is built.
const MAX_OPS: usize = 64;
const MAX_LARGE: usize = 2;

/// Payload sizes that straddle the 7-bit, 16-bit and 64-bit length forms
/// (§5.2); selected by the top values of the size byte.
const LARGE_SIZES: [usize; 6] = [125, 126, 127, 65_535, 65_536, 70_000];

/// Builds a conversation from the input with every way the encoder writes
/// frames (whole messages through the extension, manual fragments with
/// control frames between them (§5.4), the zero-copy path, pings, pongs
/// and a final Close), then decodes it as the peer in pseudo-random pieces
/// and requires exactly the events sent. Calls the encoder refuses must
/// fail with `Usage` and write nothing.
pub fn check_round_trip(data: &[u8]) {
    let mut input = Input::new(data);
    let flags = input.u8();
    let sender = if flags & 1 == 0 {
        Role::Client
    } else {
        Role::Server
    };
    let receiver = match sender {
        Role::Client => Role::Server,
        Role::Server => Role::Client,
    };
    let seed = input.u32();
    let max_piece = 1 + usize::from(input.u16());
    // Bit 2: permessage-deflate (RFC 7692) with parameters from the next
    // two bytes; else bit 1: the reversing test extension.
    let deflate = (flags & 4 != 0).then(|| deflate_params(input.u8(), input.u8()));
    let extension = |role: Role| -> Option<Box<dyn Extension>> {
        match deflate {
            Some(params) => Some(Box::new(PerMessageDeflate::new(role, params))),
            None if flags & 2 != 0 => Some(Box::new(Reverse)),
            None => None,
        }
    };

    let mut enc = Encoder::new(sender);
    if let Some(ext) = extension(sender) {
        enc.set_extension(ext);
    }
    let mut conv = Conversation {
        input,
        enc,
        wire: Vec::new(),
        expected: Vec::new(),
        large_left: MAX_LARGE,
    };
    for _ in 0..MAX_OPS {
        if conv.input.is_empty() || !conv.step() {
            break;
        }
    }

    let mut dec = Decoder::new(receiver, Limits::default());
    if let Some(ext) = extension(receiver) {
        dec.set_extension(ext);
    }
    let mut chunker = Chunker::new(seed, max_piece);
    // Fine splits of large conversations cost time and find nothing the
    // decoder target does not: cap the number of pieces near 1024.
    let min_piece = conv.wire.len() / 1024;
    let outcome = feed(&mut dec, &conv.wire, true, false, || {
        chunker.next_len().max(min_piece)
    });
    assert_eq!(outcome.end, End::Eof { truncated: false });
    assert_eq!(outcome.events, conv.expected);
}

/// The conversation being written, and what it must decode to.
struct Conversation<'a> {
    input: Input<'a>,
    enc: Encoder,
    wire: Vec<u8>,
    expected: Vec<Ev>,
    large_left: usize,
}

impl Conversation<'_> {
    /// Encodes one operation; `false` once a Close ended the conversation.
    fn step(&mut self) -> bool {
        match self.input.u8() % 6 {
            0 => {
                let kind = self.kind();
                let payload = self.payload(kind);
                self.enc.encode_message(kind, &payload, &mut self.wire);
                self.expected.push(Ev::Msg(kind, payload));
            }
            1 => self.fragmented(),
            2 | 3 => self.control(),
            4 => {
                let kind = self.kind();
                let payload = self.payload(kind);
                let mut buf = vec![0u8; MAX_HEADER_LEN];
                buf.extend_from_slice(&payload);
                let start = self.enc.encode_in_place(Opcode::from(kind), true, &mut buf);
                self.wire.extend_from_slice(&buf[start..]);
                self.expected.push(Ev::Msg(kind, payload));
            }
            _ => return !self.close(),
        }
        true
    }

    fn kind(&mut self) -> MessageKind {
        if self.input.u8() & 1 == 0 {
            MessageKind::Binary
        } else {
            MessageKind::Text
        }
    }

    /// Bytes from the input (text made valid UTF-8), or a patterned payload
    /// of one of the [`LARGE_SIZES`].
    fn payload(&mut self, kind: MessageKind) -> Vec<u8> {
        let sel = self.input.u8();
        let bytes = match usize::from(sel).checked_sub(250) {
            Some(i) if self.large_left > 0 => {
                self.large_left -= 1;
                (0..LARGE_SIZES[i]).map(|j| (j * 31 + 7) as u8).collect()
            }
            _ => self.input.bytes(usize::from(sel) % 250).to_vec(),
        };
        match kind {
            MessageKind::Binary => bytes,
            MessageKind::Text => String::from_utf8_lossy(&bytes).into_owned().into_bytes(),
        }
    }

    /// §5.4: one message in up to 8 fragments cut at arbitrary bytes (so
    /// code points split across frames), with Pings or Pongs between them.
    fn fragmented(&mut self) {
        let kind = self.kind();
        let payload = self.payload(kind);
        let fragments = 1 + usize::from(self.input.u8() % 8);
        let mut start = 0;
        for i in 0..fragments {
            let last = i + 1 == fragments;
            let end = if last {
                payload.len()
            } else {
                (start + usize::from(self.input.u8())).min(payload.len())
            };
            let op = if i == 0 {
                Opcode::from(kind)
            } else {
                Opcode::Continuation
            };
            self.enc
                .encode_frame(op, last, &payload[start..end], &mut self.wire);
            start = end;
            if !last && self.input.u8() & 1 == 1 {
                self.control();
            }
        }
        self.expected.push(Ev::Msg(kind, payload));
    }

    /// A Ping or Pong, or a refused call: another opcode or a payload over
    /// 125 bytes (§5.5).
    fn control(&mut self) {
        let op = match self.input.u8() % 8 {
            0..=2 => Opcode::Ping,
            3..=5 => Opcode::Pong,
            6 => Opcode::Close,
            _ => Opcode::Binary,
        };
        let len = usize::from(self.input.u8()) % 140;
        let payload = self.input.bytes(len).to_vec();
        let before = self.wire.len();
        let result = self.enc.encode_control(op, &payload, &mut self.wire);
        if matches!(op, Opcode::Ping | Opcode::Pong) && payload.len() <= 125 {
            assert!(result.is_ok(), "{op:?} {}: {result:?}", payload.len());
            self.expected.push(if op == Opcode::Ping {
                Ev::Ping(payload)
            } else {
                Ev::Pong(payload)
            });
        } else {
            assert!(matches!(result, Err(Error::Usage(_))), "{result:?}");
            assert_eq!(self.wire.len(), before, "a refused frame wrote bytes");
        }
    }

    /// §5.5.1 / §7.4: a Close with no code, a legal code or an illegal
    /// one, and a reason that may be too long. Returns whether it was sent.
    fn close(&mut self) -> bool {
        let code = match self.input.u8() % 4 {
            0 => None,
            1 => Some(CloseCode(self.input.u16())),
            2 => Some(CloseCode(1000 + u16::from(self.input.u8() % 16))),
            _ => Some(CloseCode(3000 + self.input.u16() % 2000)),
        };
        let len = usize::from(self.input.u8()) % 140;
        let reason = String::from_utf8_lossy(self.input.bytes(len)).into_owned();
        let legal = match code {
            None => reason.is_empty(),
            Some(c) => c.is_allowed_on_wire() && reason.len() <= 123,
        };
        let before = self.wire.len();
        let result = self.enc.encode_close(code, &reason, &mut self.wire);
        if legal {
            assert!(result.is_ok(), "{code:?} {reason:?}: {result:?}");
            self.expected
                .push(Ev::Close(code.map(|c| c.0), reason.into_bytes()));
        } else {
            assert!(matches!(result, Err(Error::Usage(_))), "{result:?}");
            assert_eq!(self.wire.len(), before, "a refused Close wrote bytes");
        }
        legal
    }
}

/// RFC 7692 §7.1 parameters both ends agreed on: context takeover per
/// side, window bits 8..=15 per side, compression level 0..=9.
fn deflate_params(a: u8, b: u8) -> DeflateParams {
    DeflateParams {
        server_no_context_takeover: a & 1 != 0,
        client_no_context_takeover: a & 2 != 0,
        server_max_window_bits: MIN_WINDOW_BITS + (a >> 2) % 8,
        client_max_window_bits: MIN_WINDOW_BITS + (a >> 5),
        level: b % 10,
    }
}
