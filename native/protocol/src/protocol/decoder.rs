//! The receive half: bytes in, messages and required replies out (§5.4, §5.5, §7).
//!
//! The decoder is a state machine over three pieces of state that persist
//! between calls: a partly received header, the frame whose payload is
//! being read, and the data message being reassembled. Data payload goes
//! straight into the caller's message buffer (unmasked there), control
//! payload into an inline [`ControlPayload`], so the only allocation is the
//! message buffer growing as bytes actually arrive.

use super::frame::{apply_mask, FrameHeader, Opcode, MAX_HEADER_LEN};
use super::utf8::Utf8Validator;
use super::{ControlPayload, Limits, Role, MAX_CONTROL_PAYLOAD};
use crate::close_code::CloseCode;
use crate::error::{Error, ProtocolViolation, Result};
use crate::extensions::Extension;
use crate::message::MessageKind;
use std::fmt;

/// Most bytes reserved up front for a frame's payload; anything beyond
/// grows as it arrives, so an announced length costs nothing until sent.
const MAX_RESERVE: u64 = 64 * 1024;

/// What one call to [`Decoder::decode`] produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// A complete Text or Binary message now fills the `message` buffer that
    /// was passed to `decode` (text is already validated as UTF-8).
    Message(MessageKind),
    /// A Ping with its payload.
    Ping(ControlPayload),
    /// A Pong with its payload (solicited or not).
    Pong(ControlPayload),
    /// The peer's Close frame: its code (`None` for an empty payload) and its
    /// reason bytes (already validated as UTF-8). The decoder accepts no
    /// frame after this.
    Close(Option<CloseCode>, ControlPayload),
}

/// A frame the protocol requires us to send in answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// Answer to a Ping, with the same payload (§5.5.2).
    Pong(ControlPayload),
    /// Echo of the peer's Close (§5.5.1). Send it only if we have not sent a
    /// Close of our own yet.
    Close(Option<CloseCode>, ControlPayload),
}

/// The frame whose payload is being read.
#[derive(Debug)]
struct FrameState {
    opcode: Opcode,
    fin: bool,
    mask: Option<[u8; 4]>,
    /// Payload bytes not yet received.
    remaining: u64,
    /// Payload bytes already received (the mask phase is `read % 4`).
    read: u64,
}

/// The data message being reassembled.
#[derive(Debug)]
struct MessageState {
    kind: MessageKind,
    /// The first frame carried the extension's RSV bits: the payload is
    /// transformed and can only be checked once the extension undid it.
    transformed: bool,
    /// Payload bytes received so far, for the message size limit.
    len: u64,
    utf8: Utf8Validator,
}

/// Parses frames incrementally and reassembles messages.
pub struct Decoder {
    role: Role,
    limits: Limits,
    auto_pong: bool,
    /// Bytes of a header split across `decode` calls.
    head: [u8; MAX_HEADER_LEN],
    head_len: usize,
    frame: Option<FrameState>,
    message: Option<MessageState>,
    /// Payload of the control frame being read.
    control: ControlPayload,
    reply: Option<Reply>,
    close_received: bool,
    /// A fatal error was returned; the connection must be failed.
    failed: bool,
    extension: Option<Box<dyn Extension>>,
}

impl Decoder {
    /// A decoder for our `role` (it checks the peer's masking accordingly).
    pub fn new(role: Role, limits: Limits) -> Self {
        Decoder {
            role,
            limits,
            auto_pong: true,
            head: [0; MAX_HEADER_LEN],
            head_len: 0,
            frame: None,
            message: None,
            control: ControlPayload::EMPTY,
            reply: None,
            close_received: false,
            failed: false,
            extension: None,
        }
    }

    /// Whether Pings get an automatic [`Reply::Pong`] (default true).
    pub fn set_auto_pong(&mut self, on: bool) {
        self.auto_pong = on;
    }

    /// Installs the negotiated extension (§9). Its RSV bits become legal on
    /// the first frame of a data message, and such messages are passed
    /// through [`Extension::decode_message`] before they are returned.
    /// Without an extension any RSV bit fails the connection (§5.2).
    pub fn set_extension(&mut self, extension: Box<dyn Extension>) {
        self.extension = Some(extension);
    }

    /// The limits this decoder enforces.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Decodes from `input`. Payload bytes of the data message in progress
    /// are appended (unmasked) to `message`; the caller passes the same
    /// buffer until [`Decoded::Message`] comes back, then takes it and passes
    /// an empty one. Returns how many bytes of `input` were consumed and at
    /// most one event; call again with the rest. Errors carry the close code
    /// to fail the connection with ([`crate::Error::close_code`]).
    ///
    /// Progress: `(n, None)` means all of `input` was used (`n ==
    /// input.len()`; a partial header is kept inside the decoder), so the
    /// caller reads more. An event always consumes at least one byte. So a
    /// call with non-empty input never returns `(0, _)`, and one call takes
    /// as much of a frame's payload as `input` holds.
    ///
    /// After an error the connection is over; further calls fail with
    /// [`Error::Usage`].
    pub fn decode(
        &mut self,
        input: &[u8],
        message: &mut Vec<u8>,
    ) -> Result<(usize, Option<Decoded>)> {
        if self.failed {
            return Err(Error::Usage("decode called after a fatal protocol error"));
        }
        let result = self.decode_inner(input, message);
        if result.is_err() {
            self.failed = true;
        }
        result
    }

    /// The reply the last event requires, if any (auto-pong, close echo).
    ///
    /// Only the latest is kept: if several Pings arrive before this is
    /// called, the Pong answers the most recent one, which §5.5.3 allows.
    pub fn take_reply(&mut self) -> Option<Reply> {
        self.reply.take()
    }

    /// Whether the peer's Close frame has been received.
    pub fn close_received(&self) -> bool {
        self.close_received
    }

    /// Call when the stream has ended: `Err(TruncatedFrame)` if it ended
    /// inside a frame (a header or payload partly received).
    pub fn check_eof(&self) -> Result<()> {
        if self.head_len > 0 || self.frame.is_some() {
            return Err(ProtocolViolation::TruncatedFrame.into());
        }
        Ok(())
    }

