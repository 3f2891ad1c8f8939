//! Compressing and inflating messages (RFC 7692 §7.2).

use super::config::{DeflateParams, MAX_WINDOW_BITS};
use super::PERMESSAGE_DEFLATE;
use crate::error::{Error, ProtocolViolation, Result};
use crate::extensions::Extension;
use crate::protocol::frame::RSV1;
use crate::protocol::Role;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use std::fmt;

/// The end of a sync flush: an empty stored block's LEN and NLEN. Senders
/// strip it (§7.2.1), receivers put it back before inflating (§7.2.2).
const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// Smallest step the output buffers grow by.
const MIN_GROWTH: usize = 4 * 1024;

/// The permessage-deflate [`Extension`] for one end of a connection.
///
/// Install one instance on the [`crate::Decoder`] and another on the
/// [`crate::Encoder`]; each creates only the half it uses (a compressor
/// holds about 300 KiB, an inflater about 40 KiB), on first use.
///
/// Buffers are reused: the output buffer is swapped with the caller's
/// message buffer, so when the caller keeps passing its buffers back (as
/// [`crate::Encoder`] does with its scratch buffer) a steady stream of
/// messages allocates nothing once the buffers have grown.
///
/// Window size: `miniz_oxide` always compresses with a 32 KiB window. When
/// the handshake gave our side a smaller window (`*_max_window_bits` below
/// 15), every message is compressed by a freshly reset compressor, which
/// cannot refer further back than the message's own start; so a message
/// of at most 2^bits bytes never uses a distance beyond the window, and a
/// longer one is sent uncompressed, which RFC 7692 §6 always allows.
pub struct PerMessageDeflate {
    role: Role,
    params: DeflateParams,
    compress: Option<Compress>,
    decompress: Option<Decompress>,
    /// Output of the last compression or inflation, swapped with the
    /// caller's buffer; holds the caller's old buffer for reuse.
    buf: Vec<u8>,
}

impl PerMessageDeflate {
    /// The extension for our `role` with the agreed `params`.
    pub fn new(role: Role, params: DeflateParams) -> Self {
        PerMessageDeflate {
            role,
            params,
            compress: None,
            decompress: None,
            buf: Vec::new(),
        }
    }

    /// The agreed parameters.
    pub fn params(&self) -> DeflateParams {
        self.params
    }

    fn peer(&self) -> Role {
        match self.role {
            Role::Client => Role::Server,
            Role::Server => Role::Client,
        }
    }
}

impl Extension for PerMessageDeflate {
    fn name(&self) -> &str {
        PERMESSAGE_DEFLATE
    }

    /// RFC 7692 §6: the "Per-Message Compressed" bit is RSV1.
    fn rsv_bits(&self) -> u8 {
        RSV1
    }

    /// RFC 7692 §7.2.2: append `00 00 ff ff`, inflate, and stop with 1009
    /// as soon as the output would pass `max_size` (§8: a small message may
    /// not expand without bound).
    fn decode_message(&mut self, payload: &mut Vec<u8>, max_size: usize) -> Result<()> {
        let reset = self.params.no_context_takeover(self.peer());
        let d = self
            .decompress
            .get_or_insert_with(|| Decompress::new(false));
        payload.extend_from_slice(&TAIL);
        self.buf.clear();
        let result = inflate(d, payload, &mut self.buf, max_size);
        // The peer starts each message afresh: drop our copy of its window
        // too. After an error the connection is over anyway.
        if reset || result.is_err() {
            d.reset(false);
        }
        result?;
        std::mem::swap(payload, &mut self.buf);
        Ok(())
    }

