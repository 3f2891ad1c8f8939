//! The send half: frames written into caller buffers (§5.2, §5.3).

use super::frame::{apply_mask, extend_masked, FrameHeader, Opcode, MAX_HEADER_LEN};
use super::{Role, MAX_CONTROL_PAYLOAD};
use crate::close_code::CloseCode;
use crate::error::{Error, Result};
use crate::extensions::Extension;
use crate::message::MessageKind;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use std::fmt;

/// Longest close reason: 125 bytes of control payload minus the 2-byte code.
const MAX_CLOSE_REASON: usize = MAX_CONTROL_PAYLOAD - 2;

/// Writes frames; masks them with a fresh random key when the role is Client.
///
/// The encoder never validates sequencing (e.g. that Continuation frames
/// follow a started message): that is the sender's state, and the methods
/// that build frames from raw opcodes say so.
pub struct Encoder {
    role: Role,
    /// Source of masking keys. §10.3 requires keys a proxy cannot predict,
    /// so this is a CSPRNG (ChaCha) seeded from the OS, not a counter.
    rng: StdRng,
    extension: Option<Box<dyn Extension>>,
    /// Scratch buffer for extension output, reused between messages.
    scratch: Vec<u8>,
}

impl Encoder {
    /// An encoder for our `role`.
    pub fn new(role: Role) -> Self {
        Encoder {
            role,
            rng: StdRng::from_entropy(),
            extension: None,
            scratch: Vec::new(),
        }
    }

    /// Installs the negotiated extension (§9). [`Encoder::encode_message`]
    /// runs every message through it and sets its RSV bits when it
    /// transformed the payload; the raw-frame methods bypass it.
    pub fn set_extension(&mut self, extension: Box<dyn Extension>) {
        self.extension = Some(extension);
    }

    /// Whether an extension is installed, i.e. [`Encoder::encode_message`]
    /// may change payloads, so the in-place path must not be used for data.
    pub fn has_extension(&self) -> bool {
        self.extension.is_some()
    }

    /// Appends one unfragmented data message to `out`, transformed by the
    /// negotiated extension if there is one.
    ///
    /// If the extension fails, this message and all later ones are sent
    /// untransformed (without RSV bits): the extension is dropped, because
    /// its state (e.g. a compressor's shared window) may no longer match
    /// the peer's, while an untransformed message is always valid.
    pub fn encode_message(&mut self, kind: MessageKind, payload: &[u8], out: &mut Vec<u8>) {
        let opcode = Opcode::from(kind);
        if let Some(ext) = self.extension.as_mut() {
            let mut scratch = std::mem::take(&mut self.scratch);
            scratch.clear();
            scratch.extend_from_slice(payload);
            let rsv = ext.rsv_bits();
            let transformed = ext.encode_message(&mut scratch);
            if transformed.is_err() {
                self.extension = None;
            }
            if let Ok(true) = transformed {
                self.encode_frame_rsv(opcode, true, rsv, &scratch, out);
                self.scratch = scratch;
                return;
            }
            self.scratch = scratch;
        }
        self.encode_frame_rsv(opcode, true, 0, payload, out);
    }

    /// Appends only the header of a frame carrying `payload_len` bytes and
    /// returns its masking key (a client's fresh one, §5.3; `None` for a
    /// server): for a sender that streams a large payload after it,
    /// masked with [`super::frame::apply_mask`] from the right offset, in
    /// pieces of its own choosing. No extension is applied.
    pub fn encode_header(
        &mut self,
        opcode: Opcode,
        fin: bool,
        payload_len: u64,
        out: &mut Vec<u8>,
    ) -> Option<[u8; 4]> {
        let mut header = FrameHeader::new(opcode, fin, payload_len);
        header.mask = self.next_mask();
        header.write_to(out);
        header.mask
    }

    /// Appends one frame with the given opcode and FIN bit to `out`
    /// (fragmentation: first frame Text/Binary, then Continuation).
    pub fn encode_frame(&mut self, opcode: Opcode, fin: bool, payload: &[u8], out: &mut Vec<u8>) {
        self.encode_frame_rsv(opcode, fin, 0, payload, out);
    }