    fn decode_inner(
        &mut self,
        input: &[u8],
        message: &mut Vec<u8>,
    ) -> Result<(usize, Option<Decoded>)> {
        let mut pos = 0;
        loop {
            if self.frame.is_none() {
                if pos == input.len() {
                    return Ok((pos, None));
                }
                let (used, header) = self.read_header(&input[pos..])?;
                pos += used;
                match header {
                    Some(h) => self.begin_frame(h, message)?,
                    None => return Ok((pos, None)),
                }
            }
            pos += self.read_payload(&input[pos..], message)?;
            let finished = match &self.frame {
                Some(f) if f.remaining == 0 => self.frame.take(),
                // Input exhausted inside the payload.
                _ => return Ok((pos, None)),
            };
            if let Some(frame) = finished {
                if let Some(event) = self.end_frame(frame, message)? {
                    return Ok((pos, Some(event)));
                }
            }
        }
    }

    /// Reads a header from `input`, keeping a partial one in `self.head`.
    /// Returns the bytes used and the header once complete; it never uses
    /// bytes past the header's end.
    fn read_header(&mut self, input: &[u8]) -> Result<(usize, Option<FrameHeader>)> {
        // Fast path: the whole header is in this input.
        if self.head_len == 0 {
            if let Some((header, len)) = FrameHeader::parse(input)? {
                return Ok((len, Some(header)));
            }
        }
        let mut used = 0;
        loop {
            // First the two fixed bytes, then exactly the length they imply.
            let need = FrameHeader::needed_len(&self.head[..self.head_len]);
            let take = (need - self.head_len).min(input.len() - used);
            self.head[self.head_len..self.head_len + take]
                .copy_from_slice(&input[used..used + take]);
            self.head_len += take;
            used += take;
            // Parsing the partial header also fails fast on a reserved opcode.
            if let Some((header, _)) = FrameHeader::parse(&self.head[..self.head_len])? {
                self.head_len = 0;
                return Ok((used, Some(header)));
            }
            if used == input.len() {
                return Ok((used, None));
            }
        }
    }

    /// Validates a header against the role, the sequence of frames and the
    /// limits, then starts reading its payload.
    fn begin_frame(&mut self, h: FrameHeader, message: &mut Vec<u8>) -> Result<()> {
        // §5.5.1: after a Close "the endpoint ... MUST NOT send any more data
        // frames"; anything further is the peer's error.
        if self.close_received {
            return Err(ProtocolViolation::FrameAfterClose.into());
        }
        // §5.2: RSV bits only as a negotiated extension defines them; RFC
        // 7692 §6: only on the first frame of a data message.
        let ext_bits = match (&self.extension, h.opcode) {
            (Some(ext), Opcode::Text | Opcode::Binary) => ext.rsv_bits() & 0b111,
            _ => 0,
        };
        let bad = h.rsv_bits() & !ext_bits;
        if bad != 0 {
            return Err(ProtocolViolation::ReservedBits(bad).into());
        }
        // §5.1: clients mask, servers do not.
        match (self.role, h.mask.is_some()) {
            (Role::Server, false) => return Err(ProtocolViolation::UnmaskedFrame.into()),
            (Role::Client, true) => return Err(ProtocolViolation::MaskedFrame.into()),
            _ => {}
        }
        if h.opcode.is_control() {
            // §5.5: "All control frames MUST have a payload length of 125
            // bytes or less and MUST NOT be fragmented."
            if !h.fin {
                return Err(ProtocolViolation::FragmentedControlFrame.into());
            }
            if h.payload_len > MAX_CONTROL_PAYLOAD as u64 {
                return Err(ProtocolViolation::ControlFrameTooLong.into());
            }
            // §5.5.1: a body, if any, starts with a two-byte code.
            if h.opcode == Opcode::Close && h.payload_len == 1 {
                return Err(ProtocolViolation::InvalidClosePayload.into());
            }
            self.control = ControlPayload::EMPTY;
        } else {
            // §5.4: continuation only inside a message, Text/Binary only outside.
            match (h.opcode, self.message.is_some()) {
                (Opcode::Continuation, false) => {
                    return Err(ProtocolViolation::UnexpectedContinuation.into())
                }
                (Opcode::Text | Opcode::Binary, true) => {
                    return Err(ProtocolViolation::ExpectedContinuation.into())
                }
                _ => {}
            }
            // Limits are checked on the announced length, before any payload
            // is read or any memory reserved for it.
            if h.payload_len > self.limits.max_frame_size as u64 {
                return Err(Error::TooBig {
                    what: "frame",
                    size: h.payload_len,
                    limit: self.limits.max_frame_size as u64,
                });
            }
            let so_far = self.message.as_ref().map_or(0, |m| m.len);
            let total = so_far.saturating_add(h.payload_len);
            if total > self.limits.max_message_size as u64 {
                return Err(Error::TooBig {
                    what: "message",
                    size: total,
                    limit: self.limits.max_message_size as u64,
                });
            }
            if self.message.is_none() {
                let kind = if h.opcode == Opcode::Text {
                    MessageKind::Text
                } else {
                    MessageKind::Binary
                };
                self.message = Some(MessageState {
                    kind,
                    transformed: h.rsv_bits() & ext_bits != 0,
                    len: 0,
                    utf8: Utf8Validator::new(),
                });
            }
            // `min` with MAX_RESERVE keeps this below usize::MAX on any target.
            message.reserve(h.payload_len.min(MAX_RESERVE) as usize);
        }
        self.frame = Some(FrameState {
            opcode: h.opcode,
            fin: h.fin,
            mask: h.mask,
            remaining: h.payload_len,
            read: 0,
        });
        Ok(())
    }

