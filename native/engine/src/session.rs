//! How a session (one TCP connection) ended, as the reconnect logic needs it.

use crate::event::ErrorKind;
use devian_ws_protocol::{CloseCode, Error};

/// Why a session ended. The first thread to notice sets it.
#[derive(Debug, Clone)]
pub(crate) struct SessionEnd {
    /// Close code: the peer's, or 1006 when there was no close handshake.
    pub(crate) code: CloseCode,
    /// Close reason, or a description of the failure.
    pub(crate) reason: String,
    /// Both Close frames were exchanged (RFC 6455 §7.1.4 "cleanly").
    pub(crate) clean: bool,
    /// A failure to report as an `Error` event.
    pub(crate) error: Option<(ErrorKind, String)>,
}

impl SessionEnd {
    /// A completed close handshake.
    pub(crate) fn clean(code: CloseCode, reason: String) -> SessionEnd {
        SessionEnd {
            code,
            reason,
            clean: true,
            error: None,
        }
    }

    /// The connection was lost without a close handshake (§7.1.5: 1006).
    pub(crate) fn abnormal(kind: ErrorKind, text: impl Into<String>) -> SessionEnd {
        let text = text.into();
        SessionEnd {
            code: CloseCode::ABNORMAL,
            reason: text.clone(),
            clean: false,
            error: Some((kind, text)),
        }
    }

    /// A failure while connecting or running. The code says whether a
    /// reconnect makes sense under the default policy: transient network
    /// trouble is 1006; TLS failures are 1015 (§7.4.1, local only);
    /// a server rejecting the upgrade with 4xx is a policy decision (1008),
    /// with 5xx an internal error (1011); other handshake and protocol
    /// failures are 1002, or the code the error itself fails with.
    pub(crate) fn from_error(e: &Error) -> SessionEnd {
        use devian_ws_protocol::error::HandshakeError;
        let kind = crate::event::error_kind(e);
        let code = match e {
            Error::Tls(_) => CloseCode::TLS_HANDSHAKE,
            Error::Handshake(HandshakeError::Rejected { status, .. }) if *status >= 500 => {
                CloseCode::INTERNAL_ERROR
            }
            Error::Handshake(HandshakeError::Rejected { .. }) => CloseCode::POLICY_VIOLATION,
            Error::Handshake(HandshakeError::Eof) => CloseCode::ABNORMAL,
            Error::Handshake(_) | Error::Url(_) => CloseCode::PROTOCOL_ERROR,
            other => other.close_code().unwrap_or(CloseCode::ABNORMAL),
        };
        let text = e.to_string();
        SessionEnd {
            code,
            reason: text.clone(),
            clean: false,
            error: Some((kind, text)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use devian_ws_protocol::error::{HandshakeError, TlsError};

    #[test]
    fn codes_decide_reconnect_under_default_policy() {
        let policy = devian_ws_policy::ReconnectPolicy::default();
        let retry = |e: Error| policy.should_reconnect(SessionEnd::from_error(&e).code.0, false, 1);
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(retry(Error::Io(refused)));
        assert!(retry(Error::Timeout("connect")));
        assert!(retry(Error::Handshake(HandshakeError::Rejected {
            status: 503,
            body: vec![]
        })));
        assert!(!retry(Error::Handshake(HandshakeError::Rejected {
            status: 401,
            body: vec![]
        })));
        assert!(!retry(Error::Tls(TlsError::UnknownIssuer)));
        assert!(!retry(Error::Handshake(HandshakeError::BadAccept)));
        // RFC 6455 §7.4.1: a peer breaking the protocol is failed with 1002, final.
        let violation = devian_ws_protocol::ProtocolViolation::MaskedFrame;
        assert_eq!(
            SessionEnd::from_error(&Error::Protocol(violation)).code,
            CloseCode(1002)
        );
    }
}