    /// RFC 7692 §7.2.1: compress with a sync flush and strip `00 00 ff ff`.
    fn encode_message(&mut self, payload: &mut Vec<u8>) -> Result<bool> {
        let bits = self.params.max_window_bits(self.role);
        let narrow = bits < MAX_WINDOW_BITS;
        if narrow && payload.len() > 1usize << bits {
            // See the type's docs: this message cannot honour the window.
            return Ok(false);
        }
        let fresh = narrow || self.params.no_context_takeover(self.role);
        let level = u32::from(self.params.level.min(9));
        let c = self
            .compress
            .get_or_insert_with(|| Compress::new(Compression::new(level), false));
        if fresh {
            c.reset();
        }
        self.buf.clear();
        deflate(c, payload, &mut self.buf)?;
        if !self.buf.ends_with(&TAIL) {
            return Err(Error::Usage(
                "deflate sync flush did not end in 00 00 ff ff",
            ));
        }
        self.buf.truncate(self.buf.len() - TAIL.len());
        // Without context takeover nothing of this message outlives it, so
        // a message that did not shrink can go out as it is (§6).
        if fresh && self.buf.len() >= payload.len() {
            return Ok(false);
        }
        std::mem::swap(payload, &mut self.buf);
        Ok(true)
    }
}

/// Compresses all of `input` into `out` with a sync flush.
fn deflate(c: &mut Compress, input: &[u8], out: &mut Vec<u8>) -> Result<()> {
    let start = c.total_in();
    out.reserve((input.len() / 2).max(MIN_GROWTH));
    loop {
        let consumed = consumed(c.total_in(), start, input.len());
        if out.len() == out.capacity() {
            out.reserve(out.capacity().max(MIN_GROWTH));
        }
        let before = (c.total_in(), c.total_out());
        c.compress_vec(&input[consumed..], out, FlushCompress::Sync)
            .map_err(|_| Error::Usage("deflate failed"))?;
        let done = consumed_all(c.total_in(), start, input.len());
        // Spare room left after the flush: it is complete.
        if done && out.len() < out.capacity() {
            return Ok(());
        }
        if (c.total_in(), c.total_out()) == before && out.len() < out.capacity() {
            return Err(Error::Usage("deflate made no progress"));
        }
    }
}

/// Inflates all of `input` into `out`, never letting `out` grow past
/// `max_size + 1` bytes.
fn inflate(d: &mut Decompress, input: &[u8], out: &mut Vec<u8>, max_size: usize) -> Result<()> {
    let start = d.total_in();
    let cap = max_size.saturating_add(1);
    loop {
        if out.len() == out.capacity() {
            // Grow geometrically, but never beyond one byte over the limit:
            // that byte is how an over-long message is detected.
            let want = out
                .capacity()
                .max(input.len().saturating_mul(2))
                .max(MIN_GROWTH);
            out.reserve_exact(want.min(cap - out.len()));
        }
        let consumed = consumed(d.total_in(), start, input.len());
        let before = (d.total_in(), d.total_out());
        let status = d
            .decompress_vec(&input[consumed..], out, FlushDecompress::Sync)
            .map_err(|_| ProtocolViolation::BadCompressedData)?;
        if out.len() > max_size {
            return Err(Error::TooBig {
                what: "message",
                size: out.len() as u64,
                limit: max_size as u64,
            });
        }
        if status == Status::StreamEnd {
            // §7.2.3.4: a block with BFINAL set ends the DEFLATE stream; the
            // appended tail after it is ignored and the next message starts
            // a new stream.
            d.reset(false);
            return Ok(());
        }
        if consumed_all(d.total_in(), start, input.len()) && out.len() < out.capacity() {
            return Ok(());
        }
        if (d.total_in(), d.total_out()) == before && out.len() < out.capacity() {
            return Err(ProtocolViolation::BadCompressedData.into());
        }
    }
}

/// Input bytes used since `start`, as an index into the input.
fn consumed(total: u64, start: u64, len: usize) -> usize {
    usize::try_from(total - start).map_or(len, |n| n.min(len))
}

fn consumed_all(total: u64, start: u64, len: usize) -> bool {
    consumed(total, start, len) == len
}