    /// Takes as much of the current frame's payload from `input` as it
    /// holds; returns the bytes used.
    fn read_payload(&mut self, input: &[u8], message: &mut Vec<u8>) -> Result<usize> {
        let Some(frame) = self.frame.as_mut() else {
            return Ok(0);
        };
        // Fits in usize: it is at most input.len().
        let take = frame.remaining.min(input.len() as u64) as usize;
        let chunk = &input[..take];
        let phase = (frame.read & 3) as usize;
        if frame.opcode.is_control() {
            // At most 125 bytes in total, checked in begin_frame.
            let start = usize::from(self.control.len);
            let end = start + take;
            let dst = self
                .control
                .buf
                .get_mut(start..end)
                .ok_or(ProtocolViolation::ControlFrameTooLong)?;
            dst.copy_from_slice(chunk);
            if let Some(key) = frame.mask {
                apply_mask(dst, key, phase);
            }
            self.control.len = end as u8;
            frame.remaining -= take as u64;
            frame.read += take as u64;
        } else {
            let start = message.len();
            message.extend_from_slice(chunk);
            self.take_data(message, start)?;
        }
        Ok(take)
    }

    /// Takes `message[start..]` as the next bytes of the current data
    /// frame's payload: unmasks them in place, checks text as it goes, and
    /// counts them. The caller ensures they are at most `remaining`.
    fn take_data(&mut self, message: &mut [u8], start: usize) -> Result<()> {
        let Some(frame) = self.frame.as_mut() else {
            return Ok(());
        };
        let fresh = &mut message[start..];
        let n = fresh.len() as u64;
        if let Some(key) = frame.mask {
            apply_mask(fresh, key, (frame.read & 3) as usize);
        }
        frame.remaining -= n;
        frame.read += n;
        // begin_frame started a message for every data frame.
        if let Some(msg) = self.message.as_mut() {
            msg.len += n;
            // §8.1: fail as soon as the text is known to be invalid, not at
            // the end of the message. Transformed payload is checked after
            // the extension has undone the transformation.
            if msg.kind == MessageKind::Text && !msg.transformed {
                msg.utf8.feed(fresh)?;
            }
        }
        Ok(())
    }

    /// Payload bytes still to come in the data frame being read, or 0 when
    /// none is (between frames, in a header, in a control frame).
    ///
    /// While it is not 0, the caller may read up to that many bytes from the
    /// stream straight into the end of the message buffer and hand them over
    /// with [`Decoder::payload_read`] instead of passing them to
    /// [`Decoder::decode`]: a large message then costs no copy from a read
    /// buffer.
    pub fn payload_remaining(&self) -> u64 {
        match (&self.frame, &self.message) {
            (Some(f), Some(_)) if !self.failed && !f.opcode.is_control() => f.remaining,
            _ => 0,
        }
    }

    /// Takes `message[start..]`, which the caller read from the stream
    /// itself, as the next bytes of the current data frame's payload,
    /// exactly as [`Decoder::decode`] would have taken them; returns the
    /// message event if they complete it. At most
    /// [`Decoder::payload_remaining`] bytes, else `Error::Usage`.
    pub fn payload_read(&mut self, message: &mut Vec<u8>, start: usize) -> Result<Option<Decoded>> {
        let n = message.len().saturating_sub(start) as u64;
        if n > self.payload_remaining() {
            return Err(Error::Usage(
                "payload_read: more bytes than the frame has left",
            ));
        }
        let result = self.payload_read_inner(message, start);
        if result.is_err() {
            self.failed = true;
        }
        result
    }

    fn payload_read_inner(
        &mut self,
        message: &mut Vec<u8>,
        start: usize,
    ) -> Result<Option<Decoded>> {
        self.take_data(message, start)?;
        if self.frame.as_ref().is_some_and(|f| f.remaining == 0) {
            if let Some(frame) = self.frame.take() {
                return self.end_frame(frame, message);
            }
        }
        Ok(None)
    }

    /// Acts on a frame whose payload is complete; returns the event, if the
    /// frame ends one.
    fn end_frame(&mut self, frame: FrameState, message: &mut Vec<u8>) -> Result<Option<Decoded>> {
        match frame.opcode {
            Opcode::Ping => {
                if self.auto_pong {
                    // §5.5.2: the Pong carries the Ping's payload.
                    self.reply = Some(Reply::Pong(self.control));
                }
                Ok(Some(Decoded::Ping(self.control)))
            }
            Opcode::Pong => Ok(Some(Decoded::Pong(self.control))),
            Opcode::Close => {
                let (code, reason) = parse_close(self.control.as_slice())?;
                self.close_received = true;
                // §5.5.1: echo the status code; the reason is ours to choose
                // and is left empty.
                self.reply = Some(Reply::Close(code, ControlPayload::EMPTY));
                Ok(Some(Decoded::Close(code, reason)))
            }
            Opcode::Continuation | Opcode::Text | Opcode::Binary => {
                if !frame.fin {
                    return Ok(None);
                }
                let Some(mut msg) = self.message.take() else {
                    // begin_frame started a message for every data frame.
                    return Err(ProtocolViolation::UnexpectedContinuation.into());
                };
                if msg.transformed {
                    self.untransform(message)?;
                    if msg.kind == MessageKind::Text && std::str::from_utf8(message).is_err() {
                        return Err(Error::InvalidUtf8);
                    }
                } else if msg.kind == MessageKind::Text {
                    // §8.1: a text may not end inside a code point.
                    msg.utf8.finish()?;
                }
                Ok(Some(Decoded::Message(msg.kind)))
            }
        }
    }

    /// Runs the extension over a transformed message and re-checks the
    /// message limit on its output.
    fn untransform(&mut self, message: &mut Vec<u8>) -> Result<()> {
        let limit = self.limits.max_message_size;
        let Some(ext) = self.extension.as_mut() else {
            // RSV bits were only accepted because an extension is installed.
            return Err(ProtocolViolation::ReservedBits(0b100).into());
        };
        ext.decode_message(message, limit)?;
        if message.len() > limit {
            return Err(Error::TooBig {
                what: "message",
                size: message.len() as u64,
                limit: limit as u64,
            });
        }
        Ok(())
    }
}

/// Splits a Close payload into code and reason (§5.5.1) and checks both
/// (§7.4 for the code, §8.1 for the reason's UTF-8). The one-byte case was
/// rejected from the header.
fn parse_close(payload: &[u8]) -> Result<(Option<CloseCode>, ControlPayload)> {
    let [hi, lo, reason @ ..] = payload else {
        return Ok((None, ControlPayload::EMPTY));
    };
    let code = CloseCode(u16::from_be_bytes([*hi, *lo]));
    if !code.is_allowed_on_wire() {
        return Err(ProtocolViolation::InvalidCloseCode(code.0).into());
    }
    if std::str::from_utf8(reason).is_err() {
        return Err(Error::InvalidUtf8);
    }
    let reason = ControlPayload::new(reason).ok_or(ProtocolViolation::ControlFrameTooLong)?;
    Ok((Some(code), reason))
}

