//! Server side of the opening handshake (§4.2).
//!
//! [`UpgradeRequest::parse`] reads the client's request head,
//! [`UpgradeRequest::check`] judges it against §4.2.1, and
//! [`UpgradeRequest::accept`], [`reject`] and [`reject_version`] build the
//! answers of §4.2.2.

use super::{
    accept_key, find_header, has_token, is_header_value, is_token, list_values, parse_head,
    HandshakeLimits,
};
use crate::error::{Error, HandshakeError, Result};
use crate::extensions::parse_extensions;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

/// The only protocol version this implementation speaks (§4.1 item 9).
pub const WEBSOCKET_VERSION: &str = "13";

/// A parsed HTTP request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpgradeRequest {
    /// Method, e.g. GET.
    pub method: String,
    /// Request target (path and query).
    pub resource: String,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
}

impl UpgradeRequest {
    /// Parses a request head from `buf`. `Ok(None)`: need more bytes.
    /// `Ok(Some((req, n)))`: the head was `buf[..n]`.
    ///
    /// Only `HTTP/1.1` request lines are accepted (§4.1 item 2: "HTTP/1.1
    /// or higher", and no higher text version exists); anything else is
    /// [`HandshakeError::Malformed`], to be answered with 400.
    pub fn parse(buf: &[u8], limits: &HandshakeLimits) -> Result<Option<(UpgradeRequest, usize)>> {
        let Some(head) = parse_head(buf, limits)? else {
            return Ok(None);
        };
        let mut parts = head.start_line.split(' ');
        let (Some(method), Some(target), Some(version), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(
                HandshakeError::Malformed("request line is not METHOD TARGET VERSION").into(),
            );
        };
        if !is_token(method) {
            return Err(HandshakeError::Malformed("invalid request method").into());
        }
        if target.is_empty() {
            return Err(HandshakeError::Malformed("empty request target").into());
        }
        if version != "HTTP/1.1" {
            return Err(HandshakeError::Malformed("request is not HTTP/1.1").into());
        }
        let req = UpgradeRequest {
            method: method.to_string(),
            resource: target.to_string(),
            headers: head.headers,
        };
        Ok(Some((req, head.len)))
    }

