//! Incremental UTF-8 validation across fragments (§5.6, §8.1).
//!
//! Text messages arrive in frames and frames in reads, so a code point may
//! be split anywhere. The validator keeps the (at most three) bytes of an
//! unfinished code point between pieces and checks everything else with
//! `std::str::from_utf8`, which is vectorised and fails as soon as a prefix
//! can no longer become valid (e.g. `ED A0`, the start of a surrogate), not
//! only at the end of the piece. That gives the fail-fast behaviour §8.1
//! asks for ("MUST _Fail the WebSocket Connection_" on invalid data, which
//! the Autobahn 6.4.x cases check before the message ends).

use crate::error::{Error, Result};

/// Validates UTF-8 fed in pieces; a code point may be split between pieces.
#[derive(Debug, Default, Clone)]
pub struct Utf8Validator {
    /// Bytes of a code point whose remaining bytes have not arrived yet.
    pending: [u8; 4],
    /// How many bytes of `pending` are used (0-3).
    pending_len: u8,
}

impl Utf8Validator {
    /// A validator at the start of a text.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks the next piece. Fails with [`Error::InvalidUtf8`] as soon as
    /// the bytes seen so far cannot be the prefix of valid UTF-8.
    pub fn feed(&mut self, mut bytes: &[u8]) -> Result<()> {
        if self.pending_len > 0 {
            // Complete the split code point from the front of this piece.
            let have = usize::from(self.pending_len);
            let width = sequence_width(self.pending[0]);
            let take = (width - have).min(bytes.len());
            self.pending[have..have + take].copy_from_slice(&bytes[..take]);
            let filled = have + take;
            match std::str::from_utf8(&self.pending[..filled]) {
                Ok(_) => self.pending_len = 0,
                Err(e) if e.error_len().is_some() => return Err(Error::InvalidUtf8),
                Err(_) => {
                    // Still a valid prefix and the piece is used up.
                    self.pending_len = filled as u8;
                    return Ok(());
                }
            }
            bytes = &bytes[take..];
        }
        match std::str::from_utf8(bytes) {
            Ok(_) => Ok(()),
            Err(e) if e.error_len().is_some() => Err(Error::InvalidUtf8),
            Err(e) => {
                // A valid prefix of a code point (1-3 bytes) ends the piece.
                let tail = &bytes[e.valid_up_to()..];
                self.pending[..tail.len()].copy_from_slice(tail);
                self.pending_len = tail.len() as u8;
                Ok(())
            }
        }
    }

    /// Ends the text: an unfinished code point is an error (§8.1). The
    /// validator is reset either way and can check the next text.
    pub fn finish(&mut self) -> Result<()> {
        let complete = self.pending_len == 0;
        self.reset();
        if complete {
            Ok(())
        } else {
            Err(Error::InvalidUtf8)
        }
    }

    /// Forgets any unfinished code point.
    pub fn reset(&mut self) {
        self.pending_len = 0;
    }

    /// Whether everything fed so far ends on a code point boundary.
    pub fn is_complete(&self) -> bool {
        self.pending_len == 0
    }
}

