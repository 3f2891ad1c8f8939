//! Errors of the WebGL module and the status codes the JavaScript bridge returns for them.
//!
//! The bridge (`devian-ws.jslib`) implements the native library's `dws_*` functions over this
//! module, so its statuses are [`abi::status`](devian_ws_policy::abi::status), those of the
//! native `DwsStatus`: a negative value is one of the [`ErrorKind`] codes below, and the text
//! is fetched with `dws_last_error`. [`BUFFER_TOO_SMALL`] is the one code private to the bridge.

use core::fmt;
use devian_ws_policy::abi::status;

/// `ws_next`'s answer when the bridge's receive buffer is smaller than the next event's
/// payload (nothing consumed): the bridge grows its buffer and asks again. It never reaches C#.
pub const BUFFER_TOO_SMALL: i32 = -11;

/// What went wrong, as a stable negative status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// No connection has this id (never created, or already destroyed).
    UnknownId,
    /// An argument is malformed: URL, sub-protocol token, close code or reason, limits.
    InvalidArgument,
    /// The call does not fit the connection's state (send before connect, connect twice).
    InvalidState,
    /// The send buffer (used while connecting or reconnecting) is full; nothing was queued.
    QueueFull,
    /// The connection is closed or closing.
    Closed,
    /// A text message is not valid UTF-8 (RFC 6455 §8.1).
    InvalidUtf8,
    /// The browser threw, or the bridge could not reach the module.
    Browser,
    /// The browser's WebSocket cannot do it: custom headers, custom TLS roots, protocol ping.
    NotSupported,
    /// The caller's buffer is smaller than the next event's payload; nothing was consumed.
    BufferTooSmall,
}

impl ErrorKind {
    /// The status code the bridge returns for this error (always negative).
    pub const fn code(self) -> i32 {
        match self {
            ErrorKind::UnknownId => status::INVALID_HANDLE,
            ErrorKind::InvalidArgument => status::INVALID_ARGUMENT,
            ErrorKind::InvalidState => status::INVALID_STATE,
            ErrorKind::QueueFull => status::QUEUE_FULL,
            ErrorKind::Closed => status::CLOSED,
            ErrorKind::InvalidUtf8 => status::INVALID_UTF8,
            // PANIC is the bridge's own code for a trap (a panic) inside the module.
            ErrorKind::Browser => status::INTERNAL,
            // The C ABI has no code of its own for this; the message names what is missing.
            ErrorKind::NotSupported => status::INVALID_ARGUMENT,
            ErrorKind::BufferTooSmall => BUFFER_TOO_SMALL,
        }
    }
}

/// An error with a message meant for the developer reading the Unity console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    /// An error of `kind` with an explanatory message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The kind, which fixes the status code.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The explanatory message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Shorthand used throughout the crate.
pub type Result<T> = core::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_negative() {
        let all = [
            ErrorKind::UnknownId,
            ErrorKind::InvalidArgument,
            ErrorKind::InvalidState,
            ErrorKind::QueueFull,
            ErrorKind::Closed,
            ErrorKind::InvalidUtf8,
            ErrorKind::Browser,
            ErrorKind::BufferTooSmall,
        ];
        for (i, a) in all.iter().enumerate() {
            assert!(a.code() < 0, "{a:?}");
            for b in &all[i + 1..] {
                assert_ne!(a.code(), b.code(), "{a:?} and {b:?} share a code");
            }
        }
        // Shared with the native DwsStatus / C# TransportStatus.
        assert_eq!(ErrorKind::InvalidArgument.code(), -3);
        assert_eq!(ErrorKind::Closed.code(), -6);
    }

    /// The bridge keeps its own copies of the codes it returns without asking the module
    /// (a trap, a throw, a null pointer, no event, the "grow your buffer" answer); they must
    /// be the shared ones.
    #[test]
    fn the_bridges_own_codes_are_the_abis() {
        let jslib = include_str!("../../unity-package/Runtime/Plugins/WebGL/devian-ws.jslib");
        for (name, code) in [
            ("E_PANIC", status::PANIC),
            ("E_INTERNAL", status::INTERNAL),
            ("E_BUFFER_TOO_SMALL", BUFFER_TOO_SMALL),
            ("E_INVALID_ARGUMENT", status::INVALID_ARGUMENT),
            ("E_INVALID_HANDLE", status::INVALID_HANDLE),
            ("E_NULL_POINTER", status::NULL_POINTER),
            ("E_INVALID_STATE", status::INVALID_STATE),
            ("E_EMPTY", status::EMPTY),
        ] {
            let line = format!("{name}: {code},");
            assert!(jslib.contains(&line), "devian-ws.jslib must say `{line}`");
        }
    }

    #[test]
    fn display_is_the_message() {
        let e = Error::new(ErrorKind::QueueFull, "send buffer full");
        assert_eq!(e.to_string(), "send buffer full");
        assert_eq!(e.kind().code(), -5);
    }
}
