//! Deterministic stand-ins for a negotiated extension (§9, RFC 7692's
//! per-message model), so the fuzzers reach the RSV and transform paths
//! without a real compressor.

use devian_ws_protocol::extensions::Extension;
use devian_ws_protocol::protocol::frame::RSV1;
use devian_ws_protocol::{Error, Result};

/// Reverses payloads; skips messages shorter than two bytes, as a
/// compressor may leave tiny ones alone. Invertible, for round trips.
pub struct Reverse;

impl Extension for Reverse {
    fn name(&self) -> &str {
        "x-reverse"
    }

    fn rsv_bits(&self) -> u8 {
        RSV1
    }

    fn decode_message(&mut self, payload: &mut Vec<u8>, max_size: usize) -> Result<()> {
        if payload.len() > max_size {
            return Err(too_big(payload.len(), max_size));
        }
        payload.reverse();
        Ok(())
    }

    fn encode_message(&mut self, payload: &mut Vec<u8>) -> Result<bool> {
        if payload.len() < 2 {
            return Ok(false);
        }
        payload.reverse();
        Ok(true)
    }
}

/// Doubles received payloads, like a decompressor expanding its input.
/// A `strict` one honours the `max_size` contract of
/// [`Extension::decode_message`]; a lax one ignores it, so the decoder's
/// own re-check of the limit is what stands between it and the caller.
pub struct Doubling {
    /// Fail with `TooBig` before growing past `max_size`.
    pub strict: bool,
    /// The RSV bits claimed (three-bit value).
    pub bits: u8,
}

impl Extension for Doubling {
    fn name(&self) -> &str {
        "x-doubling"
    }

    fn rsv_bits(&self) -> u8 {
        self.bits
    }

    fn decode_message(&mut self, payload: &mut Vec<u8>, max_size: usize) -> Result<()> {
        let doubled = payload.len().saturating_mul(2);
        if self.strict && doubled > max_size {
            return Err(too_big(doubled, max_size));
        }
        payload.extend_from_within(..);
        Ok(())
    }

    fn encode_message(&mut self, _payload: &mut Vec<u8>) -> Result<bool> {
        Ok(false)
    }
}

fn too_big(size: usize, limit: usize) -> Error {
    Error::TooBig {
        what: "message",
        size: size as u64,
        limit: limit as u64,
    }
}
