//! The frame header: parsing and writing (RFC 6455 §5.2).
//!
//! ```text
//!  0               1               2               3
//!  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
//! +-+-+-+-+-------+-+-------------+-------------------------------+
//! |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//! |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//! |N|V|V|V|       |S|             |   (if payload len==126/127)   |
//! | |1|2|3|       |K|             |                               |
//! +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//! |     Extended payload length continued, if payload len == 127  |
//! + - - - - - - - - - - - - - - - +-------------------------------+
//! |                               |Masking-key, if MASK set to 1  |
//! +-------------------------------+-------------------------------+
//! ```

use super::coding::Opcode;
use super::MAX_HEADER_LEN;
use crate::error::ProtocolViolation;

/// RSV1 in the three-bit RSV value used by [`FrameHeader::rsv_bits`].
pub const RSV1: u8 = 0b100;
/// RSV2 in the three-bit RSV value.
pub const RSV2: u8 = 0b010;
/// RSV3 in the three-bit RSV value.
pub const RSV3: u8 = 0b001;

/// A decoded frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// Final fragment of a message.
    pub fin: bool,
    /// RSV1 (permessage-deflate's "compressed" bit, RFC 7692 §6).
    pub rsv1: bool,
    /// RSV2, unused by any registered extension.
    pub rsv2: bool,
    /// RSV3, unused by any registered extension.
    pub rsv3: bool,
    /// What the frame carries.
    pub opcode: Opcode,
    /// The masking key; present exactly on client-to-server frames (§5.3).
    pub mask: Option<[u8; 4]>,
    /// Payload length in bytes; below 2^63 (§5.2).
    pub payload_len: u64,
}

impl FrameHeader {
    /// A header with no RSV bits and no mask.
    pub fn new(opcode: Opcode, fin: bool, payload_len: u64) -> Self {
        FrameHeader {
            fin,
            rsv1: false,
            rsv2: false,
            rsv3: false,
            opcode,
            mask: None,
            payload_len,
        }
    }

    /// The RSV bits as a three-bit value: RSV1 = `0b100`, RSV2 = `0b010`,
    /// RSV3 = `0b001` (the layout [`ProtocolViolation::ReservedBits`] uses).
    pub fn rsv_bits(&self) -> u8 {
        (u8::from(self.rsv1) << 2) | (u8::from(self.rsv2) << 1) | u8::from(self.rsv3)
    }

    /// Sets the RSV bits from a three-bit value (higher bits are ignored).
    pub fn set_rsv_bits(&mut self, bits: u8) {
        self.rsv1 = bits & RSV1 != 0;
        self.rsv2 = bits & RSV2 != 0;
        self.rsv3 = bits & RSV3 != 0;
    }

    /// How many bytes this header takes on the wire (2 to 14).
    pub fn encoded_len(&self) -> usize {
        2 + extended_len_size(self.payload_len) + if self.mask.is_some() { 4 } else { 0 }
    }

    /// How long the header starting at `buf` is, judging from its first two
    /// bytes; 2 while fewer than two bytes are known. Lets a streaming reader
    /// collect exactly the header's bytes before calling [`FrameHeader::parse`].
    pub fn needed_len(buf: &[u8]) -> usize {
        match buf.get(1) {
            None => 2,
            Some(&b1) => {
                let ext = match b1 & 0x7f {
                    126 => 2,
                    127 => 8,
                    _ => 0,
                };
                2 + ext + if b1 & 0x80 != 0 { 4 } else { 0 }
            }
        }
    }

