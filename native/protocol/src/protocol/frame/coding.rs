//! Opcodes and their wire values (RFC 6455 §5.2, §11.8).

use crate::error::ProtocolViolation;

/// Frame opcodes (§5.2, §11.8).
///
/// Only the six opcodes RFC 6455 defines exist; the reserved values
/// 0x3-0x7 and 0xB-0xF are rejected when parsed ([`Opcode::from_u8`]), so
/// a value of this type is always valid on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Opcode {
    /// 0x0
    Continuation,
    /// 0x1
    Text,
    /// 0x2
    Binary,
    /// 0x8
    Close,
    /// 0x9
    Ping,
    /// 0xA
    Pong,
}

impl Opcode {
    /// Parses the low four bits of a frame's first byte.
    ///
    /// Reserved opcodes fail with [`ProtocolViolation::ReservedOpcode`]
    /// (§5.2: "If an unknown opcode is received, the receiving endpoint MUST
    /// _Fail the WebSocket Connection_").
    pub fn from_u8(op: u8) -> Result<Opcode, ProtocolViolation> {
        match op {
            0x0 => Ok(Opcode::Continuation),
            0x1 => Ok(Opcode::Text),
            0x2 => Ok(Opcode::Binary),
            0x8 => Ok(Opcode::Close),
            0x9 => Ok(Opcode::Ping),
            0xA => Ok(Opcode::Pong),
            other => Err(ProtocolViolation::ReservedOpcode(other)),
        }
    }

    /// The four-bit wire value.
    pub fn as_u8(self) -> u8 {
        match self {
            Opcode::Continuation => 0x0,
            Opcode::Text => 0x1,
            Opcode::Binary => 0x2,
            Opcode::Close => 0x8,
            Opcode::Ping => 0x9,
            Opcode::Pong => 0xA,
        }
    }

    /// Close, Ping or Pong: the opcodes with the high bit set (§5.5).
    pub fn is_control(self) -> bool {
        self.as_u8() & 0x8 != 0
    }

    /// Continuation, Text or Binary (§5.6).
    pub fn is_data(self) -> bool {
        !self.is_control()
    }
}

impl From<Opcode> for u8 {
    fn from(op: Opcode) -> u8 {
        op.as_u8()
    }
}

impl TryFrom<u8> for Opcode {
    type Error = ProtocolViolation;

    fn try_from(op: u8) -> Result<Opcode, ProtocolViolation> {
        Opcode::from_u8(op)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::CloseCode;

    // RFC 6455 §5.2: every defined opcode round-trips through its wire value.
    #[test]
    fn rfc6455_5_2_defined_opcodes_round_trip() {
        for (value, op) in [
            (0x0, Opcode::Continuation),
            (0x1, Opcode::Text),
            (0x2, Opcode::Binary),
            (0x8, Opcode::Close),
            (0x9, Opcode::Ping),
            (0xA, Opcode::Pong),
        ] {
            assert_eq!(Opcode::from_u8(value), Ok(op));
            assert_eq!(u8::from(op), value);
            assert_eq!(Opcode::try_from(value), Ok(op));
        }
    }

    // RFC 6455 §5.2: 0x3-0x7 (non-control) and 0xB-0xF (control) are reserved
    // and fail the connection with 1002.
    #[test]
    fn rfc6455_5_2_reserved_opcodes_are_rejected() {
        for value in (0x3..=0x7).chain(0xB..=0xF) {
            let v = Opcode::from_u8(value).unwrap_err();
            assert_eq!(v, ProtocolViolation::ReservedOpcode(value));
            assert_eq!(Error::from(v).close_code(), Some(CloseCode::PROTOCOL_ERROR));
        }
    }

    // RFC 6455 §5.5 / §5.6: control opcodes have the high bit set.
    #[test]
    fn rfc6455_5_5_control_and_data_classes() {
        let control = [Opcode::Close, Opcode::Ping, Opcode::Pong];
        let data = [Opcode::Continuation, Opcode::Text, Opcode::Binary];
        for op in control {
            assert!(op.is_control() && !op.is_data(), "{op:?}");
        }
        for op in data {
            assert!(op.is_data() && !op.is_control(), "{op:?}");
        }
    }
}
