//! What a user asks for, and what the handshake agreed on (RFC 7692 §7.1).

use crate::protocol::Role;

/// Largest LZ77 window, as a power of two (RFC 7692 §7.1.2): 32 KiB.
pub const MAX_WINDOW_BITS: u8 = 15;

/// Smallest LZ77 window a peer may ask for (RFC 7692 §7.1.2): 256 bytes.
pub const MIN_WINDOW_BITS: u8 = 8;

/// permessage-deflate settings for one side of a connection. Off unless a
/// configuration holds `Some(DeflateConfig)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeflateConfig {
    /// Ask (client) or require (server) that the client compresses each
    /// message on its own (`client_no_context_takeover`, RFC 7692 §7.1.1.2).
    /// Costs ratio, saves the client's 32 KiB compression window.
    pub client_no_context_takeover: bool,
    /// Ask (client) or decide (server) that the server compresses each
    /// message on its own (`server_no_context_takeover`, RFC 7692 §7.1.1.1).
    pub server_no_context_takeover: bool,
    /// DEFLATE level, 0 (store) to 9 (best); 6 is zlib's default. Values
    /// above 9 are treated as 9.
    pub level: u8,
}

impl Default for DeflateConfig {
    /// Context takeover in both directions (the best ratio), level 6.
    fn default() -> Self {
        DeflateConfig {
            client_no_context_takeover: false,
            server_no_context_takeover: false,
            level: 6,
        }
    }
}

/// The parameters both ends agreed on in the handshake (RFC 7692 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeflateParams {
    /// The server starts every message with an empty window.
    pub server_no_context_takeover: bool,
    /// The client starts every message with an empty window.
    pub client_no_context_takeover: bool,
    /// The window the server compresses with, 8 to 15 (15 when unstated).
    pub server_max_window_bits: u8,
    /// The window the client compresses with, 8 to 15 (15 when unstated).
    pub client_max_window_bits: u8,
    /// Our compression level (not negotiated; from [`DeflateConfig`]).
    pub level: u8,
}

impl Default for DeflateParams {
    /// What a bare `permessage-deflate` agrees on: context takeover and
    /// 15-bit windows both ways, level 6.
    fn default() -> Self {
        DeflateParams {
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: MAX_WINDOW_BITS,
            client_max_window_bits: MAX_WINDOW_BITS,
            level: DeflateConfig::default().level,
        }
    }
}

impl DeflateParams {
    /// Whether the side playing `role` resets its compressor per message.
    pub fn no_context_takeover(&self, role: Role) -> bool {
        match role {
            Role::Client => self.client_no_context_takeover,
            Role::Server => self.server_no_context_takeover,
        }
    }

    /// The window the side playing `role` compresses with.
    pub fn max_window_bits(&self, role: Role) -> u8 {
        match role {
            Role::Client => self.client_max_window_bits,
            Role::Server => self.server_max_window_bits,
        }
    }
}