    /// First value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// Why this is not a valid WebSocket upgrade (§4.2.1), or `Ok(())`.
    ///
    /// `BadHeader("Sec-WebSocket-Version")` means the client speaks another
    /// version: answer with [`reject_version`] (426). Anything else: 400.
    pub fn check(&self) -> Result<(), HandshakeError> {
        // §4.2.1 item 1: a GET request (HTTP/1.1 is checked by `parse`).
        if self.method != "GET" {
            return Err(HandshakeError::BadHeader("method (must be GET)"));
        }
        // §4.2.1 item 2: a Host header.
        let hosts = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("Host"));
        if hosts.count() != 1 || self.header("Host").is_some_and(str::is_empty) {
            return Err(HandshakeError::BadHeader("Host"));
        }
        // §4.2.1 items 3 and 4, tokens compared case-insensitively.
        if !has_token(&self.headers, "Upgrade", "websocket") {
            return Err(HandshakeError::BadHeader("Upgrade"));
        }
        // RFC 9110 §7.6.1: Connection is a list of tokens.
        let connection = list_values(&self.headers, "Connection");
        if !connection.iter().all(|t| is_token(t))
            || !connection.iter().any(|t| t.eq_ignore_ascii_case("upgrade"))
        {
            return Err(HandshakeError::BadHeader("Connection"));
        }
        // §4.2.1 item 5: a key that decodes to 16 bytes.
        let key_ok = self
            .header("Sec-WebSocket-Key")
            .and_then(|k| BASE64.decode(k).ok())
            .is_some_and(|k| k.len() == 16);
        if !key_ok {
            return Err(HandshakeError::BadHeader("Sec-WebSocket-Key"));
        }
        // §4.2.1 item 6: version 13.
        if self.header("Sec-WebSocket-Version") != Some(WEBSOCKET_VERSION) {
            return Err(HandshakeError::BadHeader("Sec-WebSocket-Version"));
        }
        // §4.1 item 10 and §11.3.4: a comma-separated list of unique tokens.
        // `chat9 superchat` (a space for a comma) is one malformed element,
        // not a sub-protocol a server could choose.
        let protocols = list_values(&self.headers, "Sec-WebSocket-Protocol");
        let unique = protocols
            .iter()
            .enumerate()
            .all(|(i, p)| !protocols[..i].contains(p));
        if !protocols.iter().all(|p| is_token(p)) || !unique {
            return Err(HandshakeError::BadHeader("Sec-WebSocket-Protocol"));
        }
        // §9.1 and §11.3.2: every extensions header line follows the grammar.
        let extensions_ok = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("Sec-WebSocket-Extensions"))
            .all(|(_, v)| parse_extensions(v).is_ok());
        if !extensions_ok {
            return Err(HandshakeError::BadHeader("Sec-WebSocket-Extensions"));
        }
        Ok(())
    }

    /// Whether this is a valid WebSocket upgrade (GET, Upgrade: websocket,
    /// Connection contains upgrade, version 13, a 16-byte base64 key).
    pub fn is_upgrade_request(&self) -> bool {
        self.check().is_ok()
    }

    /// Sub-protocols the client offered, in order.
    ///
    /// Once [`check`](Self::check) has passed, every element is a unique
    /// HTTP token, so any of them can be passed to [`accept`](Self::accept).
    pub fn protocols(&self) -> Vec<String> {
        list_values(&self.headers, "Sec-WebSocket-Protocol")
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// Extension offers (whole Sec-WebSocket-Extensions elements), in order.
    /// Once [`check`](Self::check) has passed, each follows the §9.1 grammar.
    pub fn extensions(&self) -> Vec<String> {
        list_values(&self.headers, "Sec-WebSocket-Extensions")
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// The 101 response accepting this request with an optional chosen
    /// sub-protocol (must be one offered) and extra headers.
    ///
    /// Fails with [`Error::Handshake`] if the request is not a valid
    /// upgrade, and with [`Error::Usage`] if the protocol was not offered
    /// (§4.2.2 item 5.4) or an extra header would corrupt the response.
    pub fn accept(
        &self,
        protocol: Option<&str>,
        extra_headers: &[(String, String)],
    ) -> Result<Vec<u8>> {
        self.check()?;
        let key = self.header("Sec-WebSocket-Key").unwrap_or_default();
        if let Some(p) = protocol {
            if !self.protocols().iter().any(|o| o == p) {
                return Err(Error::Usage(
                    "chosen sub-protocol was not offered by the client",
                ));
            }
            // RFC 6455 §4.1: sub-protocol values are tokens; an offered
            // element like "a b" is the client's mistake, not ours to echo.
            if !super::is_token(p) {
                return Err(Error::Usage("chosen sub-protocol is not an HTTP token"));
            }
        }
        check_extra_headers(extra_headers)?;
        let mut out = String::with_capacity(160);
        out.push_str(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n",
        );
        out.push_str(&format!("Sec-WebSocket-Accept: {}\r\n", accept_key(key)));
        if let Some(p) = protocol {
            out.push_str(&format!("Sec-WebSocket-Protocol: {p}\r\n"));
        }
        for (name, value) in extra_headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str("\r\n");
        Ok(out.into_bytes())
    }
}

fn check_extra_headers(headers: &[(String, String)]) -> Result<()> {
    for (name, value) in headers {
        if !is_token(name) {
            return Err(Error::Usage("header names must be HTTP tokens"));
        }
        if !is_header_value(value) {
            return Err(Error::Usage(
                "header value contains CR, LF or a control character",
            ));
        }
    }
    Ok(())
}

/// An HTTP error response rejecting the upgrade, with a body.
///
/// Meant for 4xx/5xx statuses. The response has a reason phrase,
/// `Content-Length` and `Connection: close`; the caller closes the stream
/// after writing it.
pub fn reject(status: u16, body: &[u8]) -> Vec<u8> {
    error_response(status, &[], body)
}

/// The 426 answer to a client speaking another protocol version, listing
/// the one we speak (§4.2.2 item 4, §4.4).
pub fn reject_version() -> Vec<u8> {
    error_response(
        426,
        &[("Sec-WebSocket-Version", WEBSOCKET_VERSION)],
        b"unsupported WebSocket version; this server speaks 13",
    )
}

/// The response the I/O layer sends for a request that failed [`UpgradeRequest::check`]
/// or [`UpgradeRequest::parse`]: 426 for a version mismatch, 431 for an
/// oversized head, 400 otherwise. The body names the problem.
pub fn rejection_for(err: &HandshakeError) -> Vec<u8> {
    match err {
        HandshakeError::BadHeader("Sec-WebSocket-Version") => reject_version(),
        HandshakeError::TooLarge => reject(431, err.to_string().as_bytes()),
        _ => reject(400, err.to_string().as_bytes()),
    }
}

fn error_response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason_phrase(status));
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("Content-Type: text/plain; charset=utf-8\r\n");
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// RFC 9110 §15 reason phrases for the statuses a WebSocket server uses.
fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        413 => "Content Too Large",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ if status / 100 == 4 => "Client Error",
        _ if status / 100 == 5 => "Server Error",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example request of RFC 6455 §1.2.
    const EXAMPLE: &str =
        "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
        Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n\
        Sec-WebSocket-Version: 13\r\n\r\n";

    fn parse(s: &str) -> UpgradeRequest {
        UpgradeRequest::parse(s.as_bytes(), &HandshakeLimits::default())
            .unwrap()
            .unwrap()
            .0
    }

    fn with_header(name: &str, value: Option<&str>) -> UpgradeRequest {
        let mut req = parse(EXAMPLE);
        req.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        if let Some(v) = value {
            req.headers.push((name.to_string(), v.to_string()));
        }
        req
    }

    // RFC 6455 §1.2 / §4.2.2: the example handshake and its accept value.
    #[test]
    fn rfc6455_1_2_example_handshake() {
        let (req, n) = UpgradeRequest::parse(EXAMPLE.as_bytes(), &HandshakeLimits::default())
            .unwrap()
            .unwrap();
        assert_eq!(n, EXAMPLE.len());
        assert_eq!(
            (req.method.as_str(), req.resource.as_str()),
            ("GET", "/chat")
        );
        assert!(req.is_upgrade_request());
        assert_eq!(
            req.header("sec-websocket-key"),
            Some("dGhlIHNhbXBsZSBub25jZQ==")
        );
        assert_eq!(req.protocols(), vec!["chat", "superchat"]);
        let resp = String::from_utf8(req.accept(Some("chat"), &[]).unwrap()).unwrap();
        assert_eq!(
            resp,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n"
        );
    }

    #[test]
    fn incremental_feeding_one_byte_at_a_time() {
        let limits = HandshakeLimits::default();
        for n in 0..EXAMPLE.len() {
            assert!(
                UpgradeRequest::parse(&EXAMPLE.as_bytes()[..n], &limits)
                    .unwrap()
                    .is_none(),
                "{n}"
            );
        }
        let mut buf = EXAMPLE.as_bytes().to_vec();
        buf.extend_from_slice(&[0x81, 0x80]);
        let (_, n) = UpgradeRequest::parse(&buf, &limits).unwrap().unwrap();
        assert_eq!(&buf[n..], &[0x81, 0x80]);
    }

    // §4.2.1: header names, Upgrade and Connection tokens are case-insensitive;
    // Connection may carry other tokens.
    #[test]
    fn rfc6455_4_2_1_case_insensitive_tokens() {
        let req = parse(
            "GET / HTTP/1.1\r\nhost: h\r\nUPGRADE: WebSocket\r\nconnection: keep-alive, Upgrade\r\n\
             sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nSEC-WEBSOCKET-VERSION: 13\r\n\r\n",
        );
        assert!(req.is_upgrade_request());
        assert!(req.protocols().is_empty());
    }

    // §4.2.1: each required field, missing or wrong, is named in the error.
    #[test]
    fn rfc6455_4_2_1_required_fields() {
        let cases: &[(&str, Option<&str>, &str)] = &[
            ("Host", None, "Host"),
            ("Upgrade", None, "Upgrade"),
            ("Upgrade", Some("h2c"), "Upgrade"),
            ("Connection", None, "Connection"),
            ("Connection", Some("keep-alive"), "Connection"),
            ("Sec-WebSocket-Key", None, "Sec-WebSocket-Key"),
            (
                "Sec-WebSocket-Key",
                Some("not base64!"),
                "Sec-WebSocket-Key",
            ),
            // Valid base64 of 15 bytes.
            (
                "Sec-WebSocket-Key",
                Some("AAAAAAAAAAAAAAAAAAAA"),
                "Sec-WebSocket-Key",
            ),
            ("Sec-WebSocket-Version", None, "Sec-WebSocket-Version"),
            ("Sec-WebSocket-Version", Some("8"), "Sec-WebSocket-Version"),
        ];
        for (name, value, expect) in cases {
            let req = with_header(name, *value);
            assert_eq!(
                req.check(),
                Err(HandshakeError::BadHeader(expect)),
                "{name}: {value:?}"
            );
            assert!(!req.is_upgrade_request());
            assert!(matches!(req.accept(None, &[]), Err(Error::Handshake(_))));
        }
        let mut req = parse(EXAMPLE);
        req.method = "POST".into();
        assert!(!req.is_upgrade_request());
        let mut req = parse(EXAMPLE);
        req.headers.push(("Host".into(), "other".into()));
        assert_eq!(req.check(), Err(HandshakeError::BadHeader("Host")));
    }

    #[test]
    fn non_http11_request_lines_are_malformed() {
        for line in [
            "GET /chat HTTP/1.0",
            "GET /chat",
            "GET  /chat HTTP/1.1",
            "G@T / HTTP/1.1",
            "GET / HTTP/1.1 x",
        ] {
            let buf = format!("{line}\r\nHost: h\r\n\r\n");
            assert!(
                matches!(
                    UpgradeRequest::parse(buf.as_bytes(), &HandshakeLimits::default()),
                    Err(Error::Handshake(HandshakeError::Malformed(_)))
                ),
                "{line}"
            );
        }
    }

    // §4.1 item 10 and §11.3.4: sub-protocol values are unique tokens in a
    // comma-separated list; an element like "a b" (a space for a comma) makes
    // the request malformed, answered with 400, and is never echoed back.
    #[test]
    fn rfc6455_4_1_offered_protocols_must_be_unique_tokens() {
        for bad in [
            "a b, chat",
            "chat9 superchat",
            "chat, chat",
            "x/y",
            "\"chat\"",
        ] {
            let req = with_header("Sec-WebSocket-Protocol", Some(bad));
            assert_eq!(
                req.check(),
                Err(HandshakeError::BadHeader("Sec-WebSocket-Protocol")),
                "{bad}"
            );
            assert!(matches!(
                req.accept(Some("chat"), &[]),
                Err(Error::Handshake(_))
            ));
            assert!(rejection_for(&req.check().unwrap_err()).starts_with(b"HTTP/1.1 400 "));
        }
        let req = with_header("Sec-WebSocket-Protocol", Some("chat, superchat,, v2.x"));
        assert_eq!(req.check(), Ok(()));
        assert!(req.accept(Some("v2.x"), &[]).is_ok());
    }

    // §9.1: the extensions header follows its grammar, or the request is malformed.
    #[test]
    fn rfc6455_9_1_malformed_extension_offer_is_refused() {
        for bad in ["permessage-deflate; =1", "a b", "x; y=\"1 2\"", "x;;"] {
            let req = with_header("Sec-WebSocket-Extensions", Some(bad));
            assert_eq!(
                req.check(),
                Err(HandshakeError::BadHeader("Sec-WebSocket-Extensions")),
                "{bad}"
            );
        }
        let ok = "permessage-deflate; client_max_window_bits, x-foo; a=\"1\"";
        assert_eq!(
            with_header("Sec-WebSocket-Extensions", Some(ok)).check(),
            Ok(())
        );
    }

    // RFC 9110 §7.6.1: Connection lists tokens.
    #[test]
    fn rfc9110_7_6_1_connection_must_list_tokens() {
        let req = with_header("Connection", Some("keep-alive Upgrade"));
        assert_eq!(req.check(), Err(HandshakeError::BadHeader("Connection")));
        let req = with_header("Connection", Some("keep-alive, Upgrade"));
        assert_eq!(req.check(), Ok(()));
    }

    // §4.2.2 item 5.4: the server selects one of the offered protocols, or none.
    #[test]
    fn rfc6455_4_2_2_accept_only_offered_protocol() {
        let req = parse(EXAMPLE);
        assert!(matches!(
            req.accept(Some("other"), &[]),
            Err(Error::Usage(_))
        ));
        let resp = String::from_utf8(
            req.accept(None, &[("X-Server".into(), "devian".into())])
                .unwrap(),
        )
        .unwrap();
        assert!(!resp.contains("Sec-WebSocket-Protocol"));
        assert!(resp.ends_with("X-Server: devian\r\n\r\n"));
        assert!(matches!(
            req.accept(None, &[("X".into(), "a\r\nb: c".into())]),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            req.accept(None, &[("X Y".into(), "a".into())]),
            Err(Error::Usage(_))
        ));
    }

    #[test]
    fn protocols_and_extensions_from_repeated_headers() {
        let mut req = parse(EXAMPLE);
        req.headers
            .push(("sec-websocket-protocol".into(), "v3".into()));
        req.headers.push((
            "Sec-WebSocket-Extensions".into(),
            "permessage-deflate; client_max_window_bits, x-foo".into(),
        ));
        assert_eq!(req.protocols(), vec!["chat", "superchat", "v3"]);
        assert_eq!(
            req.extensions(),
            vec!["permessage-deflate; client_max_window_bits", "x-foo"]
        );
        assert!(req.accept(Some("v3"), &[]).is_ok());
    }

    #[test]
    fn reject_builds_complete_response() {
        let resp = reject(403, b"go away");
        assert_eq!(
            resp,
            b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\n\
              Content-Length: 7\r\nConnection: close\r\n\r\ngo away"
        );
        assert!(reject(418, b"").starts_with(b"HTTP/1.1 418 Client Error\r\n"));
    }

    // §4.4: an unsupported version is answered with 426 and the versions we speak.
    #[test]
    fn rfc6455_4_4_version_mismatch_gets_426() {
        let req = with_header("Sec-WebSocket-Version", Some("8"));
        let err = req.check().unwrap_err();
        let resp = String::from_utf8(rejection_for(&err)).unwrap();
        assert!(resp.starts_with("HTTP/1.1 426 Upgrade Required\r\n"));
        assert!(resp.contains("\r\nSec-WebSocket-Version: 13\r\n"));
        let bad = String::from_utf8(rejection_for(&HandshakeError::BadHeader("Upgrade"))).unwrap();
        assert!(bad.starts_with("HTTP/1.1 400 Bad Request\r\n"));
        let big = String::from_utf8(rejection_for(&HandshakeError::TooLarge)).unwrap();
        assert!(big.starts_with("HTTP/1.1 431 "));
    }

    #[test]
    fn oversized_request_is_too_large() {
        let limits = HandshakeLimits {
            max_headers: 4,
            ..HandshakeLimits::default()
        };
        assert!(matches!(
            UpgradeRequest::parse(EXAMPLE.as_bytes(), &limits),
            Err(Error::Handshake(HandshakeError::TooLarge))
        ));
        let limits = HandshakeLimits {
            max_head_bytes: 64,
            ..HandshakeLimits::default()
        };
        let slowloris = format!("GET / HTTP/1.1\r\nX: {}", "a".repeat(100));
        assert!(matches!(
            UpgradeRequest::parse(slowloris.as_bytes(), &limits),
            Err(Error::Handshake(HandshakeError::TooLarge))
        ));
    }
}
