//! The receive half: bytes in, messages and required replies out (§5.4, §5.5, §7).
// CONTRACT STUB: signatures fixed; bodies to be implemented.

use super::{ControlPayload, Limits, Role};
use crate::close_code::CloseCode;
use crate::error::Result;
use crate::message::MessageKind;

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

/// Parses frames incrementally and reassembles messages.
#[derive(Debug)]
pub struct Decoder {
    _role: Role,
    _limits: Limits,
}

impl Decoder {
    /// A decoder for our `role` (it checks the peer's masking accordingly).
    pub fn new(role: Role, limits: Limits) -> Self {
        Decoder { _role: role, _limits: limits }
    }

    /// Whether Pings get an automatic [`Reply::Pong`] (default true).
    pub fn set_auto_pong(&mut self, _on: bool) {
        todo!()
    }

    /// Decodes from `input`. Payload bytes of the data message in progress
    /// are appended (unmasked) to `message`; the caller passes the same
    /// buffer until [`Decoded::Message`] comes back, then takes it and passes
    /// an empty one. Returns how many bytes of `input` were consumed and at
    /// most one event; call again with the rest. Errors carry the close code
    /// to fail the connection with ([`crate::Error::close_code`]).
    pub fn decode(&mut self, _input: &[u8], _message: &mut Vec<u8>) -> Result<(usize, Option<Decoded>)> {
        todo!()
    }

    /// The reply the last event requires, if any (auto-pong, close echo).
    pub fn take_reply(&mut self) -> Option<Reply> {
        todo!()
    }

    /// Whether the peer's Close frame has been received.
    pub fn close_received(&self) -> bool {
        todo!()
    }
}
