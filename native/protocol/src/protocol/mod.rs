//! Frames to messages and back (RFC 6455 §5, §7), without I/O.
//!
//! [`Decoder`] is the receive half: it takes bytes as they arrive and yields
//! complete messages, control frames and the replies the protocol requires.
//! [`Encoder`] is the send half: it writes frames into caller buffers. They
//! share no state, so a receive thread and a send thread can each own one;
//! what the decoder asks to send ([`Reply`]) is handed to whoever owns the
//! encoder.
//!
//! A negotiated extension ([`crate::extensions::Extension`]) is installed
//! on each half separately; it makes its RSV bits legal on the first frame
//! of a data message and transforms whole messages (RFC 7692's model).

mod decoder;
mod encoder;
pub mod frame;
mod utf8;

pub use decoder::{Decoded, Decoder, Reply};
pub use encoder::Encoder;
pub use utf8::Utf8Validator;

#[cfg(test)]
pub(crate) mod round_trip_tests;

/// Which end of the connection we are. Clients mask, servers never do (§5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The connecting side; masks every frame it sends.
    Client,
    /// The accepting side; never masks, requires masked input.
    Server,
}

/// The largest payload a control frame may carry (§5.5).
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// Size limits against hostile peers. Exceeding either fails the connection
/// with 1009. Announced lengths are checked before anything is allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest payload of a single frame, in bytes.
    pub max_frame_size: usize,
    /// Largest reassembled message, in bytes.
    pub max_message_size: usize,
}

impl Default for Limits {
    /// 16 MiB frames and 64 MiB messages, as tungstenite.
    fn default() -> Self {
        Limits {
            max_frame_size: 16 << 20,
            max_message_size: 64 << 20,
        }
    }
}

/// A control frame payload (at most 125 bytes) held inline, so pings,
/// pongs and close frames never allocate.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ControlPayload {
    len: u8,
    buf: [u8; MAX_CONTROL_PAYLOAD],
}

impl ControlPayload {
    /// An empty payload.
    pub const EMPTY: ControlPayload = ControlPayload {
        len: 0,
        buf: [0; MAX_CONTROL_PAYLOAD],
    };

    /// Copies `bytes` in; `None` if longer than 125 bytes.
    pub fn new(bytes: &[u8]) -> Option<Self> {
        if bytes.len() > MAX_CONTROL_PAYLOAD {
            return None;
        }
        let mut p = Self::EMPTY;
        p.buf[..bytes.len()].copy_from_slice(bytes);
        p.len = bytes.len() as u8;
        Some(p)
    }

    /// The payload bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len as usize]
    }
}

impl std::fmt::Debug for ControlPayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ControlPayload({:?})", self.as_slice())
    }
}
