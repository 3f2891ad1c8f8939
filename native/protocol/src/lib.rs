//! Sans-I/O implementation of the WebSocket protocol (RFC 6455).
//!
//! Nothing in this crate touches a socket. Bytes go in, messages and the
//! replies the protocol requires come out; frames are written into caller
//! buffers. The blocking API (`devian-websocket`) and the threaded engine
//! (`devian-ws-engine`) both drive these types, which is why the receive
//! side ([`Decoder`]) and the send side ([`Encoder`]) are separate values
//! that can live on different threads.
//!
//! Layout (after tungstenite):
//! - [`protocol::frame`]: header, masking and frame coding (§5.2, §5.3);
//! - [`protocol`]: message reassembly, control frames, UTF-8 and the close
//!   handshake (§5.4, §5.5, §7);
//! - [`handshake`]: the opening handshake for both roles (§4);
//! - [`url`]: `ws://` and `wss://` URLs (§3);
//! - [`deflate`]: permessage-deflate (RFC 7692), off unless configured;
//! - [`error`]: the one error enum.

// One module calls code compiled for AVX2 after a run-time check
// (`protocol::frame::mask`); nothing else may use `unsafe`.
#![deny(unsafe_code)]

pub mod close_code;
pub mod deflate;
pub mod error;
pub mod extensions;
pub mod handshake;
pub mod message;
pub mod protocol;
pub mod url;

pub use close_code::CloseCode;
pub use error::{Error, ProtocolViolation, Result};
pub use message::{Message, MessageKind};
pub use protocol::frame::{Opcode, MAX_HEADER_LEN};
pub use protocol::{ControlPayload, Decoded, Decoder, Encoder, Limits, Role, MAX_CONTROL_PAYLOAD};
pub use url::WsUrl;