/// Length of the sequence a lead byte starts. Only called with bytes that
/// `from_utf8` left pending, i.e. valid lead bytes C2-F4.
fn sequence_width(lead: u8) -> usize {
    match lead {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CloseCode;

    /// Feeds `bytes` in pieces of `step` and then finishes.
    fn check_in_pieces(bytes: &[u8], step: usize) -> Result<()> {
        let mut v = Utf8Validator::new();
        for piece in bytes.chunks(step.max(1)) {
            v.feed(piece)?;
        }
        v.finish()
    }

    /// Index of the byte whose feeding (one byte at a time) first fails.
    fn first_failing_byte(bytes: &[u8]) -> Option<usize> {
        let mut v = Utf8Validator::new();
        bytes
            .iter()
            .position(|b| v.feed(std::slice::from_ref(b)).is_err())
    }

    // RFC 6455 §8.1 / RFC 3629: valid text of every sequence width, split at
    // every possible piece size, is accepted.
    #[test]
    fn rfc6455_8_1_valid_text_split_anywhere() {
        let text =
            "a\u{7f}\u{80}\u{7ff}\u{800}\u{d7ff}\u{e000}\u{fffd}\u{ffff}\u{10000}\u{10ffff}κόσμε";
        for step in 1..=text.len() {
            assert!(
                check_in_pieces(text.as_bytes(), step).is_ok(),
                "step {step}"
            );
        }
    }

    // Autobahn 6.4.1: "κόσμε" followed by ED A0 80 (a surrogate) must fail
    // on ED A0, before the rest of the message arrives.
    #[test]
    fn rfc6455_8_1_fail_fast_on_surrogate_prefix() {
        let bytes = [
            0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCE, 0xBC, 0xCE, 0xB5, 0xED, 0xA0, 0x80,
        ];
        assert_eq!(first_failing_byte(&bytes), Some(10));
        // Fed as one piece it fails too, and the error maps to 1007.
        let err = Utf8Validator::new().feed(&bytes[..11]).unwrap_err();
        assert_eq!(err.close_code(), Some(CloseCode::INVALID_PAYLOAD));
    }

    // Autobahn 6.4.2: F4 90 is already beyond U+10FFFF.
    #[test]
    fn rfc6455_8_1_fail_fast_above_max_code_point() {
        assert_eq!(first_failing_byte(&[0x41, 0xF4, 0x90, 0x80, 0x80]), Some(2));
        assert!(check_in_pieces(&[0xF5, 0x80, 0x80, 0x80], 4).is_err());
    }

    // RFC 3629 §3: overlong encodings are invalid (C0 80 is an overlong NUL,
    // E0 80 80 and F0 80 80 80 overlong zeros, C1 BF overlong '?').
    #[test]
    fn rfc3629_overlong_encodings_rejected() {
        for bad in [
            &[0xC0, 0x80][..],
            &[0xC1, 0xBF],
            &[0xE0, 0x80, 0x80],
            &[0xF0, 0x80, 0x80, 0x80],
        ] {
            for step in 1..=bad.len() {
                assert!(check_in_pieces(bad, step).is_err(), "{bad:x?} step {step}");
            }
        }
    }

    // RFC 3629 §3: UTF-16 surrogates D800-DFFF may not be encoded.
    #[test]
    fn rfc3629_surrogates_rejected() {
        for bad in [&[0xED, 0xA0, 0x80][..], &[0xED, 0xBF, 0xBF]] {
            assert!(check_in_pieces(bad, 1).is_err());
            assert!(check_in_pieces(bad, 3).is_err());
        }
    }

    // Stray continuation bytes and truncated sequences in mid-text.
    #[test]
    fn invalid_sequences_mid_text() {
        assert_eq!(first_failing_byte(b"ab\x80"), Some(2));
        assert_eq!(first_failing_byte(&[0xE2, 0x82, 0x41]), Some(2));
        assert_eq!(first_failing_byte(&[0xFF]), Some(0));
    }

    // RFC 6455 §8.1: a text that ends inside a code point is invalid.
    #[test]
    fn rfc6455_8_1_incomplete_at_end_is_error() {
        let mut v = Utf8Validator::new();
        v.feed(&[0x61, 0xE2, 0x82]).unwrap();
        assert!(!v.is_complete());
        assert!(matches!(v.finish(), Err(Error::InvalidUtf8)));
        // finish() reset it: the next text starts clean.
        v.feed("€".as_bytes()).unwrap();
        assert!(v.finish().is_ok());
    }

    // Empty pieces change nothing, including in the middle of a code point.
    #[test]
    fn empty_pieces_are_neutral() {
        let mut v = Utf8Validator::new();
        v.feed(&[]).unwrap();
        v.feed(&[0xF0, 0x9F]).unwrap();
        v.feed(&[]).unwrap();
        v.feed(&[0x98, 0x80]).unwrap();
        assert!(v.finish().is_ok());
    }
}