    /// Parses a header from the start of `buf`.
    ///
    /// Returns `Ok(None)` while `buf` holds less than a whole header, and the
    /// header with its encoded length otherwise. A reserved opcode fails as
    /// soon as the first byte is known; a 64-bit length with its most
    /// significant bit set fails with [`ProtocolViolation::InvalidLength`].
    /// RSV bits and masking are returned as found: whether they are allowed
    /// depends on the role and the negotiated extensions, which the decoder
    /// knows.
    ///
    /// Lengths not in their minimal form (e.g. 5 in the 16-bit form) are
    /// accepted: §5.2 requires senders to be minimal but gives receivers no
    /// reason to fail, and common peers do not check either.
    pub fn parse(buf: &[u8]) -> Result<Option<(FrameHeader, usize)>, ProtocolViolation> {
        let Some(&b0) = buf.first() else {
            return Ok(None);
        };
        let opcode = Opcode::from_u8(b0 & 0x0f)?;
        let need = Self::needed_len(buf);
        if buf.len() < need || buf.len() < 2 {
            return Ok(None);
        }
        let b1 = buf[1];
        let (payload_len, mut pos) = match b1 & 0x7f {
            126 => (u64::from(u16::from_be_bytes([buf[2], buf[3]])), 4),
            127 => {
                let mut len = [0u8; 8];
                len.copy_from_slice(&buf[2..10]);
                let len = u64::from_be_bytes(len);
                // §5.2: "the most significant bit MUST be 0".
                if len >> 63 != 0 {
                    return Err(ProtocolViolation::InvalidLength);
                }
                (len, 10)
            }
            short => (u64::from(short), 2),
        };
        let mask = if b1 & 0x80 != 0 {
            let key = [buf[pos], buf[pos + 1], buf[pos + 2], buf[pos + 3]];
            pos += 4;
            Some(key)
        } else {
            None
        };
        let header = FrameHeader {
            fin: b0 & 0x80 != 0,
            rsv1: b0 & 0x40 != 0,
            rsv2: b0 & 0x20 != 0,
            rsv3: b0 & 0x10 != 0,
            opcode,
            mask,
            payload_len,
        };
        Ok(Some((header, pos)))
    }

    /// Encodes the header with the shortest length form (§5.2: "the minimal
    /// number of bytes MUST be used"). Returns the bytes and how many of
    /// them are used.
    pub fn to_bytes(&self) -> ([u8; MAX_HEADER_LEN], usize) {
        let mut out = [0u8; MAX_HEADER_LEN];
        out[0] = (u8::from(self.fin) << 7) | (self.rsv_bits() << 4) | self.opcode.as_u8();
        let mask_bit = if self.mask.is_some() { 0x80 } else { 0 };
        let mut pos = match extended_len_size(self.payload_len) {
            0 => {
                out[1] = mask_bit | self.payload_len as u8;
                2
            }
            2 => {
                out[1] = mask_bit | 126;
                out[2..4].copy_from_slice(&(self.payload_len as u16).to_be_bytes());
                4
            }
            _ => {
                out[1] = mask_bit | 127;
                out[2..10].copy_from_slice(&self.payload_len.to_be_bytes());
                10
            }
        };
        if let Some(key) = self.mask {
            out[pos..pos + 4].copy_from_slice(&key);
            pos += 4;
        }
        (out, pos)
    }

    /// Appends the encoded header to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        let (bytes, len) = self.to_bytes();
        out.extend_from_slice(&bytes[..len]);
    }
}

