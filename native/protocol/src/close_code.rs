//! Close status codes (RFC 6455 §7.4) with their meanings.

use std::fmt;

/// A close status code as carried in a Close frame (RFC 6455 §7.4).
///
/// Any `u16` can be held; [`CloseCode::is_allowed_on_wire`] says whether a
/// peer may send it. Codes 1005, 1006 and 1015 are reserved for local use:
/// they describe what happened, never travel in a frame.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CloseCode(pub u16);

impl CloseCode {
    /// 1000: the purpose of the connection has been fulfilled.
    pub const NORMAL: CloseCode = CloseCode(1000);
    /// 1001: an endpoint is going away (server shutdown, page unload).
    pub const GOING_AWAY: CloseCode = CloseCode(1001);
    /// 1002: the peer broke the protocol.
    pub const PROTOCOL_ERROR: CloseCode = CloseCode(1002);
    /// 1003: a data type the endpoint cannot accept.
    pub const UNSUPPORTED_DATA: CloseCode = CloseCode(1003);
    /// 1005: local only; the Close frame carried no code.
    pub const NO_STATUS: CloseCode = CloseCode(1005);
    /// 1006: local only; the connection ended without a close handshake.
    pub const ABNORMAL: CloseCode = CloseCode(1006);
    /// 1007: a message's data did not match its type (bad UTF-8 in text).
    pub const INVALID_PAYLOAD: CloseCode = CloseCode(1007);
    /// 1008: a policy was violated (authentication, security).
    pub const POLICY_VIOLATION: CloseCode = CloseCode(1008);
    /// 1009: a frame or message exceeded the configured limit.
    pub const MESSAGE_TOO_BIG: CloseCode = CloseCode(1009);
    /// 1010: the client expected an extension the server did not negotiate.
    pub const MANDATORY_EXTENSION: CloseCode = CloseCode(1010);
    /// 1011: the server hit an unexpected condition.
    pub const INTERNAL_ERROR: CloseCode = CloseCode(1011);
    /// 1012: the service is restarting.
    pub const SERVICE_RESTART: CloseCode = CloseCode(1012);
    /// 1013: try again later (overload).
    pub const TRY_AGAIN_LATER: CloseCode = CloseCode(1013);
    /// 1014: a gateway got an invalid response upstream.
    pub const BAD_GATEWAY: CloseCode = CloseCode(1014);
    /// 1015: local only; the TLS handshake failed.
    pub const TLS_HANDSHAKE: CloseCode = CloseCode(1015);

    /// Whether a peer may put this code in a Close frame (§7.4.1, §7.4.2 and
    /// the IANA registry): 1000-1003, 1007-1014, and 3000-4999.
    pub fn is_allowed_on_wire(self) -> bool {
        matches!(self.0, 1000..=1003 | 1007..=1014 | 3000..=4999)
    }

    /// Whether this code means the connection may be retried later, under the
    /// default reconnect policy (1001, 1006, 1011, 1012, 1013).
    pub fn is_transient(self) -> bool {
        matches!(self.0, 1001 | 1006 | 1011 | 1012 | 1013)
    }

    /// A short human meaning, and what a client usually does about it.
    pub fn meaning(self) -> &'static str {
        match self.0 {
            1000 => "normal closure",
            1001 => "going away (server shutdown or page unload)",
            1002 => "protocol error",
            1003 => "unsupported data",
            1005 => "no status code received",
            1006 => "abnormal closure (connection lost, no close frame)",
            1007 => "invalid payload data (e.g. bad UTF-8)",
            1008 => "policy violation (authentication or security)",
            1009 => "message too big",
            1010 => "mandatory extension missing",
            1011 => "internal server error",
            1012 => "service restart",
            1013 => "try again later",
            1014 => "bad gateway",
            1015 => "TLS handshake failure",
            3000..=3999 => "registered application code",
            4000..=4999 => "private application code",
            _ => "unknown close code",
        }
    }
}

impl From<u16> for CloseCode {
    fn from(code: u16) -> Self {
        CloseCode(code)
    }
}

impl From<CloseCode> for u16 {
    fn from(code: CloseCode) -> u16 {
        code.0
    }
}

impl fmt::Debug for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CloseCode({} {})", self.0, self.meaning())
    }
}

impl fmt::Display for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.0, self.meaning())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6455 §7.4.1/§7.4.2: 1004, 1005, 1006, 1015 and 0-999 never appear on the wire.
    #[test]
    fn rfc6455_7_4_wire_ranges() {
        for ok in [1000, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 4999] {
            assert!(CloseCode(ok).is_allowed_on_wire(), "{ok}");
        }
        for bad in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535] {
            assert!(!CloseCode(bad).is_allowed_on_wire(), "{bad}");
        }
    }

    #[test]
    fn transient_codes_are_the_default_reconnect_set() {
        let transient: Vec<u16> = (1000..1020)
            .filter(|c| CloseCode(*c).is_transient())
            .collect();
        assert_eq!(transient, vec![1001, 1006, 1011, 1012, 1013]);
    }

    #[test]
    fn meanings_follow_seed_002_table() {
        assert_eq!(
            CloseCode::ABNORMAL.meaning(),
            "abnormal closure (connection lost, no close frame)"
        );
        assert_eq!(CloseCode(4001).meaning(), "private application code");
    }
}