    /// Like [`Encoder::encode_frame`], with RSV bits (three-bit value, RSV1 =
    /// `0b100`) for an extension that transformed the payload itself, e.g. a
    /// compressed message sent in fragments (RSV1 on the first frame only,
    /// RFC 7692 §6.1).
    pub fn encode_frame_rsv(
        &mut self,
        opcode: Opcode,
        fin: bool,
        rsv: u8,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) {
        let mut header = FrameHeader::new(opcode, fin, payload.len() as u64);
        header.set_rsv_bits(rsv);
        header.mask = self.next_mask();
        out.reserve(header.encoded_len() + payload.len());
        header.write_to(out);
        match header.mask {
            Some(key) => extend_masked(out, payload, key),
            None => out.extend_from_slice(payload),
        }
    }

    /// Appends a Ping or Pong; `Err(Usage)` if payload > 125 bytes or opcode not Ping/Pong.
    pub fn encode_control(
        &mut self,
        opcode: Opcode,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        if !matches!(opcode, Opcode::Ping | Opcode::Pong) {
            return Err(Error::Usage(
                "encode_control takes Ping or Pong; use encode_close for Close",
            ));
        }
        // §5.5: control payloads are at most 125 bytes.
        if payload.len() > MAX_CONTROL_PAYLOAD {
            return Err(Error::Usage("ping/pong payload over 125 bytes"));
        }
        self.encode_frame(opcode, true, payload, out);
        Ok(())
    }

    /// Appends a Close frame. `None` sends an empty payload. `Err(Usage)` for a
    /// code not allowed on the wire or a reason over 123 bytes.
    ///
    /// 1005, 1006 and 1015 describe local conditions and are refused (§7.4.1);
    /// a reason without a code is refused because the reason follows the
    /// code on the wire (§5.5.1).
    pub fn encode_close(
        &mut self,
        code: Option<CloseCode>,
        reason: &str,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let mut payload = [0u8; MAX_CONTROL_PAYLOAD];
        let len = match code {
            None if reason.is_empty() => 0,
            None => return Err(Error::Usage("a close reason needs a close code")),
            Some(code) => {
                if !code.is_allowed_on_wire() {
                    return Err(Error::Usage("close code not allowed on the wire"));
                }
                if reason.len() > MAX_CLOSE_REASON {
                    return Err(Error::Usage("close reason over 123 bytes"));
                }
                payload[..2].copy_from_slice(&code.0.to_be_bytes());
                payload[2..2 + reason.len()].copy_from_slice(reason.as_bytes());
                2 + reason.len()
            }
        };
        self.encode_frame(Opcode::Close, true, &payload[..len], out);
        Ok(())
    }

    /// Zero-copy path: `buf` holds [`super::frame::MAX_HEADER_LEN`] spare
    /// bytes followed by the payload. Writes the header right before the
    /// payload, masks the payload in place, and returns the offset where
    /// the finished frame starts (send `&buf[start..]`).
    ///
    /// # Panics
    ///
    /// If `buf` is shorter than `MAX_HEADER_LEN`: the caller reserves that
    /// space by construction, so a shorter buffer is a bug in the caller.
    pub fn encode_in_place(&mut self, opcode: Opcode, fin: bool, buf: &mut [u8]) -> usize {
        assert!(
            buf.len() >= MAX_HEADER_LEN,
            "encode_in_place needs MAX_HEADER_LEN spare bytes before the payload"
        );
        let (head, payload) = buf.split_at_mut(MAX_HEADER_LEN);
        let mut header = FrameHeader::new(opcode, fin, payload.len() as u64);
        header.mask = self.next_mask();
        if let Some(key) = header.mask {
            apply_mask(payload, key, 0);
        }
        let (bytes, len) = header.to_bytes();
        let start = MAX_HEADER_LEN - len;
        head[start..].copy_from_slice(&bytes[..len]);
        start
    }

    /// Like [`Encoder::encode_in_place`] for a client frame whose payload the
    /// caller already masked with `key` ([`super::frame::extend_masked`]; a
    /// fresh key from a CSPRNG, used for this frame only, §5.3 and §10.3):
    /// writes the header with that key and leaves the payload as is.
    ///
    /// Needs no encoder: only a client masks (§5.1), and the key is the
    /// caller's, so any thread holding the buffer can frame it.
    ///
    /// # Panics
    ///
    /// If `buf` is shorter than `MAX_HEADER_LEN` (as `encode_in_place`).
    pub fn encode_premasked_in_place(
        opcode: Opcode,
        fin: bool,
        buf: &mut [u8],
        key: [u8; 4],
    ) -> usize {
        assert!(
            buf.len() >= MAX_HEADER_LEN,
            "encode_premasked_in_place: a client frame with MAX_HEADER_LEN spare bytes"
        );
        let (head, payload) = buf.split_at_mut(MAX_HEADER_LEN);
        let mut header = FrameHeader::new(opcode, fin, payload.len() as u64);
        header.mask = Some(key);
        let (bytes, len) = header.to_bytes();
        let start = MAX_HEADER_LEN - len;
        head[start..].copy_from_slice(&bytes[..len]);
        start
    }

