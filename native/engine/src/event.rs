//! What the consumer sees, and how failures are categorised.

use crate::pool::PooledBuf;
use devian_ws_protocol::{Error, MessageKind};

/// What the consumer sees, in order: the event type shared with the WebGL
/// build ([`devian_ws_policy::Event`]), with the engine's message kind and
/// pooled payload.
pub type Event = devian_ws_policy::Event<MessageKind, PooledBuf>;

pub use devian_ws_policy::ErrorKind;

/// The broad category of a failure, for [`Event::Error`].
pub fn error_kind(e: &Error) -> ErrorKind {
    match e {
        Error::Io(io) if is_timeout(io) => ErrorKind::Timeout,
        Error::Io(_) => ErrorKind::Io,
        Error::Tls(_) => ErrorKind::Tls,
        Error::Handshake(_) => ErrorKind::Handshake,
        Error::Protocol(_) | Error::InvalidUtf8 | Error::TooBig { .. } => ErrorKind::Protocol,
        Error::Timeout(_) => ErrorKind::Timeout,
        Error::Proxy(_) => ErrorKind::Proxy,
        _ => ErrorKind::Other,
    }
}

pub(crate) use devian_websocket::is_timeout;

#[cfg(test)]
mod tests {
    use super::*;
    use devian_ws_protocol::ProtocolViolation;

    #[test]
    fn kinds_of_errors() {
        let timeout = std::io::Error::from(std::io::ErrorKind::WouldBlock);
        assert_eq!(error_kind(&Error::Io(timeout)), ErrorKind::Timeout);
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(error_kind(&Error::Io(refused)), ErrorKind::Io);
        assert_eq!(
            error_kind(&Error::Protocol(ProtocolViolation::MaskedFrame)),
            ErrorKind::Protocol
        );
        assert_eq!(error_kind(&Error::Timeout("pong")), ErrorKind::Timeout);
        assert_eq!(error_kind(&Error::Usage("x")), ErrorKind::Other);
    }
}
