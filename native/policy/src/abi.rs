//! The numbers the C ABI speaks, defined once for every build: the native
//! library's `dws_*` functions (its C header and generated C# take them from
//! here) and the WebGL module's bridge use these constants, so one C#
//! transport layer reads both the same way. Never renumber: they are part of
//! the binary interface of every shipped plugin.

/// Status codes every call returns: 0 and above is success, negative is a
/// failure whose text the thread's last-error call gives.
pub mod status {
    /// Success.
    pub const OK: i32 = 0;
    /// Polling: no event waiting. Not a failure.
    pub const EMPTY: i32 = 1;
    /// The handle (or WebGL connection id) is unknown, stale or freed.
    pub const INVALID_HANDLE: i32 = -1;
    /// A required pointer argument was null.
    pub const NULL_POINTER: i32 = -2;
    /// An argument is out of range or malformed, or (on WebGL) asks for what
    /// the browser's WebSocket cannot do.
    pub const INVALID_ARGUMENT: i32 = -3;
    /// The call does not fit the connection's state.
    pub const INVALID_STATE: i32 = -4;
    /// The bounded send queue is full; nothing was queued.
    pub const QUEUE_FULL: i32 = -5;
    /// The connection is closed or closing.
    pub const CLOSED: i32 = -6;
    /// A text argument or message was not valid UTF-8.
    pub const INVALID_UTF8: i32 = -7;
    /// A Rust panic was caught at the boundary (a trap, on WebGL).
    pub const PANIC: i32 = -8;
    /// Any other failure (on WebGL: the browser threw).
    pub const INTERNAL: i32 = -9;
}

/// Kinds of event a poll returns.
pub mod event {
    /// The connection is open; data: the chosen sub-protocol.
    pub const OPEN: u32 = 1;
    /// A complete message, text or binary ([`super::message`]).
    pub const MESSAGE: u32 = 2;
    /// The close handshake started.
    pub const CLOSING: u32 = 3;
    /// The connection ended for good: close code, clean flag, reason.
    pub const CLOSED: u32 = 4;
    /// Something failed; data: a description.
    pub const ERROR: u32 = 5;
    /// The connection dropped; a reconnect attempt is scheduled.
    pub const RECONNECTING: u32 = 6;
    /// A reconnect succeeded.
    pub const RECONNECTED: u32 = 7;
    /// Authentication completed.
    pub const AUTHENTICATED: u32 = 8;
}

/// Kinds of message, received or sent.
pub mod message {
    /// UTF-8 text.
    pub const TEXT: u32 = 1;
    /// Binary.
    pub const BINARY: u32 = 2;
}

/// Connection states (C# `WebSocketState`).
pub mod state {
    /// Not connected: before connect, or ended for good.
    pub const CLOSED: u32 = 0;
    /// TCP, TLS or the upgrade handshake in progress.
    pub const CONNECTING: u32 = 1;
    /// Open; the authentication message is being sent.
    pub const AUTHENTICATING: u32 = 2;
    /// Open.
    pub const OPEN: u32 = 3;
    /// The close handshake is in progress.
    pub const CLOSING: u32 = 4;
    /// Dropped; waiting to reconnect.
    pub const RECONNECTING: u32 = 5;
}

/// Byte offsets of `DwsEvent`, the event `dws_client_poll` writes: the same on
/// 64-bit targets and on wasm32, where the one pointer (`data`) is 4 bytes and
/// the padding after it keeps `len` at 16. The WebGL module writes the struct
/// into the player's heap with these; the native struct is checked against
/// them (`native/ffi/tests/jslib.rs`).
pub mod event_layout {
    /// `kind: u32`, an [`super::event`] number.
    pub const KIND: usize = 0;
    /// `message_kind: u32`, a [`super::message`] number.
    pub const MESSAGE_KIND: usize = 4;
    /// `data: *const u8` (4 bytes on wasm32).
    pub const DATA: usize = 8;
    /// `len: u64`.
    pub const LEN: usize = 16;
    /// `code: u16`, the close code.
    pub const CODE: usize = 24;
    /// `was_clean: u8`.
    pub const WAS_CLEAN: usize = 26;
    /// `error_kind: u32`.
    pub const ERROR_KIND: usize = 28;
    /// `attempt: u32`.
    pub const ATTEMPT: usize = 32;
    /// `delay_ms: u32`.
    pub const DELAY_MS: usize = 36;
    /// `unsent: u64`.
    pub const UNSENT: usize = 40;
    /// The whole struct.
    pub const SIZE: usize = 48;
}