/// Bytes of extended payload length needed for `len`: 0, 2 or 8.
fn extended_len_size(len: u64) -> usize {
    match len {
        0..=125 => 0,
        126..=0xffff => 2,
        _ => 8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::CloseCode;

    fn parse_all(buf: &[u8]) -> (FrameHeader, usize) {
        match FrameHeader::parse(buf) {
            Ok(Some(h)) => h,
            other => panic!("expected a header, got {other:?}"),
        }
    }

    // RFC 6455 §5.2: the three length forms at their boundaries, with and
    // without a mask, encode minimally and parse back identically.
    #[test]
    fn rfc6455_5_2_length_forms_round_trip_at_boundaries() {
        let cases: [(u64, usize); 7] = [
            (0, 2),
            (1, 2),
            (125, 2),
            (126, 4),
            (65_535, 4),
            (65_536, 10),
            ((1 << 63) - 1, 10),
        ];
        for (len, base) in cases {
            for mask in [None, Some([9, 8, 7, 6])] {
                let mut h = FrameHeader::new(Opcode::Binary, true, len);
                h.mask = mask;
                let (bytes, n) = h.to_bytes();
                let expect = base + if mask.is_some() { 4 } else { 0 };
                assert_eq!(n, expect, "len {len}");
                assert_eq!(h.encoded_len(), expect);
                assert_eq!(FrameHeader::needed_len(&bytes[..2]), expect);
                assert_eq!(parse_all(&bytes[..n]), (h, n));
                // One byte short is incomplete, never an error.
                assert_eq!(FrameHeader::parse(&bytes[..n - 1]), Ok(None));
            }
        }
    }

    // RFC 6455 §5.2: exact wire bytes of the length indicator.
    #[test]
    fn rfc6455_5_2_length_wire_bytes() {
        let (b, n) = FrameHeader::new(Opcode::Text, true, 125).to_bytes();
        assert_eq!(&b[..n], &[0x81, 125]);
        let (b, n) = FrameHeader::new(Opcode::Binary, false, 126).to_bytes();
        assert_eq!(&b[..n], &[0x02, 126, 0x00, 0x7e]);
        let (b, n) = FrameHeader::new(Opcode::Binary, true, 65_536).to_bytes();
        assert_eq!(&b[..n], &[0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
    }

    // RFC 6455 §5.2: a 64-bit length with the most significant bit set is a
    // protocol error (1002).
    #[test]
    fn rfc6455_5_2_top_bit_of_64_bit_length() {
        let buf = [0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0];
        let err = FrameHeader::parse(&buf).unwrap_err();
        assert_eq!(err, ProtocolViolation::InvalidLength);
        assert_eq!(
            Error::from(err).close_code(),
            Some(CloseCode::PROTOCOL_ERROR)
        );
    }

    // RFC 6455 §5.2: a reserved opcode is rejected from the first byte alone.
    #[test]
    fn rfc6455_5_2_reserved_opcode_fails_on_first_byte() {
        assert_eq!(
            FrameHeader::parse(&[0x83]),
            Err(ProtocolViolation::ReservedOpcode(3))
        );
        assert_eq!(
            FrameHeader::parse(&[0x8B, 0x00]),
            Err(ProtocolViolation::ReservedOpcode(0xB))
        );
    }

    // RFC 6455 §5.2: FIN and the three RSV bits sit in the top nibble.
    #[test]
    fn rfc6455_5_2_fin_and_rsv_bits() {
        for bits in 0..8u8 {
            for fin in [false, true] {
                let mut h = FrameHeader::new(Opcode::Ping, fin, 0);
                h.set_rsv_bits(bits);
                assert_eq!(h.rsv_bits(), bits);
                let (b, n) = h.to_bytes();
                assert_eq!(b[0], (u8::from(fin) << 7) | (bits << 4) | 0x9);
                assert_eq!(parse_all(&b[..n]).0, h);
            }
        }
    }

    // A non-minimal length (5 in the 16-bit form) is accepted; see `parse`.
    #[test]
    fn rfc6455_5_2_non_minimal_length_is_accepted() {
        let (h, n) = parse_all(&[0x82, 126, 0, 5]);
        assert_eq!((h.payload_len, n), (5, 4));
    }

    #[test]
    fn empty_and_partial_input_is_incomplete() {
        assert_eq!(FrameHeader::parse(&[]), Ok(None));
        assert_eq!(FrameHeader::parse(&[0x81]), Ok(None));
        assert_eq!(FrameHeader::parse(&[0x81, 0xFF, 0, 0, 0]), Ok(None));
        assert_eq!(FrameHeader::needed_len(&[0x81]), 2);
    }
}
