//! permessage-deflate (RFC 7692): compressed messages over the extension
//! hook of [`crate::extensions`].
//!
//! - [`DeflateConfig`] is what a user turns on (off by default everywhere);
//!   [`DeflateParams`] is what the handshake agreed on.
//! - [`negotiation`] writes the client's offer, checks the server's answer
//!   (§7.1) and, on the server, picks an offer it can honour (§5).
//! - [`PerMessageDeflate`] is the [`crate::extensions::Extension`] that
//!   compresses and inflates messages (§7.2), installed on the
//!   [`crate::Decoder`] and the [`crate::Encoder`] separately.
//!
//! The backend is `flate2` on pure-Rust `miniz_oxide`, whose compressor
//! always uses a 32 KiB (15-bit) window. Inflating with a 15-bit window
//! reads any smaller window, so only *our* sending window can be a problem;
//! [`PerMessageDeflate`] explains how a smaller agreed window is honoured.

mod codec;
mod config;
pub mod negotiation;

pub use codec::PerMessageDeflate;
pub use config::{DeflateConfig, DeflateParams, MAX_WINDOW_BITS, MIN_WINDOW_BITS};

/// The extension token (RFC 7692 §5).
pub const PERMESSAGE_DEFLATE: &str = "permessage-deflate";
