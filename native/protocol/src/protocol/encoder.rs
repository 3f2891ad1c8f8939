//! The send half: frames written into caller buffers (§5.2, §5.3).
// CONTRACT STUB: signatures fixed; bodies to be implemented.

use super::frame::Opcode;
use super::Role;
use crate::close_code::CloseCode;
use crate::error::Result;
use crate::message::MessageKind;

/// Writes frames; masks them with a fresh random key when the role is Client.
#[derive(Debug)]
pub struct Encoder {
    _role: Role,
}

impl Encoder {
    /// An encoder for our `role`.
    pub fn new(role: Role) -> Self {
        Encoder { _role: role }
    }

    /// Appends one unfragmented data message to `out`.
    pub fn encode_message(&mut self, _kind: MessageKind, _payload: &[u8], _out: &mut Vec<u8>) {
        todo!()
    }

    /// Appends one frame with the given opcode and FIN bit to `out`
    /// (fragmentation: first frame Text/Binary, then Continuation).
    pub fn encode_frame(&mut self, _opcode: Opcode, _fin: bool, _payload: &[u8], _out: &mut Vec<u8>) {
        todo!()
    }

    /// Appends a Ping or Pong; `Err(Usage)` if payload > 125 bytes or opcode not Ping/Pong.
    pub fn encode_control(&mut self, _opcode: Opcode, _payload: &[u8], _out: &mut Vec<u8>) -> Result<()> {
        todo!()
    }

    /// Appends a Close frame. `None` sends an empty payload. `Err(Usage)` for a
    /// code not allowed on the wire or a reason over 123 bytes.
    pub fn encode_close(&mut self, _code: Option<CloseCode>, _reason: &str, _out: &mut Vec<u8>) -> Result<()> {
        todo!()
    }

    /// Zero-copy path: `buf` holds [`super::frame::MAX_HEADER_LEN`] spare
    /// bytes followed by the payload. Writes the header right before the
    /// payload, masks the payload in place, and returns the offset where
    /// the finished frame starts (send `&buf[start..]`).
    pub fn encode_in_place(&mut self, _opcode: Opcode, _fin: bool, _buf: &mut [u8]) -> usize {
        todo!()
    }
}