impl fmt::Debug for Decoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decoder")
            .field("role", &self.role)
            .field("limits", &self.limits)
            .field("auto_pong", &self.auto_pong)
            .field("frame", &self.frame)
            .field("message", &self.message)
            .field("close_received", &self.close_received)
            .field("failed", &self.failed)
            .field(
                "extension",
                &self.extension.as_ref().map(|e| e.name().to_owned()),
            )
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::frame::RSV1;

    const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

    /// A raw frame as `sender` would put it on the wire: masked with a
    /// fixed key when the sender is a client. Built by hand (not through the
    /// Encoder) so tests can write frames the Encoder refuses to.
    fn raw(sender: Role, opcode: u8, fin: bool, rsv: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![(u8::from(fin) << 7) | (rsv << 4) | opcode];
        let mask_bit = if sender == Role::Client { 0x80 } else { 0 };
        match payload.len() {
            n @ 0..=125 => out.push(mask_bit | n as u8),
            n @ 126..=0xffff => {
                out.push(mask_bit | 126);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                out.push(mask_bit | 127);
                out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        let start = out.len();
        if sender == Role::Client {
            out.extend_from_slice(&KEY);
        }
        let body = out.len();
        out.extend_from_slice(payload);
        if sender == Role::Client {
            apply_mask(&mut out[body..], KEY, 0);
        }
        debug_assert!(start <= body);
        out
    }

    /// Frames from the peer of `receiver`.
    fn from_peer(receiver: Role, opcode: u8, fin: bool, payload: &[u8]) -> Vec<u8> {
        let sender = if receiver == Role::Server {
            Role::Client
        } else {
            Role::Server
        };
        raw(sender, opcode, fin, 0, payload)
    }

    /// A decoded event with its data copied out, for comparisons.
    #[derive(Debug, PartialEq, Eq)]
    enum Ev {
        Msg(MessageKind, Vec<u8>),
        Ping(Vec<u8>),
        Pong(Vec<u8>),
        Close(Option<u16>, Vec<u8>),
    }

    /// Feeds `input` in pieces of `step` bytes, checking the progress
    /// contract on every call. Returns the events, or the error and the
    /// stream offset of the piece that caused it.
    fn feed(
        dec: &mut Decoder,
        input: &[u8],
        step: usize,
    ) -> std::result::Result<Vec<Ev>, (Error, usize)> {
        let mut events = Vec::new();
        let mut message = Vec::new();
        for (i, piece) in input.chunks(step.max(1)).enumerate() {
            let mut pos = 0;
            // Each call consumes at least one byte, so this is bounded.
            for _ in 0..=piece.len() {
                if pos == piece.len() {
                    break;
                }
                let (n, ev) = dec
                    .decode(&piece[pos..], &mut message)
                    .map_err(|e| (e, i * step + pos))?;
                assert!(n > 0, "no progress on non-empty input");
                pos += n;
                match ev {
                    None => assert_eq!(pos, piece.len(), "(n, None) must consume everything"),
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
            assert_eq!(pos, piece.len());
        }
        Ok(events)
    }

    fn server() -> Decoder {
        Decoder::new(Role::Server, Limits::default())
    }

    fn client() -> Decoder {
        Decoder::new(Role::Client, Limits::default())
    }

    /// The error `input` fails with, fed whole.
    fn error_of(mut dec: Decoder, input: &[u8]) -> Error {
        match feed(&mut dec, input, input.len()) {
            Err((e, _)) => e,
            Ok(events) => panic!("expected an error, got {events:?}"),
        }
    }

    fn assert_violation(err: Error, expected: ProtocolViolation) {
        assert_eq!(err.close_code(), Some(CloseCode::PROTOCOL_ERROR), "{err:?}");
        assert!(
            matches!(err, Error::Protocol(v) if v == expected),
            "expected {expected:?}, got {err:?}"
        );
    }

    // RFC 6455 §5.2: payloads at the 7/16/64-bit length boundaries decode in
    // both roles, whole and one byte at a time.
    #[test]
    fn rfc6455_5_2_all_length_forms_both_roles() {
        for role in [Role::Server, Role::Client] {
            for len in [0usize, 125, 126, 65_535, 65_536] {
                let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
                let wire = from_peer(role, 0x2, true, &payload);
                let expected = vec![Ev::Msg(MessageKind::Binary, payload.clone())];
                assert_eq!(
                    feed(
                        &mut Decoder::new(role, Limits::default()),
                        &wire,
                        wire.len()
                    )
                    .unwrap(),
                    expected
                );
                if len <= 126 {
                    assert_eq!(
                        feed(&mut Decoder::new(role, Limits::default()), &wire, 1).unwrap(),
                        expected
                    );
                }
            }
        }
    }

    // RFC 6455 §5.2: a 64-bit length with the top bit set fails with 1002.
    #[test]
    fn rfc6455_5_2_top_bit_length_rejected() {
        let wire = [0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 5];
        assert_violation(error_of(client(), &wire), ProtocolViolation::InvalidLength);
    }

    // RFC 6455 §5.2: reserved opcodes fail with 1002, from the first byte.
    #[test]
    fn rfc6455_5_2_reserved_opcodes() {
        for op in (0x3..=0x7).chain(0xB..=0xF) {
            let mut dec = server();
            let err = dec.decode(&[0x80 | op], &mut Vec::new()).unwrap_err();
            assert_violation(err, ProtocolViolation::ReservedOpcode(op));
        }
    }

    // RFC 6455 §5.2: RSV bits without a negotiated extension fail with 1002.
    #[test]
    fn rfc6455_5_2_rsv_bits_without_extension() {
        for rsv in 1..8u8 {
            for opcode in [0x1, 0x2, 0x9] {
                let wire = raw(Role::Server, opcode, true, rsv, b"x");
                assert_violation(
                    error_of(client(), &wire),
                    ProtocolViolation::ReservedBits(rsv),
                );
            }
        }
    }

    // RFC 6455 §5.1: a server must fail on an unmasked frame, a client on a
    // masked one (1002).
    #[test]
    fn rfc6455_5_1_masking_per_role() {
        let unmasked = raw(Role::Server, 0x1, true, 0, b"hi");
        assert_violation(
            error_of(server(), &unmasked),
            ProtocolViolation::UnmaskedFrame,
        );
        let masked = raw(Role::Client, 0x1, true, 0, b"hi");
        assert_violation(error_of(client(), &masked), ProtocolViolation::MaskedFrame);
        // Control frames follow the same rule.
        let ping = raw(Role::Server, 0x9, true, 0, b"");
        assert_violation(error_of(server(), &ping), ProtocolViolation::UnmaskedFrame);
    }

    // RFC 6455 §5.4: a fragmented message with a Ping between fragments
    // (Autobahn 5.6): the Ping is delivered first, the message after its
    // last fragment, and the Ping payload never enters the message.
    #[test]
    fn rfc6455_5_4_fragments_with_interleaved_ping() {
        let mut wire = from_peer(Role::Server, 0x1, false, b"frag");
        wire.extend(from_peer(Role::Server, 0x9, true, b"ping!"));
        wire.extend(from_peer(Role::Server, 0x0, false, b"men"));
        wire.extend(from_peer(Role::Server, 0x0, true, b"ted"));
        let mut dec = server();
        let events = feed(&mut dec, &wire, wire.len()).unwrap();
        assert_eq!(
            events,
            vec![
                Ev::Ping(b"ping!".to_vec()),
                Ev::Msg(MessageKind::Text, b"fragmented".to_vec())
            ]
        );
        // §5.5.2: the auto-pong echoes the payload.
        assert_eq!(
            dec.take_reply(),
            Some(Reply::Pong(ControlPayload::new(b"ping!").unwrap()))
        );
        assert_eq!(dec.take_reply(), None);
    }

    // RFC 6455 §5.4: continuation without a started message.
    #[test]
    fn rfc6455_5_4_unexpected_continuation() {
        let wire = from_peer(Role::Client, 0x0, true, b"x");
        assert_violation(
            error_of(client(), &wire),
            ProtocolViolation::UnexpectedContinuation,
        );
        // Also after a message has been completed.
        let mut wire = from_peer(Role::Client, 0x2, true, b"done");
        wire.extend(from_peer(Role::Client, 0x0, true, b"x"));
        assert_violation(
            error_of(client(), &wire),
            ProtocolViolation::UnexpectedContinuation,
        );
    }

    // RFC 6455 §5.4: a new Text/Binary frame inside a fragmented message.
    #[test]
    fn rfc6455_5_4_expected_continuation() {
        for second in [0x1, 0x2] {
            let mut wire = from_peer(Role::Client, 0x2, false, b"a");
            wire.extend(from_peer(Role::Client, second, true, b"b"));
            assert_violation(
                error_of(client(), &wire),
                ProtocolViolation::ExpectedContinuation,
            );
        }
    }

    // RFC 6455 §5.5: control frames are at most 125 bytes and not fragmented.
    #[test]
    fn rfc6455_5_5_control_frame_limits() {
        let ok = from_peer(Role::Client, 0x9, true, &[1; 125]);
        assert_eq!(
            feed(&mut client(), &ok, 7).unwrap(),
            vec![Ev::Ping(vec![1; 125])]
        );
        for opcode in [0x8, 0x9, 0xA] {
            let long = from_peer(Role::Client, opcode, true, &[1; 126]);
            assert_violation(
                error_of(client(), &long),
                ProtocolViolation::ControlFrameTooLong,
            );
            let fragmented = from_peer(Role::Client, opcode, false, b"");
            assert_violation(
                error_of(client(), &fragmented),
                ProtocolViolation::FragmentedControlFrame,
            );
        }
        // Rejected from the header, before the oversized payload arrives.
        let long = from_peer(Role::Client, 0x9, true, &[1; 126]);
        let err = client().decode(&long[..4], &mut Vec::new()).unwrap_err();
        assert_violation(err, ProtocolViolation::ControlFrameTooLong);
    }

    // RFC 6455 §5.5.2 / §5.5.3: Pongs are delivered and never answered; auto-pong can be off.
    #[test]
    fn rfc6455_5_5_pong_and_auto_pong_off() {
        let mut dec = server();
        let wire = from_peer(Role::Server, 0xA, true, b"unsolicited");
        assert_eq!(
            feed(&mut dec, &wire, 3).unwrap(),
            vec![Ev::Pong(b"unsolicited".to_vec())]
        );
        assert_eq!(dec.take_reply(), None);

        let mut dec = server();
        dec.set_auto_pong(false);
        let wire = from_peer(Role::Server, 0x9, true, b"p");
        assert_eq!(
            feed(&mut dec, &wire, 100).unwrap(),
            vec![Ev::Ping(b"p".to_vec())]
        );
        assert_eq!(dec.take_reply(), None);
    }

    // RFC 6455 §5.6 / §8.1: a code point split across fragments, with the
    // stream fed one byte at a time (so also split across decode calls).
    #[test]
    fn rfc6455_5_6_utf8_split_across_fragments_and_reads() {
        let text = "κόσμε€😀".as_bytes();
        for cut in 1..text.len() {
            let mut wire = from_peer(Role::Server, 0x1, false, &text[..cut]);
            wire.extend(from_peer(Role::Server, 0x0, true, &text[cut..]));
            let expected = vec![Ev::Msg(MessageKind::Text, text.to_vec())];
            assert_eq!(
                feed(&mut server(), &wire, 1).unwrap(),
                expected,
                "cut {cut}"
            );
            assert_eq!(
                feed(&mut server(), &wire, wire.len()).unwrap(),
                expected,
                "cut {cut}"
            );
        }
    }

    // RFC 6455 §8.1, Autobahn 6.4.1: invalid UTF-8 fails (1007) as soon as
    // it is seen, in an unfinished frame of an unfinished message.
    #[test]
    fn rfc6455_8_1_fail_fast_before_fin() {
        let bad = [
            0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCE, 0xBC, 0xCE, 0xB5, 0xED, 0xA0, 0x80,
        ];
        let mut payload = bad.to_vec();
        payload.extend_from_slice(&[b'a'; 100]);
        // FIN clear, and the stream stops long before the frame ends.
        let wire = from_peer(Role::Server, 0x1, false, &payload);
        let header_len = wire.len() - payload.len();
        let mut dec = server();
        let (err, offset) = feed(&mut dec, &wire[..header_len + 20], 1).unwrap_err();
        assert_eq!(err.close_code(), Some(CloseCode::INVALID_PAYLOAD));
        assert!(matches!(err, Error::InvalidUtf8));
        // Fails on the A0 after ED: payload byte 10.
        assert_eq!(offset, header_len + 10);
    }

    // RFC 3629 via §8.1: overlong forms, surrogates and code points above
    // U+10FFFF are invalid text (1007).
    #[test]
    fn rfc6455_8_1_invalid_sequences_in_text() {
        let cases: [&[u8]; 6] = [
            &[0xC0, 0xAF],             // overlong '/'
            &[0xE0, 0x80, 0xAF],       // overlong '/'
            &[0xED, 0xBF, 0xBF],       // surrogate U+DFFF
            &[0xF4, 0x90, 0x80, 0x80], // U+110000
            &[0xF8, 0x88, 0x80, 0x80], // 5-byte form
            &[0x80],                   // lone continuation
        ];
        for bad in cases {
            for step in [1, 100] {
                let wire = from_peer(Role::Client, 0x1, true, bad);
                let (err, _) = feed(&mut client(), &wire, step).unwrap_err();
                assert_eq!(
                    err.close_code(),
                    Some(CloseCode::INVALID_PAYLOAD),
                    "{bad:x?}"
                );
            }
        }
        // Binary messages are not text: the same bytes are fine.
        let wire = from_peer(Role::Client, 0x2, true, &[0xED, 0xA0, 0x80]);
        assert!(feed(&mut client(), &wire, 1).is_ok());
    }

    // RFC 6455 §8.1: a text message ending inside a code point (1007).
    #[test]
    fn rfc6455_8_1_incomplete_code_point_at_message_end() {
        let mut wire = from_peer(Role::Client, 0x1, false, b"ok");
        wire.extend(from_peer(Role::Client, 0x0, true, &[0xE2, 0x82]));
        let err = error_of(client(), &wire);
        assert!(matches!(err, Error::InvalidUtf8));
        assert_eq!(err.close_code(), Some(CloseCode::INVALID_PAYLOAD));
    }

    // RFC 6455 §5.5.1: close payloads: empty, code only, code + reason.
    #[test]
    fn rfc6455_5_5_1_valid_close_frames_and_echo() {
        let mut dec = server();
        let wire = from_peer(Role::Server, 0x8, true, b"");
        assert_eq!(
            feed(&mut dec, &wire, 1).unwrap(),
            vec![Ev::Close(None, vec![])]
        );
        assert!(dec.close_received());
        assert_eq!(
            dec.take_reply(),
            Some(Reply::Close(None, ControlPayload::EMPTY))
        );

        for code in [1000u16, 1003, 1007, 1014, 3000, 4999] {
            let mut payload = code.to_be_bytes().to_vec();
            payload.extend_from_slice("bye ✓".as_bytes());
            let mut dec = client();
            let wire = from_peer(Role::Client, 0x8, true, &payload);
            assert_eq!(
                feed(&mut dec, &wire, 2).unwrap(),
                vec![Ev::Close(Some(code), "bye ✓".as_bytes().to_vec())]
            );
            assert_eq!(
                dec.take_reply(),
                Some(Reply::Close(Some(CloseCode(code)), ControlPayload::EMPTY))
            );
        }
    }

    // RFC 6455 §5.5.1: a one-byte close payload cannot hold a code (1002).
    #[test]
    fn rfc6455_5_5_1_one_byte_close_payload() {
        let wire = from_peer(Role::Client, 0x8, true, &[0x03]);
        assert_violation(
            error_of(client(), &wire),
            ProtocolViolation::InvalidClosePayload,
        );
    }

    // RFC 6455 §7.4: codes peers may not send fail with 1002.
    #[test]
    fn rfc6455_7_4_invalid_close_codes() {
        for code in [0u16, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535] {
            let wire = from_peer(Role::Client, 0x8, true, &code.to_be_bytes());
            assert_violation(
                error_of(client(), &wire),
                ProtocolViolation::InvalidCloseCode(code),
            );
        }
    }

    // RFC 6455 §5.5.1 / §8.1: a close reason that is not UTF-8 fails with 1007.
    #[test]
    fn rfc6455_5_5_1_close_reason_invalid_utf8() {
        let wire = from_peer(Role::Client, 0x8, true, &[0x03, 0xE8, 0xFF, 0xFE]);
        let err = error_of(client(), &wire);
        assert!(matches!(err, Error::InvalidUtf8));
        assert_eq!(err.close_code(), Some(CloseCode::INVALID_PAYLOAD));
    }

    // RFC 6455 §5.5.1: nothing may follow the peer's Close.
    #[test]
    fn rfc6455_5_5_1_frame_after_close() {
        for next in [0x1, 0x9, 0x8] {
            let mut wire = from_peer(Role::Client, 0x8, true, &1000u16.to_be_bytes());
            wire.extend(from_peer(Role::Client, next, true, b""));
            let mut dec = client();
            let (err, _) = feed(&mut dec, &wire, wire.len()).unwrap_err();
            assert_violation(err, ProtocolViolation::FrameAfterClose);
            assert!(dec.close_received());
        }
    }

    // RFC 6455 §10.4: a frame over max_frame_size fails with 1009 from its
    // header alone.
    #[test]
    fn rfc6455_10_4_frame_too_big_from_header() {
        let limits = Limits {
            max_frame_size: 100,
            max_message_size: 1000,
        };
        let wire = from_peer(Role::Client, 0x2, true, &[0; 101]);
        let mut dec = Decoder::new(Role::Client, limits);
        let err = dec.decode(&wire[..2], &mut Vec::new()).unwrap_err();
        assert_eq!(err.close_code(), Some(CloseCode::MESSAGE_TOO_BIG));
        assert!(
            matches!(
                err,
                Error::TooBig {
                    what: "frame",
                    size: 101,
                    limit: 100
                }
            ),
            "{err:?}"
        );
        // Exactly at the limit is fine.
        let wire = from_peer(Role::Client, 0x2, true, &[0; 100]);
        assert!(feed(&mut Decoder::new(Role::Client, limits), &wire, 9).is_ok());
    }

    // RFC 6455 §10.4: the reassembled message limit counts the announced
    // length of each new fragment (1009).
    #[test]
    fn rfc6455_10_4_message_too_big_across_fragments() {
        let limits = Limits {
            max_frame_size: 100,
            max_message_size: 150,
        };
        let mut wire = from_peer(Role::Client, 0x2, false, &[0; 100]);
        wire.extend(from_peer(Role::Client, 0x0, true, &[0; 50]));
        assert!(feed(&mut Decoder::new(Role::Client, limits), &wire, 64).is_ok());

        let mut wire = from_peer(Role::Client, 0x2, false, &[0; 100]);
        let second = from_peer(Role::Client, 0x0, true, &[0; 51]);
        wire.extend_from_slice(&second[..2]); // only the header of the second
        let err = error_of(Decoder::new(Role::Client, limits), &wire);
        assert!(
            matches!(
                err,
                Error::TooBig {
                    what: "message",
                    size: 151,
                    limit: 150
                }
            ),
            "{err:?}"
        );
        assert_eq!(err.close_code(), Some(CloseCode::MESSAGE_TOO_BIG));
    }

    // RFC 6455 §10.4: an announced 2^62-byte frame fails at once and
    // nothing is allocated for it.
    #[test]
    fn rfc6455_10_4_huge_announced_length() {
        let mut wire = vec![0x82, 127];
        wire.extend_from_slice(&(1u64 << 62).to_be_bytes());
        let mut message = Vec::new();
        let err = client().decode(&wire, &mut message).unwrap_err();
        assert!(
            matches!(err, Error::TooBig { what: "frame", .. }),
            "{err:?}"
        );
        assert_eq!(message.capacity(), 0);
    }

    // With no effective limits, an announced 1 GiB frame reserves at most
    // 64 KiB: memory follows the bytes that actually arrive.
    #[test]
    fn announced_length_is_not_allocated_up_front() {
        let limits = Limits {
            max_frame_size: usize::MAX,
            max_message_size: usize::MAX,
        };
        let mut dec = Decoder::new(Role::Client, limits);
        let mut wire = vec![0x82, 127];
        wire.extend_from_slice(&(1u64 << 30).to_be_bytes());
        wire.extend_from_slice(b"first bytes");
        let mut message = Vec::new();
        assert_eq!(dec.decode(&wire, &mut message).unwrap(), (wire.len(), None));
        assert_eq!(message, b"first bytes");
        assert!(
            message.capacity() <= MAX_RESERVE as usize,
            "capacity {}",
            message.capacity()
        );
        // The stream ending now is a truncated frame.
        assert_violation(
            dec.check_eof().unwrap_err(),
            ProtocolViolation::TruncatedFrame,
        );
    }

    // Truncation is reported inside a header too, and not between frames.
    #[test]
    fn check_eof_reports_truncated_frames() {
        let mut dec = server();
        assert!(dec.check_eof().is_ok());
        let wire = from_peer(Role::Server, 0x2, true, b"abc");
        dec.decode(&wire[..3], &mut Vec::new()).unwrap();
        assert!(dec.check_eof().is_err());
        let mut msg = Vec::new();
        assert_eq!(
            dec.decode(&wire[3..], &mut msg).unwrap().1,
            Some(Decoded::Message(MessageKind::Binary))
        );
        assert!(dec.check_eof().is_ok());
    }

    // After a fatal error the decoder refuses further input instead of
    // guessing at a state.
    #[test]
    fn decoder_is_unusable_after_an_error() {
        let mut dec = client();
        assert!(dec.decode(&[0x83], &mut Vec::new()).is_err());
        let wire = from_peer(Role::Client, 0x2, true, b"ok");
        assert!(matches!(
            dec.decode(&wire, &mut Vec::new()),
            Err(Error::Usage(_))
        ));
    }

    use crate::protocol::round_trip_tests::Reverse;

    // RFC 7692 §6: with an extension claiming RSV1, RSV1 on the first frame
    // marks a transformed message; fragments are reassembled first, and
    // text is validated after the transformation is undone (the reversed
    // bytes of "héllo" are not UTF-8 on the wire).
    #[test]
    fn rfc7692_6_rsv1_on_first_frame_is_transformed() {
        let text = "héllo wörld";
        let mut reversed = text.as_bytes().to_vec();
        reversed.reverse();
        let mut wire = raw(Role::Client, 0x1, false, RSV1, &reversed[..5]);
        wire.extend(raw(Role::Client, 0x9, true, 0, b"p"));
        wire.extend(raw(Role::Client, 0x0, true, 0, &reversed[5..]));
        // An uncompressed message next to it passes through untouched.
        wire.extend(raw(Role::Client, 0x2, true, 0, b"plain"));
        for step in [1, wire.len()] {
            let mut dec = server();
            dec.set_extension(Box::new(Reverse));
            assert_eq!(
                feed(&mut dec, &wire, step).unwrap(),
                vec![
                    Ev::Ping(b"p".to_vec()),
                    Ev::Msg(MessageKind::Text, text.as_bytes().to_vec()),
                    Ev::Msg(MessageKind::Binary, b"plain".to_vec()),
                ]
            );
        }
    }

    // RFC 7692 §6.1: RSV1 on a continuation or control frame is still a
    // protocol error, and RSV2/RSV3 stay reserved.
    #[test]
    fn rfc7692_6_1_rsv1_only_on_first_data_frame() {
        let with_ext = || {
            let mut dec = server();
            dec.set_extension(Box::new(Reverse));
            dec
        };
        let mut wire = raw(Role::Client, 0x2, false, RSV1, b"a");
        wire.extend(raw(Role::Client, 0x0, true, RSV1, b"b"));
        assert_violation(
            error_of(with_ext(), &wire),
            ProtocolViolation::ReservedBits(RSV1),
        );

        let ping = raw(Role::Client, 0x9, true, RSV1, b"");
        assert_violation(
            error_of(with_ext(), &ping),
            ProtocolViolation::ReservedBits(RSV1),
        );

        let rsv2 = raw(Role::Client, 0x2, true, RSV1 | 0b010, b"x");
        assert_violation(
            error_of(with_ext(), &rsv2),
            ProtocolViolation::ReservedBits(0b010),
        );
    }

    // A transformed text that is invalid once untransformed fails with 1007.
    #[test]
    fn rfc7692_invalid_text_after_transform() {
        let mut dec = server();
        dec.set_extension(Box::new(Reverse));
        let wire = raw(Role::Client, 0x1, true, RSV1, &[0x82, 0xE2]); // reversed: E2 82 (truncated €)
        let (err, _) = feed(&mut dec, &wire, 1).unwrap_err();
        assert_eq!(err.close_code(), Some(CloseCode::INVALID_PAYLOAD));
    }

    /// Decodes `input` the way the engine's receive thread does: reads of at
    /// most `step` bytes, into the message buffer directly whenever a data
    /// frame's payload is being read and nothing is buffered.
    fn feed_direct(dec: &mut Decoder, input: &[u8], step: usize) -> Result<Vec<Ev>> {
        fn ev_of(d: Decoded, message: &mut Vec<u8>) -> Ev {
            match d {
                Decoded::Message(kind) => Ev::Msg(kind, std::mem::take(message)),
                Decoded::Ping(p) => Ev::Ping(p.as_slice().to_vec()),
                Decoded::Pong(p) => Ev::Pong(p.as_slice().to_vec()),
                Decoded::Close(c, r) => Ev::Close(c.map(|c| c.0), r.as_slice().to_vec()),
            }
        }
        let (mut events, mut message, mut at) = (Vec::new(), Vec::new(), 0);
        while at < input.len() {
            let remaining = dec.payload_remaining() as usize;
            let n = step.min(input.len() - at);
            if remaining > 0 {
                let n = n.min(remaining);
                let start = message.len();
                message.extend_from_slice(&input[at..at + n]);
                at += n;
                if let Some(d) = dec.payload_read(&mut message, start)? {
                    events.push(ev_of(d, &mut message));
                }
                continue;
            }
            let mut piece = &input[at..at + n];
            at += n;
            while !piece.is_empty() {
                let (used, d) = dec.decode(piece, &mut message)?;
                piece = &piece[used..];
                if let Some(d) = d {
                    events.push(ev_of(d, &mut message));
                }
            }
        }
        Ok(events)
    }

    #[test]
    fn payload_read_directly_into_the_message_decodes_as_decode_does() {
        // §5.4 fragments, §5.5 a control frame between them, §5.3 masking (a
        // server reading a client), and text split inside code points.
        let text = "Grüße, 世界! ".repeat(300);
        let bytes = text.as_bytes();
        let big: Vec<u8> = (0..70_000u32).map(|i| (i * 31 % 251) as u8).collect();
        for role in [Role::Client, Role::Server] {
            let mut input = from_peer(role, 0x2, true, &big);
            input.extend(from_peer(role, 0x1, false, &bytes[..1001]));
            input.extend(from_peer(role, 0x9, true, b"ping"));
            input.extend(from_peer(role, 0x0, true, &bytes[1001..]));
            input.extend(from_peer(role, 0x2, true, b""));
            for step in [1, 7, 4096, 65_536, usize::MAX] {
                let direct = feed_direct(&mut Decoder::new(role, Limits::default()), &input, step)
                    .expect("valid input");
                let plain = feed(
                    &mut Decoder::new(role, Limits::default()),
                    &input,
                    step.min(1 << 20),
                )
                .expect("valid input");
                assert_eq!(direct, plain, "{role:?}, reads of {step}");
                assert_eq!(plain.len(), 4);
            }
        }
    }

    #[test]
    fn payload_read_fails_fast_on_invalid_utf8_and_refuses_too_many_bytes() {
        // §8.1: invalid text fails as soon as it is seen, however it arrived.
        let mut bad = vec![b'a'; 3000];
        bad[10] = 0xff;
        let input = from_peer(Role::Client, 0x1, true, &bad);
        let mut dec = Decoder::new(Role::Client, Limits::default());
        let mut message = Vec::new();
        let (used, ev) = dec.decode(&input[..4], &mut message).unwrap();
        assert_eq!((used, ev), (4, None));
        assert_eq!(dec.payload_remaining(), 3000);
        message.extend_from_slice(&input[4..100]);
        assert!(matches!(
            dec.payload_read(&mut message, 0),
            Err(Error::InvalidUtf8)
        ));
        assert_eq!(
            dec.payload_remaining(),
            0,
            "nothing more after a fatal error"
        );

        let input = from_peer(Role::Client, 0x2, true, &[1, 2, 3]);
        let mut dec = Decoder::new(Role::Client, Limits::default());
        let mut message = Vec::new();
        dec.decode(&input[..2], &mut message).unwrap();
        message.extend_from_slice(&[1, 2, 3, 4]);
        assert!(matches!(
            dec.payload_read(&mut message, 0),
            Err(Error::Usage(_))
        ));
    }

    #[test]
    fn payload_remaining_is_zero_outside_data_payload() {
        let mut dec = Decoder::new(Role::Client, Limits::default());
        let mut message = Vec::new();
        assert_eq!(dec.payload_remaining(), 0, "before any frame");
        let ping = from_peer(Role::Client, 0x9, true, b"abc");
        dec.decode(&ping[..3], &mut message).unwrap();
        assert_eq!(dec.payload_remaining(), 0, "inside a control frame");
        dec.decode(&ping[3..], &mut message).unwrap();
        let data = from_peer(Role::Client, 0x2, true, &[9; 200]);
        dec.decode(&data[..2], &mut message).unwrap();
        assert_eq!(dec.payload_remaining(), 0, "inside a header");
        dec.decode(&data[2..10], &mut message).unwrap();
        assert_eq!(dec.payload_remaining(), 200 - 6);
    }
}
