//! The one error type of the WebSocket stack.
//!
//! Every layer (URL parsing, handshake, framing, TLS, I/O) reports through
//! [`Error`]. Errors that end a connection because of the peer's behaviour
//! carry the close code the connection is failed with ([`Error::close_code`]).

use crate::close_code::CloseCode;
use std::fmt;
use std::io;

/// Result alias used throughout the stack.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong on a WebSocket.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The underlying stream failed.
    Io(io::Error),
    /// The URL could not be used; the text says why.
    Url(String),
    /// The opening handshake failed (RFC 6455 §4).
    Handshake(HandshakeError),
    /// TLS could not be established or verified.
    Tls(TlsError),
    /// The proxy refused or failed the tunnel (HTTP CONNECT status, SOCKS5
    /// reply, authentication); the text says which, never the credentials.
    Proxy(String),
    /// The peer broke RFC 6455 framing or sequencing: fail with 1002.
    Protocol(ProtocolViolation),
    /// A text message or close reason was not valid UTF-8: fail with 1007.
    InvalidUtf8,
    /// A frame or message exceeded the configured limit: fail with 1009.
    TooBig {
        /// What was too big: `"frame"` or `"message"`.
        what: &'static str,
        /// The size seen (or announced) so far, in bytes.
        size: u64,
        /// The configured limit, in bytes.
        limit: u64,
    },
    /// The close handshake has completed (or the peer closed the stream);
    /// the connection is gone. Not a failure.
    ConnectionClosed,
    /// A send or receive was attempted after a Close frame was sent or the
    /// connection ended. A usage error.
    AlreadyClosed,
    /// An operation did not finish in its allotted time.
    Timeout(&'static str),
    /// A bounded queue or buffer is full; nothing was dropped, the caller
    /// must retry later.
    Capacity(&'static str),
    /// The API was used in a way it does not allow; the text says how.
    Usage(&'static str),
}

/// A violation of RFC 6455 by the peer. Each one fails the connection
/// with 1002 (Protocol Error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolViolation {
    /// A frame used opcode 0x3-0x7 or 0xB-0xF (§5.2).
    ReservedOpcode(u8),
    /// RSV1, RSV2 or RSV3 was set without an extension that defines it (§5.2).
    ReservedBits(u8),
    /// A client sent an unmasked frame to a server (§5.1).
    UnmaskedFrame,
    /// A server sent a masked frame to a client (§5.1).
    MaskedFrame,
    /// A 64-bit payload length had its most significant bit set (§5.2).
    InvalidLength,
    /// A control frame was longer than 125 bytes (§5.5).
    ControlFrameTooLong,
    /// A control frame did not have FIN set (§5.5).
    FragmentedControlFrame,
    /// A continuation frame arrived with no message in progress (§5.4).
    UnexpectedContinuation,
    /// A new Text or Binary frame arrived inside a fragmented message (§5.4).
    ExpectedContinuation,
    /// A Close frame had a one-byte payload (§5.5.1).
    InvalidClosePayload,
    /// A Close frame carried a code peers may not send (§7.4).
    InvalidCloseCode(u16),
    /// A frame arrived after the peer's Close frame (§5.5.1).
    FrameAfterClose,
    /// The stream ended in the middle of a frame.
    TruncatedFrame,
    /// A compressed message was not valid DEFLATE data, or referred to a
    /// window it may not use (RFC 7692 §7.2.2).
    BadCompressedData,
}

/// Why the opening handshake failed (RFC 6455 §4).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The server answered with a status other than 101. The body is kept
    /// (bounded) because it usually explains the rejection.
    Rejected {
        /// HTTP status code.
        status: u16,
        /// The response body, up to a small limit.
        body: Vec<u8>,
    },
    /// The HTTP text could not be parsed; the text says where.
    Malformed(&'static str),
    /// A required header was missing or had the wrong value.
    BadHeader(&'static str),
    /// Sec-WebSocket-Accept did not match the key we sent.
    BadAccept,
    /// The server chose a sub-protocol the client did not offer.
    UnofferedSubprotocol(String),
    /// The server accepted an extension the client did not offer.
    UnofferedExtension(String),
    /// The server's answer to an extension we offered breaks that
    /// extension's negotiation rules (e.g. RFC 7692 §7.1: an unknown,
    /// repeated or invalid parameter). The text says which rule.
    InvalidExtensionParams(String),
    /// More headers than allowed, or a header section larger than allowed.
    TooLarge,
    /// The stream ended before the handshake finished.
    Eof,
}

/// Why TLS failed. The first three are the errors users most often need
/// to tell apart.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsError {
    /// The chain does not lead to a trusted root (self-signed, missing CA).
    UnknownIssuer,
    /// The certificate is valid, but not for the host we connected to.
    WrongHostName,
    /// The certificate has expired (or is not yet valid).
    Expired,
    /// The certificate does not match the pinned one.
    PinMismatch,
    /// A PEM root or certificate given in the configuration was unusable.
    BadConfig(String),
    /// Any other TLS failure, as rustls describes it.
    Other(String),
}

impl Error {
    /// The close code this error fails the connection with, if the error is
    /// the peer's fault (§7.1.7): 1002 for protocol violations, 1007 for
    /// invalid UTF-8, 1009 for size limits.
    pub fn close_code(&self) -> Option<CloseCode> {
        match self {
            Error::Protocol(_) => Some(CloseCode::PROTOCOL_ERROR),
            Error::InvalidUtf8 => Some(CloseCode::INVALID_PAYLOAD),
            Error::TooBig { .. } => Some(CloseCode::MESSAGE_TOO_BIG),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}

impl From<ProtocolViolation> for Error {
    fn from(v: ProtocolViolation) -> Self {
        Error::Protocol(v)
    }
}

impl From<HandshakeError> for Error {
    fn from(e: HandshakeError) -> Self {
        Error::Handshake(e)
    }
}

impl From<TlsError> for Error {
    fn from(e: TlsError) -> Self {
        Error::Tls(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "I/O error: {e}"),
            Error::Url(why) => write!(f, "invalid URL: {why}"),
            Error::Handshake(e) => write!(f, "handshake failed: {e}"),
            Error::Tls(e) => write!(f, "TLS failed: {e}"),
            Error::Proxy(why) => write!(f, "proxy: {why}"),
            Error::Protocol(v) => write!(f, "protocol error: {v}"),
            Error::InvalidUtf8 => f.write_str("invalid UTF-8 in text message or close reason"),
            Error::TooBig { what, size, limit } => {
                write!(f, "{what} too big: {size} bytes, limit {limit}")
            }
            Error::ConnectionClosed => f.write_str("connection closed"),
            Error::AlreadyClosed => f.write_str("connection already closed"),
            Error::Timeout(what) => write!(f, "timed out: {what}"),
            Error::Capacity(what) => write!(f, "queue full: {what}"),
            Error::Usage(what) => write!(f, "invalid use: {what}"),
        }
    }
}

impl fmt::Display for ProtocolViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolViolation::ReservedOpcode(op) => write!(f, "reserved opcode {op:#x}"),
            ProtocolViolation::ReservedBits(bits) => write!(f, "reserved bits {bits:#05b} set"),
            ProtocolViolation::UnmaskedFrame => f.write_str("client frame not masked"),
            ProtocolViolation::MaskedFrame => f.write_str("server frame masked"),
            ProtocolViolation::InvalidLength => f.write_str("64-bit length with top bit set"),
            ProtocolViolation::ControlFrameTooLong => f.write_str("control frame over 125 bytes"),
            ProtocolViolation::FragmentedControlFrame => f.write_str("fragmented control frame"),
            ProtocolViolation::UnexpectedContinuation => {
                f.write_str("continuation frame with no message started")
            }
            ProtocolViolation::ExpectedContinuation => {
                f.write_str("new data frame inside a fragmented message")
            }
            ProtocolViolation::InvalidClosePayload => f.write_str("close payload of one byte"),
            ProtocolViolation::InvalidCloseCode(c) => write!(f, "close code {c} not allowed"),
            ProtocolViolation::FrameAfterClose => f.write_str("frame after close"),
            ProtocolViolation::TruncatedFrame => f.write_str("stream ended inside a frame"),
            ProtocolViolation::BadCompressedData => {
                f.write_str("compressed message is not valid DEFLATE data")
            }
        }
    }
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandshakeError::Rejected { status, body } => write!(
                f,
                "server answered {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(200)])
            ),
            HandshakeError::Malformed(why) => write!(f, "malformed HTTP: {why}"),
            HandshakeError::BadHeader(h) => write!(f, "missing or invalid header {h}"),
            HandshakeError::BadAccept => f.write_str("Sec-WebSocket-Accept does not match"),
            HandshakeError::UnofferedSubprotocol(p) => {
                write!(f, "server chose sub-protocol {p:?} that was not offered")
            }
            HandshakeError::UnofferedExtension(e) => {
                write!(f, "server accepted extension {e:?} that was not offered")
            }
            HandshakeError::InvalidExtensionParams(why) => {
                write!(f, "invalid extension response: {why}")
            }
            HandshakeError::TooLarge => f.write_str("handshake too large"),
            HandshakeError::Eof => f.write_str("stream ended during handshake"),
        }
    }
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::UnknownIssuer => f.write_str("certificate issued by an unknown CA"),
            TlsError::WrongHostName => f.write_str("certificate not valid for this host name"),
            TlsError::Expired => f.write_str("certificate expired or not yet valid"),
            TlsError::PinMismatch => f.write_str("certificate does not match the pinned one"),
            TlsError::BadConfig(why) => write!(f, "bad TLS configuration: {why}"),
            TlsError::Other(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6455 §7.4.1: which code each failure closes with.
    #[test]
    fn rfc6455_7_4_1_close_codes_for_failures() {
        assert_eq!(
            Error::from(ProtocolViolation::MaskedFrame).close_code(),
            Some(CloseCode(1002))
        );
        assert_eq!(Error::InvalidUtf8.close_code(), Some(CloseCode(1007)));
        let big = Error::TooBig {
            what: "message",
            size: 10,
            limit: 5,
        };
        assert_eq!(big.close_code(), Some(CloseCode(1009)));
        assert_eq!(Error::ConnectionClosed.close_code(), None);
    }
}