impl fmt::Debug for PerMessageDeflate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PerMessageDeflate")
            .field("role", &self.role)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Decoded, Decoder, Encoder, Limits};
    use crate::{CloseCode, MessageKind};

    fn ext(role: Role, params: DeflateParams) -> Box<PerMessageDeflate> {
        Box::new(PerMessageDeflate::new(role, params))
    }

    /// A client decoder with deflate on (server frames are unmasked, so the
    /// RFC's example bytes can be fed as they are).
    fn client_decoder(params: DeflateParams, limits: Limits) -> Decoder {
        let mut dec = Decoder::new(Role::Client, limits);
        dec.set_extension(ext(Role::Client, params));
        dec
    }

    /// Decodes `wire` whole; returns the messages, or the first error.
    fn decode_all(dec: &mut Decoder, wire: &[u8]) -> Result<Vec<(MessageKind, Vec<u8>)>> {
        let mut out = Vec::new();
        let mut message = Vec::new();
        let mut pos = 0;
        // Each call consumes at least one byte, so this is bounded.
        for _ in 0..=wire.len() {
            if pos == wire.len() {
                break;
            }
            let (n, event) = dec.decode(&wire[pos..], &mut message)?;
            pos += n;
            if let Some(Decoded::Message(kind)) = event {
                out.push((kind, std::mem::take(&mut message)));
            }
        }
        Ok(out)
    }

    fn hello() -> Vec<(MessageKind, Vec<u8>)> {
        vec![(MessageKind::Text, b"Hello".to_vec())]
    }

    fn default_decoder() -> Decoder {
        client_decoder(DeflateParams::default(), Limits::default())
    }

    // RFC 7692 §7.2.3.1: "Hello" compressed in one frame.
    #[test]
    fn rfc7692_7_2_3_1_hello_one_frame() {
        let wire = [0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
        assert_eq!(decode_all(&mut default_decoder(), &wire).unwrap(), hello());
    }

    // RFC 7692 §7.2.3.1 (second example) / §6.1: a compressed message in
    // two fragments, RSV1 on the first frame only.
    #[test]
    fn rfc7692_7_2_3_1_hello_fragmented() {
        let wire = [
            0x41, 0x03, 0xf2, 0x48, 0xcd, 0x80, 0x04, 0xc9, 0xc9, 0x07, 0x00,
        ];
        assert_eq!(decode_all(&mut default_decoder(), &wire).unwrap(), hello());
    }

    // RFC 7692 §7.2.3.2: the second "Hello" refers back into the first
    // message's window (context takeover).
    #[test]
    fn rfc7692_7_2_3_2_sharing_the_window() {
        let wire = [
            0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, // first
            0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00, // second
        ];
        let got = decode_all(&mut default_decoder(), &wire).unwrap();
        assert_eq!(got, [hello(), hello()].concat());
        // Without the first message's window the second is not "Hello"
        // (miniz_oxide reads an unset window as zeros instead of failing).
        let alone = decode_all(&mut default_decoder(), &wire[9..]);
        assert!(alone.map_or(true, |m| m != hello()));
    }

    // RFC 7692 §7.2.3.3: a DEFLATE block with no compression.
    #[test]
    fn rfc7692_7_2_3_3_stored_block() {
        let wire = [
            0xc1, 0x0b, 0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00,
        ];
        assert_eq!(decode_all(&mut default_decoder(), &wire).unwrap(), hello());
    }

    // RFC 7692 §7.2.3.4: a block with BFINAL set ends the stream; the next
    // message starts a new one.
    #[test]
    fn rfc7692_7_2_3_4_bfinal_block() {
        let wire = [
            0xc1, 0x08, 0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00, // BFINAL
            0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, // next message
        ];
        let got = decode_all(&mut default_decoder(), &wire).unwrap();
        assert_eq!(got, [hello(), hello()].concat());
    }

    // RFC 7692 §7.2.3.5: two DEFLATE blocks in one message.
    #[test]
    fn rfc7692_7_2_3_5_two_blocks() {
        let wire = [
            0xc1, 0x0d, 0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07,
            0x00,
        ];
        assert_eq!(decode_all(&mut default_decoder(), &wire).unwrap(), hello());
    }

    // RFC 7692 §7.2.3.6: an empty message compresses to a single 0x00, and
    // we produce exactly that.
    #[test]
    fn rfc7692_7_2_3_6_empty_message() {
        let got = decode_all(&mut default_decoder(), &[0xc1, 0x01, 0x00]).unwrap();
        assert_eq!(got, vec![(MessageKind::Text, Vec::new())]);
        let mut enc = Encoder::new(Role::Server);
        enc.set_extension(ext(Role::Server, DeflateParams::default()));
        let mut out = Vec::new();
        enc.encode_message(MessageKind::Text, b"", &mut out);
        assert_eq!(out, [0xc1, 0x01, 0x00]);
    }

    // RFC 7692 §7.2.1: our own "Hello" is the RFC's bytes: raw DEFLATE,
    // sync-flushed, tail stripped, RSV1 set.
    #[test]
    fn rfc7692_7_2_1_we_compress_hello_like_the_rfc() {
        let mut enc = Encoder::new(Role::Server);
        enc.set_extension(ext(Role::Server, DeflateParams::default()));
        let mut out = Vec::new();
        enc.encode_message(MessageKind::Text, b"Hello", &mut out);
        assert_eq!(out, [0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
    }

    /// Client encoder and server decoder sharing `params`, and a round trip
    /// of each message; returns the wire size of each.
    fn round_trip(params: DeflateParams, messages: &[Vec<u8>]) -> Vec<usize> {
        let mut enc = Encoder::new(Role::Client);
        enc.set_extension(ext(Role::Client, params));
        let mut dec = Decoder::new(Role::Server, Limits::default());
        dec.set_extension(ext(Role::Server, params));
        let mut sizes = Vec::new();
        for m in messages {
            let mut wire = Vec::new();
            enc.encode_message(MessageKind::Binary, m, &mut wire);
            sizes.push(wire.len());
            let got = decode_all(&mut dec, &wire).unwrap();
            assert_eq!(got, vec![(MessageKind::Binary, m.clone())]);
        }
        sizes
    }

    fn text_block(n: usize) -> Vec<u8> {
        b"The quick brown fox jumps over the lazy dog. "
            .iter()
            .copied()
            .cycle()
            .take(n)
            .collect()
    }

    fn random_bytes(n: usize) -> Vec<u8> {
        use rand::{RngCore, SeedableRng};
        let mut v = vec![0u8; n];
        rand::rngs::StdRng::seed_from_u64(7692).fill_bytes(&mut v);
        v
    }

    // RFC 7692 §7.2.2 with context takeover: repeats shrink to references
    // into the previous message.
    #[test]
    fn rfc7692_7_2_2_round_trip_with_context_takeover() {
        let m = random_bytes(2000);
        let sizes = round_trip(DeflateParams::default(), &[m.clone(), m.clone(), m]);
        assert!(sizes[1] < sizes[0] / 10, "{sizes:?}");
        let big = text_block(1 << 20);
        let sizes = round_trip(DeflateParams::default(), &[big, Vec::new(), b"x".to_vec()]);
        assert!(sizes[0] < (1 << 20) / 50, "{sizes:?}");
    }

    // RFC 7692 §7.1.1: without context takeover each message stands alone,
    // so a fresh decoder inflates any of them.
    #[test]
    fn rfc7692_7_1_1_round_trip_without_context_takeover() {
        let params = DeflateParams {
            client_no_context_takeover: true,
            server_no_context_takeover: true,
            ..DeflateParams::default()
        };
        let m = text_block(3000);
        let sizes = round_trip(params, &[m.clone(), m.clone()]);
        assert_eq!(sizes[0], sizes[1]);
        let mut enc = Encoder::new(Role::Client);
        enc.set_extension(ext(Role::Client, params));
        for _ in 0..3 {
            let mut wire = Vec::new();
            enc.encode_message(MessageKind::Text, &m, &mut wire);
            let mut fresh = Decoder::new(Role::Server, Limits::default());
            fresh.set_extension(ext(Role::Server, params));
            assert_eq!(
                decode_all(&mut fresh, &wire).unwrap(),
                vec![(MessageKind::Text, m.clone())]
            );
        }
    }

    // RFC 7692 §6: a message that does not shrink goes out uncompressed
    // (RSV1 clear) when no context carries over; with context takeover it
    // must stay compressed, since it is already in the shared window.
    #[test]
    fn rfc7692_6_incompressible_message_sent_plain_without_takeover() {
        let noise = random_bytes(4096);
        for (takeover_off, rsv1) in [(true, false), (false, true)] {
            let params = DeflateParams {
                client_no_context_takeover: takeover_off,
                ..DeflateParams::default()
            };
            let mut enc = Encoder::new(Role::Client);
            enc.set_extension(ext(Role::Client, params));
            let mut wire = Vec::new();
            enc.encode_message(MessageKind::Binary, &noise, &mut wire);
            assert_eq!(wire[0] & 0x40 != 0, rsv1, "takeover off: {takeover_off}");
        }
        round_trip(
            DeflateParams {
                client_no_context_takeover: true,
                ..DeflateParams::default()
            },
            &[noise.clone(), text_block(500), noise],
        );
    }

    // RFC 7692 §7.1.2.2: with client_max_window_bits=9 a message of at most
    // 512 bytes is compressed standalone, a longer one is sent plain.
    #[test]
    fn rfc7692_7_1_2_2_narrow_window_honoured() {
        let params = DeflateParams {
            client_max_window_bits: 9,
            ..DeflateParams::default()
        };
        let mut enc = Encoder::new(Role::Client);
        enc.set_extension(ext(Role::Client, params));
        for (len, compressed) in [(512, true), (513, false), (100, true)] {
            let m = text_block(len);
            let mut wire = Vec::new();
            enc.encode_message(MessageKind::Text, &m, &mut wire);
            assert_eq!(wire[0] & 0x40 != 0, compressed, "{len}");
            // Standalone: a fresh decoder inflates it.
            let mut fresh = Decoder::new(Role::Server, Limits::default());
            fresh.set_extension(ext(Role::Server, params));
            assert_eq!(
                decode_all(&mut fresh, &wire).unwrap(),
                vec![(MessageKind::Text, m)]
            );
        }
    }

    fn compressed_zeros(n: usize) -> Vec<u8> {
        let mut enc = Encoder::new(Role::Server);
        enc.set_extension(ext(Role::Server, DeflateParams::default()));
        let mut wire = Vec::new();
        enc.encode_message(MessageKind::Binary, &vec![0u8; n], &mut wire);
        wire
    }

    // RFC 7692 §8 / RFC 6455 §10.4: a small frame that inflates past the
    // message limit fails with 1009, without inflating it all.
    #[test]
    fn rfc7692_8_decompression_bomb_is_1009() {
        let limits = Limits {
            max_frame_size: 1 << 20,
            max_message_size: 64 << 10,
        };
        let wire = compressed_zeros(16 << 20);
        assert!(wire.len() < limits.max_message_size, "{}", wire.len());
        let err =
            decode_all(&mut client_decoder(DeflateParams::default(), limits), &wire).unwrap_err();
        assert_eq!(
            err.close_code(),
            Some(CloseCode::MESSAGE_TOO_BIG),
            "{err:?}"
        );
        assert!(matches!(err, Error::TooBig { limit, .. } if limit == 64 << 10));
    }

    // RFC 6455 §10.4: the limit is inclusive: exactly max_message_size
    // inflated bytes pass, one more fails.
    #[test]
    fn rfc6455_10_4_inflated_limit_is_exact() {
        let limits = Limits {
            max_frame_size: 1 << 20,
            max_message_size: 10_000,
        };
        let ok = compressed_zeros(10_000);
        let got = decode_all(&mut client_decoder(DeflateParams::default(), limits), &ok).unwrap();
        assert_eq!(got, vec![(MessageKind::Binary, vec![0; 10_000])]);
        let over = compressed_zeros(10_001);
        let err =
            decode_all(&mut client_decoder(DeflateParams::default(), limits), &over).unwrap_err();
        assert_eq!(err.close_code(), Some(CloseCode::MESSAGE_TOO_BIG));
    }

    fn assert_1002(err: Error) {
        assert_eq!(err.close_code(), Some(CloseCode::PROTOCOL_ERROR), "{err:?}");
    }

    // RFC 7692 §6: RSV1 on a control frame is a 1002 even with deflate on.
    #[test]
    fn rfc7692_6_rsv1_on_control_frame() {
        for first in [0xc9u8, 0xca, 0xc8] {
            let wire = [first, 0x00];
            assert_1002(decode_all(&mut default_decoder(), &wire).unwrap_err());
        }
    }

    // RFC 7692 §6.1: RSV1 on a continuation frame is a 1002.
    #[test]
    fn rfc7692_6_1_rsv1_on_continuation_frame() {
        let wire = [
            0x41, 0x03, 0xf2, 0x48, 0xcd, 0xc0, 0x04, 0xc9, 0xc9, 0x07, 0x00,
        ];
        assert_1002(decode_all(&mut default_decoder(), &wire).unwrap_err());
    }

    // RFC 6455 §5.2: RSV1 without a negotiated deflate is a 1002.
    #[test]
    fn rfc6455_5_2_rsv1_without_deflate() {
        let mut dec = Decoder::new(Role::Client, Limits::default());
        let wire = [0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
        assert_1002(decode_all(&mut dec, &wire).unwrap_err());
    }

    // RFC 7692 §7.2.2: data that is not DEFLATE fails the connection.
    #[test]
    fn rfc7692_7_2_2_corrupt_data_is_1002() {
        // BTYPE 11 is reserved in DEFLATE (RFC 1951 §3.2.3).
        let err = decode_all(&mut default_decoder(), &[0xc2, 0x02, 0xff, 0xff]).unwrap_err();
        assert!(matches!(
            err,
            Error::Protocol(ProtocolViolation::BadCompressedData)
        ));
        assert_1002(err);
    }

    // RFC 6455 §8.1: text is checked after inflating; invalid UTF-8 is 1007.
    #[test]
    fn rfc6455_8_1_inflated_text_must_be_utf8() {
        let mut enc = Encoder::new(Role::Server);
        enc.set_extension(ext(Role::Server, DeflateParams::default()));
        let mut wire = Vec::new();
        // Encoded as binary, then relabelled as text.
        enc.encode_message(MessageKind::Binary, &[0xff, 0xfe, 0xfd], &mut wire);
        wire[0] = (wire[0] & 0xf0) | 0x1;
        let err = decode_all(&mut default_decoder(), &wire).unwrap_err();
        assert_eq!(err.close_code(), Some(CloseCode::INVALID_PAYLOAD));
    }

    // Buffers are reused: after the first messages, encoding more of the
    // same size keeps the extension's and the encoder's buffers.
    #[test]
    fn steady_state_reuses_buffers() {
        let mut ext = PerMessageDeflate::new(Role::Client, DeflateParams::default());
        let m = text_block(10_000);
        let mut payload = Vec::with_capacity(m.len());
        let mut caps = Vec::new();
        for _ in 0..5 {
            payload.clear();
            payload.extend_from_slice(&m);
            assert!(ext.encode_message(&mut payload).unwrap());
            caps.push((payload.capacity(), ext.buf.capacity()));
        }
        // Two buffers alternate, so every capacity repeats two steps later.
        assert_eq!(caps[2], caps[4], "{caps:?}");
    }
}
