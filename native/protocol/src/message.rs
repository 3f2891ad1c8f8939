//! The message type of the Rust API (seed 001's `WebSocketMessage`).

use crate::close_code::CloseCode;
use crate::protocol::frame::Opcode;

/// Whether a data message is text or binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// UTF-8 text (opcode 0x1).
    Text,
    /// Arbitrary bytes (opcode 0x2).
    Binary,
}

impl From<MessageKind> for Opcode {
    /// The opcode of the message's first (or only) frame (§5.6).
    fn from(kind: MessageKind) -> Opcode {
        match kind {
            MessageKind::Text => Opcode::Text,
            MessageKind::Binary => Opcode::Binary,
        }
    }
}

/// A complete WebSocket message, as the blocking API sends and receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A UTF-8 text message.
    Text(String),
    /// A binary message.
    Binary(Vec<u8>),
    /// A ping; the protocol layer answers it unless auto-pong is off.
    Ping(Vec<u8>),
    /// A pong, solicited or not.
    Pong(Vec<u8>),
    /// A close frame: the code (1005 when the frame had none) and reason.
    Close(CloseCode, String),
}

impl Message {
    /// A text message.
    pub fn text(s: impl Into<String>) -> Self {
        Message::Text(s.into())
    }

    /// A binary message.
    pub fn binary(b: impl Into<Vec<u8>>) -> Self {
        Message::Binary(b.into())
    }

    /// The payload length in bytes (the reason's length for Close).
    pub fn len(&self) -> usize {
        match self {
            Message::Text(s) => s.len(),
            Message::Binary(b) | Message::Ping(b) | Message::Pong(b) => b.len(),
            Message::Close(_, r) => r.len(),
        }
    }

    /// Whether the payload is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether this is a Text or Binary message.
    pub fn is_data(&self) -> bool {
        matches!(self, Message::Text(_) | Message::Binary(_))
    }
}