    /// A fresh key per frame for clients (§5.3: "MUST pick a fresh masking
    /// key for each frame"); servers never mask (§5.1).
    fn next_mask(&mut self) -> Option<[u8; 4]> {
        match self.role {
            Role::Client => Some(self.rng.next_u32().to_ne_bytes()),
            Role::Server => None,
        }
    }
}

impl fmt::Debug for Encoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encoder")
            .field("role", &self.role)
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

    fn parse(frame: &[u8]) -> (FrameHeader, Vec<u8>) {
        let (h, n) = FrameHeader::parse(frame).unwrap().unwrap();
        let mut payload = frame[n..].to_vec();
        assert_eq!(
            payload.len() as u64,
            h.payload_len,
            "one whole frame expected"
        );
        if let Some(key) = h.mask {
            apply_mask(&mut payload, key, 0);
        }
        (h, payload)
    }

    // RFC 6455 §5.1: a server never masks; the payload is sent as is.
    #[test]
    fn rfc6455_5_1_server_frames_are_unmasked() {
        let mut enc = Encoder::new(Role::Server);
        let mut out = Vec::new();
        enc.encode_message(MessageKind::Text, b"Hello", &mut out);
        // §5.7: the unmasked single-frame "Hello" example.
        assert_eq!(out, [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
    }

    // RFC 6455 §5.3: a client masks every frame with a fresh key.
    #[test]
    fn rfc6455_5_3_client_masks_with_fresh_keys() {
        let mut enc = Encoder::new(Role::Client);
        let mut keys = Vec::new();
        for _ in 0..8 {
            let mut out = Vec::new();
            enc.encode_message(MessageKind::Binary, b"abcdefgh", &mut out);
            let (h, payload) = parse(&out);
            let key = h.mask.expect("client frames are masked");
            assert_eq!(payload, b"abcdefgh");
            keys.push(key);
        }
        keys.sort_unstable();
        keys.dedup();
        // Eight 32-bit random keys repeating would mean the key is not fresh.
        assert_eq!(keys.len(), 8);
    }

    // RFC 6455 §5.2: all three length forms, both roles.
    #[test]
    fn rfc6455_5_2_lengths_in_both_roles() {
        for role in [Role::Client, Role::Server] {
            let mut enc = Encoder::new(role);
            for len in [0usize, 125, 126, 65_535, 65_536] {
                let payload: Vec<u8> = (0..len).map(|i| i as u8).collect();
                let mut out = Vec::new();
                enc.encode_frame(Opcode::Binary, false, &payload, &mut out);
                let (h, got) = parse(&out);
                assert_eq!(
                    (h.fin, h.opcode, h.mask.is_some()),
                    (false, Opcode::Binary, role == Role::Client)
                );
                assert_eq!(got, payload, "{role:?} len {len}");
            }
        }
    }

    // RFC 6455 §5.5: control payloads are at most 125 bytes; only Ping/Pong here.
    #[test]
    fn rfc6455_5_5_control_frame_rules() {
        let mut enc = Encoder::new(Role::Server);
        let mut out = Vec::new();
        enc.encode_control(Opcode::Ping, &[7; 125], &mut out)
            .unwrap();
        assert_eq!(parse(&out).1, [7; 125]);
        assert!(matches!(
            enc.encode_control(Opcode::Pong, &[7; 126], &mut out),
            Err(Error::Usage(_))
        ));
        for op in [Opcode::Close, Opcode::Text, Opcode::Continuation] {
            assert!(
                matches!(enc.encode_control(op, b"", &mut out), Err(Error::Usage(_))),
                "{op:?}"
            );
        }
    }

    // RFC 6455 §5.5.1 / §7.4: close payload is code + reason; 1005/1006/1015
    // and out-of-range codes never go on the wire; reason ≤ 123 bytes.
    #[test]
    fn rfc6455_5_5_1_close_encoding() {
        let mut enc = Encoder::new(Role::Client);
        let mut out = Vec::new();
        enc.encode_close(Some(CloseCode::NORMAL), "bye", &mut out)
            .unwrap();
        let (h, payload) = parse(&out);
        assert_eq!((h.opcode, h.fin), (Opcode::Close, true));
        assert_eq!(payload, b"\x03\xe8bye");

        out.clear();
        enc.encode_close(None, "", &mut out).unwrap();
        assert_eq!(parse(&out).1, b"");

        let reason = "r".repeat(123);
        out.clear();
        enc.encode_close(Some(CloseCode(4000)), &reason, &mut out)
            .unwrap();
        assert_eq!(parse(&out).1.len(), 125);

        for bad in [1005, 1006, 1015, 999, 1004, 5000] {
            let r = enc.encode_close(Some(CloseCode(bad)), "", &mut out);
            assert!(matches!(r, Err(Error::Usage(_))), "{bad}");
        }
        let long = "r".repeat(124);
        assert!(matches!(
            enc.encode_close(Some(CloseCode::NORMAL), &long, &mut out),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            enc.encode_close(None, "why", &mut out),
            Err(Error::Usage(_))
        ));
    }

    // The zero-copy path yields exactly the bytes of the copying path.
    #[test]
    fn encode_in_place_matches_encode_frame() {
        for len in [0usize, 5, 125, 126, 65_535, 65_536] {
            let payload: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let mut buf = vec![0u8; MAX_HEADER_LEN];
            buf.extend_from_slice(&payload);
            let mut server = Encoder::new(Role::Server);
            let start = server.encode_in_place(Opcode::Binary, true, &mut buf);
            let mut expected = Vec::new();
            server.encode_frame(Opcode::Binary, true, &payload, &mut expected);
            assert_eq!(&buf[start..], &expected[..], "len {len}");

            // Client: masked in place with a key that unmasks to the payload.
            let mut buf = vec![0u8; MAX_HEADER_LEN];
            buf.extend_from_slice(&payload);
            let start = Encoder::new(Role::Client).encode_in_place(Opcode::Text, false, &mut buf);
            let (h, got) = parse(&buf[start..]);
            assert!(h.mask.is_some() && !h.fin);
            assert_eq!(got, payload, "len {len}");

            // Client, payload masked by the caller: same frame, its key.
            let key = [0x5e, 0x11, 0xa0, 0x07];
            let mut buf = vec![0u8; MAX_HEADER_LEN];
            crate::protocol::frame::extend_masked(&mut buf, &payload, key);
            let start = Encoder::encode_premasked_in_place(Opcode::Binary, true, &mut buf, key);
            let (h, got) = parse(&buf[start..]);
            assert_eq!((h.mask, h.fin), (Some(key), true));
            assert_eq!(got, payload, "len {len}");
        }
    }

    // RFC 7692 §6.1: RSV1 is carried on the frame when asked for.
    #[test]
    fn rfc7692_6_1_rsv_bits_written() {
        let mut enc = Encoder::new(Role::Server);
        let mut out = Vec::new();
        enc.encode_frame_rsv(
            Opcode::Text,
            false,
            super::super::frame::RSV1,
            b"x",
            &mut out,
        );
        assert_eq!(out[0], 0x41);
    }

    /// Fails on its second use, after transforming the first message.
    struct FailsSecondTime(u32);

    impl Extension for FailsSecondTime {
        fn name(&self) -> &str {
            "x-flaky"
        }
        fn rsv_bits(&self) -> u8 {
            super::super::frame::RSV1
        }
        fn decode_message(&mut self, _: &mut Vec<u8>, _: usize) -> Result<()> {
            Ok(())
        }
        fn encode_message(&mut self, payload: &mut Vec<u8>) -> Result<bool> {
            self.0 += 1;
            if self.0 == 2 {
                return Err(Error::Usage("flaky"));
            }
            payload.push(b'!');
            Ok(true)
        }
    }

    // RFC 7692 §6: a failed transformation falls back to a plain frame
    // (RSV1 clear, original payload) and disables the extension for good.
    #[test]
    fn rfc7692_failed_extension_falls_back_to_plain_frames() {
        let mut enc = Encoder::new(Role::Server);
        enc.set_extension(Box::new(FailsSecondTime(0)));
        let mut frames = Vec::new();
        for _ in 0..3 {
            let mut out = Vec::new();
            enc.encode_message(MessageKind::Binary, b"abc", &mut out);
            frames.push(parse(&out));
        }
        assert!(frames[0].0.rsv1);
        assert_eq!(frames[0].1, b"abc!");
        for (h, payload) in &frames[1..] {
            assert!(!h.rsv1);
            assert_eq!(payload, b"abc");
        }
    }
}
