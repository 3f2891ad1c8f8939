//! Client side of the opening handshake (§4.1).
//!
//! [`ClientHandshake::start`] writes the upgrade request;
//! [`ClientHandshake::parse_response`] checks the server's answer the way
//! §4.1 ("the client MUST validate the server's response") demands.

use super::{
    accept_key, extension_name, find_header, has_token, is_header_value, is_token, list_values,
    parse_head, HandshakeLimits,
};
use crate::error::{Error, HandshakeError, Result};
use crate::extensions::parse_extensions;
use crate::url::WsUrl;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

/// Most bytes of a rejection body kept in [`HandshakeError::Rejected`].
pub const MAX_REJECTION_BODY: usize = 4 * 1024;

/// Headers the handshake writes itself; callers may not add them again.
const RESERVED_HEADERS: &[&str] = &[
    "host",
    "upgrade",
    "connection",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-protocol",
    "sec-websocket-extensions",
    "origin",
];

/// What the client asks for.
#[derive(Debug, Clone, Default)]
pub struct ClientRequest {
    /// Sub-protocols offered, in preference order.
    pub protocols: Vec<String>,
    /// Extension offers, each one Sec-WebSocket-Extensions element (e.g. `permessage-deflate; client_max_window_bits`).
    pub extensions: Vec<String>,
    /// Optional Origin header.
    pub origin: Option<String>,
    /// Extra headers (e.g. Authorization).
    pub headers: Vec<(String, String)>,
}

impl ClientRequest {
    /// Checks that everything can be written into a request head safely:
    /// sub-protocols are distinct tokens (§4.1 item 10), extension offers
    /// start with a token name, and no name or value contains CR, LF or
    /// another control character (which would let a value inject headers).
    /// Extra headers may not repeat the ones the handshake writes itself.
    pub fn validate(&self) -> Result<()> {
        for (i, p) in self.protocols.iter().enumerate() {
            if !is_token(p) {
                return Err(Error::Usage("sub-protocol names must be HTTP tokens"));
            }
            if self.protocols[..i].contains(p) {
                return Err(Error::Usage("sub-protocol offered twice"));
            }
        }
        for e in &self.extensions {
            if !is_header_value(e) || !is_token(extension_name(e)) {
                return Err(Error::Usage(
                    "extension offers must start with a token name",
                ));
            }
            // §9.1: exactly one element each. "a; x, b" would put a second
            // offer ("b") on the wire that the response check never learns
            // of, so a server accepting it would fail our own handshake.
            // Quoted values must be tokens, so any comma is a list separator
            // (even a trailing one, which adds an empty element).
            let one = matches!(parse_extensions(e), Ok(offers) if offers.len() == 1);
            if !one || e.contains(',') {
                return Err(Error::Usage(
                    "each extension offer must be one Sec-WebSocket-Extensions element",
                ));
            }
        }
        if self.origin.as_deref().is_some_and(|o| !is_header_value(o)) {
            return Err(Error::Usage("Origin contains a control character"));
        }
        for (name, value) in &self.headers {
            if !is_token(name) {
                return Err(Error::Usage("header names must be HTTP tokens"));
            }
            if !is_header_value(value) {
                return Err(Error::Usage(
                    "header value contains CR, LF or a control character",
                ));
            }
            if RESERVED_HEADERS
                .iter()
                .any(|r| name.eq_ignore_ascii_case(r))
            {
                return Err(Error::Usage("header is written by the handshake itself"));
            }
        }
        Ok(())
    }
}

/// What the server agreed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientResponse {
    /// The chosen sub-protocol, if any (always one we offered).
    pub protocol: Option<String>,
    /// Accepted extensions (each one we offered).
    pub extensions: Vec<String>,
    /// All response headers, in order.
    pub headers: Vec<(String, String)>,
}

/// One client handshake in progress.
#[derive(Debug, Clone)]
pub struct ClientHandshake {
    /// The Sec-WebSocket-Accept value the server must send back.
    expected_accept: String,
    /// Sub-protocols we offered.
    protocols: Vec<String>,
    /// Names of the extensions we offered.
    extension_names: Vec<String>,
}

impl ClientHandshake {
    /// Starts a handshake: returns the state and the request bytes to write.
    ///
    /// Writes `request` exactly as given, leaving nothing out; call
    /// [`ClientRequest::validate`] first (or use [`ClientHandshake::try_start`])
    /// since a value with CR/LF in it would corrupt the request.
    pub fn start(url: &WsUrl, request: &ClientRequest) -> (ClientHandshake, Vec<u8>) {
        // §4.1 item 7: a nonce of 16 random bytes, base64-encoded.
        let key = BASE64.encode(rand::random::<[u8; 16]>());
        let mut out = String::with_capacity(256);
        out.push_str(&format!("GET {} HTTP/1.1\r\n", url.resource));
        out.push_str(&format!("Host: {}\r\n", url.host_header()));
        out.push_str("Upgrade: websocket\r\nConnection: Upgrade\r\n");
        out.push_str(&format!(
            "Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        ));
        if let Some(origin) = &request.origin {
            out.push_str(&format!("Origin: {origin}\r\n"));
        }
        if !request.protocols.is_empty() {
            out.push_str(&format!(
                "Sec-WebSocket-Protocol: {}\r\n",
                request.protocols.join(", ")
            ));
        }
        if !request.extensions.is_empty() {
            out.push_str(&format!(
                "Sec-WebSocket-Extensions: {}\r\n",
                request.extensions.join(", ")
            ));
        }
        for (name, value) in &request.headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str("\r\n");
        let state = ClientHandshake {
            expected_accept: accept_key(&key),
            protocols: request.protocols.clone(),
            extension_names: request
                .extensions
                .iter()
                .map(|e| extension_name(e).to_string())
                .collect(),
        };
        (state, out.into_bytes())
    }

    /// [`ClientRequest::validate`], then [`ClientHandshake::start`].
    pub fn try_start(url: &WsUrl, request: &ClientRequest) -> Result<(ClientHandshake, Vec<u8>)> {
        request.validate()?;
        Ok(Self::start(url, request))
    }

    /// Parses the response head from `buf` (all bytes read so far).
    /// `Ok(None)`: need more bytes. `Ok(Some((resp, n)))`: done, the head was
    /// `buf[..n]` and any bytes after it are WebSocket frames to keep.
    ///
    /// A status other than 101 gives [`HandshakeError::Rejected`] with the
    /// body bytes already in `buf` (at most [`MAX_REJECTION_BODY`]); the I/O
    /// layer may read more of the body itself if it wants the whole text.
    pub fn parse_response(
        &self,
        buf: &[u8],
        limits: &HandshakeLimits,
    ) -> Result<Option<(ClientResponse, usize)>> {
        let Some(head) = parse_head(buf, limits)? else {
            return Ok(None);
        };
        let status = parse_status_line(&head.start_line)?;
        // §4.1: "If the status code received from the server is not 101,
        // the client handles the response per HTTP procedures."
        if status != 101 {
            let body = &buf[head.len..];
            let body = body[..body.len().min(MAX_REJECTION_BODY)].to_vec();
            return Err(HandshakeError::Rejected { status, body }.into());
        }
        let headers = head.headers;
        // §4.1 items 2 and 3 of the response checks.
        if !has_token(&headers, "Upgrade", "websocket") {
            return Err(HandshakeError::BadHeader("Upgrade").into());
        }
        if !has_token(&headers, "Connection", "upgrade") {
            return Err(HandshakeError::BadHeader("Connection").into());
        }
        // §4.1 item 4: Sec-WebSocket-Accept must be base64(sha1(key ++ GUID)).
        let mut accepts = headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("Sec-WebSocket-Accept"));
        match (accepts.next(), accepts.next()) {
            (None, _) => return Err(HandshakeError::BadHeader("Sec-WebSocket-Accept").into()),
            (Some((_, v)), None) if *v == self.expected_accept => {}
            _ => return Err(HandshakeError::BadAccept.into()),
        }
        // §4.1 item 5: every accepted extension must be one we offered.
        let extensions: Vec<String> = list_values(&headers, "Sec-WebSocket-Extensions")
            .into_iter()
            .map(str::to_string)
            .collect();
        for e in &extensions {
            let name = extension_name(e);
            if !self
                .extension_names
                .iter()
                .any(|o| o.eq_ignore_ascii_case(name))
            {
                return Err(HandshakeError::UnofferedExtension(name.to_string()).into());
            }
        }
        // §4.1 item 6: the sub-protocol, if any, must be one we offered.
        let protocol = match find_header(&headers, "Sec-WebSocket-Protocol") {
            None => None,
            Some(p) if self.protocols.iter().any(|o| o == p) => Some(p.to_string()),
            Some(p) => return Err(HandshakeError::UnofferedSubprotocol(p.to_string()).into()),
        };
        let protocol_headers = headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("Sec-WebSocket-Protocol"))
            .count();
        if protocol_headers > 1 {
            return Err(HandshakeError::BadHeader("Sec-WebSocket-Protocol").into());
        }
        Ok(Some((
            ClientResponse {
                protocol,
                extensions,
                headers,
            },
            head.len,
        )))
    }

    /// The Sec-WebSocket-Accept value this handshake expects.
    pub fn expected_accept(&self) -> &str {
        &self.expected_accept
    }
}

/// `HTTP/1.1 101 Switching Protocols` → 101.
fn parse_status_line(line: &str) -> Result<u16, HandshakeError> {
    let mut parts = line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    let code = parts.next().unwrap_or("");
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(HandshakeError::Malformed("status line is not HTTP/1.x"));
    }
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HandshakeError::Malformed("status code is not three digits"));
    }
    code.parse()
        .map_err(|_| HandshakeError::Malformed("status code is not three digits"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handshake::server::UpgradeRequest;

    fn url() -> WsUrl {
        WsUrl::parse("ws://example.com:9001/chat?room=1").unwrap()
    }

    fn offer() -> ClientRequest {
        ClientRequest {
            protocols: vec!["chat.v2".into(), "chat.v1".into()],
            extensions: vec!["permessage-deflate; client_max_window_bits".into()],
            origin: Some("http://example.com".into()),
            headers: vec![("Authorization".into(), "Bearer t".into())],
        }
    }

    fn response(hs: &ClientHandshake, extra: &str) -> Vec<u8> {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {}\r\n{extra}\r\n",
            hs.expected_accept()
        )
        .into_bytes()
    }

    fn handshake_err(r: Result<Option<(ClientResponse, usize)>>) -> HandshakeError {
        match r {
            Err(Error::Handshake(e)) => e,
            other => panic!("expected a handshake error, got {other:?}"),
        }
    }

    // §4.1: the request carries every required field, and our own server
    // side accepts it as an upgrade request.
    #[test]
    fn rfc6455_4_1_request_fields() {
        let (hs, req) = ClientHandshake::try_start(&url(), &offer()).unwrap();
        let text = String::from_utf8(req.clone()).unwrap();
        assert!(text.starts_with("GET /chat?room=1 HTTP/1.1\r\nHost: example.com:9001\r\n"));
        assert!(text.ends_with("Authorization: Bearer t\r\n\r\n"));
        let (parsed, n) = UpgradeRequest::parse(&req, &HandshakeLimits::default())
            .unwrap()
            .unwrap();
        assert_eq!(n, req.len());
        assert!(parsed.is_upgrade_request());
        assert_eq!(parsed.header("origin"), Some("http://example.com"));
        assert_eq!(parsed.protocols(), vec!["chat.v2", "chat.v1"]);
        assert_eq!(
            parsed.extensions(),
            vec!["permessage-deflate; client_max_window_bits"]
        );
        // §4.1 item 7: the key is 16 bytes, base64; and it matches our expectation.
        let key = parsed.header("Sec-WebSocket-Key").unwrap();
        assert_eq!(BASE64.decode(key).unwrap().len(), 16);
        assert_eq!(accept_key(key), hs.expected_accept());
    }

    // §4.1 item 7: the nonce MUST be selected randomly for each connection.
    #[test]
    fn rfc6455_4_1_key_is_fresh_per_handshake() {
        let (a, _) = ClientHandshake::start(&url(), &ClientRequest::default());
        let (b, _) = ClientHandshake::start(&url(), &ClientRequest::default());
        assert_ne!(a.expected_accept(), b.expected_accept());
    }

    #[test]
    fn minimal_request_has_no_optional_headers() {
        let u = WsUrl::parse("ws://h").unwrap();
        let (_, req) = ClientHandshake::start(&u, &ClientRequest::default());
        let text = String::from_utf8(req).unwrap();
        assert!(text.starts_with("GET / HTTP/1.1\r\nHost: h\r\n"));
        for h in [
            "Origin",
            "Sec-WebSocket-Protocol",
            "Sec-WebSocket-Extensions",
        ] {
            assert!(!text.contains(h), "{h}");
        }
    }

    #[test]
    fn validate_rejects_header_injection_and_bad_tokens() {
        let bad = [
            ClientRequest {
                headers: vec![("X".into(), "a\r\nEvil: 1".into())],
                ..Default::default()
            },
            ClientRequest {
                headers: vec![("X\n".into(), "a".into())],
                ..Default::default()
            },
            ClientRequest {
                headers: vec![("Bad Name".into(), "a".into())],
                ..Default::default()
            },
            ClientRequest {
                headers: vec![("host".into(), "other".into())],
                ..Default::default()
            },
            ClientRequest {
                origin: Some("o\r\n".into()),
                ..Default::default()
            },
            ClientRequest {
                protocols: vec!["a b".into()],
                ..Default::default()
            },
            ClientRequest {
                protocols: vec!["".into()],
                ..Default::default()
            },
            ClientRequest {
                protocols: vec!["p".into(), "p".into()],
                ..Default::default()
            },
            ClientRequest {
                extensions: vec!["; x".into()],
                ..Default::default()
            },
            ClientRequest {
                extensions: vec!["x\r\n".into()],
                ..Default::default()
            },
        ];
        for r in &bad {
            assert!(matches!(r.validate(), Err(Error::Usage(_))), "{r:?}");
            assert!(ClientHandshake::try_start(&url(), r).is_err());
        }
        assert!(offer().validate().is_ok());
    }

    // RFC 6455 §9.1 (found by fuzzing): an offer must be a single
    // extension element. A list separator or an unbalanced quote in one
    // offer would change what the server reads from the joined header.
    #[test]
    fn rfc6455_9_1_each_offer_is_one_element() {
        for bad in [
            "a; x, b",
            "a; x=\"",
            "a; x=\"1,2\"",
            "a,",
            "a; 2x, ",
            "a; x=b c",
        ] {
            let r = ClientRequest {
                extensions: vec![bad.into()],
                ..Default::default()
            };
            assert!(matches!(r.validate(), Err(Error::Usage(_))), "{bad:?}");
        }
        let r = ClientRequest {
            extensions: vec!["a; x=\"10\"; y".into(), "b".into()],
            ..Default::default()
        };
        assert!(r.validate().is_ok());
    }

    // §4.1: bytes after the 101 head are frames; consumed = head length.
    #[test]
    fn rfc6455_4_1_bytes_after_101_are_kept() {
        let (hs, _) = ClientHandshake::start(&url(), &ClientRequest::default());
        let mut buf = response(&hs, "");
        let head_len = buf.len();
        buf.extend_from_slice(&[0x81, 0x02, b'h', b'i']);
        let (resp, n) = hs
            .parse_response(&buf, &HandshakeLimits::default())
            .unwrap()
            .unwrap();
        assert_eq!(n, head_len);
        assert_eq!(&buf[n..], &[0x81, 0x02, b'h', b'i']);
        assert_eq!(resp.protocol, None);
        assert!(resp.extensions.is_empty());
        assert_eq!(resp.headers.len(), 3);
    }

    #[test]
    fn incremental_feeding_one_byte_at_a_time() {
        let (hs, _) = ClientHandshake::start(&url(), &offer());
        let buf = response(&hs, "Sec-WebSocket-Protocol: chat.v1\r\n");
        let limits = HandshakeLimits::default();
        for n in 0..buf.len() {
            assert!(
                hs.parse_response(&buf[..n], &limits).unwrap().is_none(),
                "at {n}"
            );
        }
        let (resp, n) = hs.parse_response(&buf, &limits).unwrap().unwrap();
        assert_eq!((resp.protocol.as_deref(), n), (Some("chat.v1"), buf.len()));
    }

    // §4.1 items 2-3: Upgrade and Connection compared case-insensitively,
    // Connection may list other tokens.
    #[test]
    fn rfc6455_4_1_case_insensitive_tokens() {
        let (hs, _) = ClientHandshake::start(&url(), &ClientRequest::default());
        let buf = format!(
            "HTTP/1.1 101 OK\r\nupgrade: WebSocket\r\nCONNECTION: keep-alive, UPGRADE\r\n\
             sec-websocket-accept: {}\r\n\r\n",
            hs.expected_accept()
        );
        assert!(hs
            .parse_response(buf.as_bytes(), &HandshakeLimits::default())
            .unwrap()
            .is_some());
    }

    #[test]
    fn rfc6455_4_1_missing_upgrade_or_connection() {
        let (hs, _) = ClientHandshake::start(&url(), &ClientRequest::default());
        let acc = hs.expected_accept().to_string();
        let limits = HandshakeLimits::default();
        let no_upgrade = format!(
            "HTTP/1.1 101 OK\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {acc}\r\n\r\n"
        );
        assert_eq!(
            handshake_err(hs.parse_response(no_upgrade.as_bytes(), &limits)),
            HandshakeError::BadHeader("Upgrade")
        );
        let bad_upgrade = format!(
            "HTTP/1.1 101 OK\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {acc}\r\n\r\n"
        );
        assert_eq!(
            handshake_err(hs.parse_response(bad_upgrade.as_bytes(), &limits)),
            HandshakeError::BadHeader("Upgrade")
        );
        let no_conn = format!("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: close\r\nSec-WebSocket-Accept: {acc}\r\n\r\n");
        assert_eq!(
            handshake_err(hs.parse_response(no_conn.as_bytes(), &limits)),
            HandshakeError::BadHeader("Connection")
        );
    }

    // §4.1 item 4: a missing or wrong Sec-WebSocket-Accept fails the connection.
    #[test]
    fn rfc6455_4_1_missing_or_invalid_accept() {
        let (hs, _) = ClientHandshake::start(&url(), &ClientRequest::default());
        let limits = HandshakeLimits::default();
        let missing = b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
        assert_eq!(
            handshake_err(hs.parse_response(missing, &limits)),
            HandshakeError::BadHeader("Sec-WebSocket-Accept")
        );
        let wrong = b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                      Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
        assert_eq!(
            handshake_err(hs.parse_response(wrong, &limits)),
            HandshakeError::BadAccept
        );
        let twice = response(
            &hs,
            &format!("Sec-WebSocket-Accept: {}\r\n", hs.expected_accept()),
        );
        assert_eq!(
            handshake_err(hs.parse_response(&twice, &limits)),
            HandshakeError::BadAccept
        );
    }

    // §4.1 item 6: a sub-protocol the client did not offer fails the connection.
    #[test]
    fn rfc6455_4_1_unoffered_subprotocol() {
        let limits = HandshakeLimits::default();
        let (hs, _) = ClientHandshake::start(&url(), &offer());
        let buf = response(&hs, "Sec-WebSocket-Protocol: chat.v3\r\n");
        assert_eq!(
            handshake_err(hs.parse_response(&buf, &limits)),
            HandshakeError::UnofferedSubprotocol("chat.v3".into())
        );
        // Two values at once is not a choice of one offered protocol.
        let buf = response(&hs, "Sec-WebSocket-Protocol: chat.v2, chat.v1\r\n");
        assert!(matches!(
            handshake_err(hs.parse_response(&buf, &limits)),
            HandshakeError::UnofferedSubprotocol(_)
        ));
        let buf = response(
            &hs,
            "Sec-WebSocket-Protocol: chat.v2\r\nSec-WebSocket-Protocol: chat.v2\r\n",
        );
        assert_eq!(
            handshake_err(hs.parse_response(&buf, &limits)),
            HandshakeError::BadHeader("Sec-WebSocket-Protocol")
        );
        // Nothing offered: any protocol is unoffered.
        let (plain, _) = ClientHandshake::start(&url(), &ClientRequest::default());
        let buf = response(&plain, "Sec-WebSocket-Protocol: chat.v2\r\n");
        assert!(matches!(
            handshake_err(plain.parse_response(&buf, &limits)),
            HandshakeError::UnofferedSubprotocol(_)
        ));
    }

    // §4.1 item 5 / RFC 7692 §5: an extension not offered fails the connection;
    // an offered one is returned with its parameters.
    #[test]
    fn rfc6455_4_1_unoffered_extension() {
        let limits = HandshakeLimits::default();
        let (hs, _) = ClientHandshake::start(&url(), &offer());
        let buf = response(&hs, "Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n");
        assert_eq!(
            handshake_err(hs.parse_response(&buf, &limits)),
            HandshakeError::UnofferedExtension("x-webkit-deflate-frame".into())
        );
        let buf = response(
            &hs,
            "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n",
        );
        let (resp, _) = hs.parse_response(&buf, &limits).unwrap().unwrap();
        assert_eq!(
            resp.extensions,
            vec!["permessage-deflate; server_no_context_takeover"]
        );
        let (plain, _) = ClientHandshake::start(&url(), &ClientRequest::default());
        let buf = response(&plain, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
        assert!(matches!(
            handshake_err(plain.parse_response(&buf, &limits)),
            HandshakeError::UnofferedExtension(_)
        ));
    }

    // §4.1: a non-101 status is a rejection; the body already read is kept, bounded.
    #[test]
    fn rfc6455_4_1_rejection_keeps_bounded_body() {
        let (hs, _) = ClientHandshake::start(&url(), &ClientRequest::default());
        let limits = HandshakeLimits::default();
        let buf = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\nno";
        assert_eq!(
            handshake_err(hs.parse_response(buf, &limits)),
            HandshakeError::Rejected {
                status: 403,
                body: b"no".to_vec()
            }
        );
        let mut big = b"HTTP/1.1 500 Oops\r\n\r\n".to_vec();
        big.resize(big.len() + MAX_REJECTION_BODY + 10, b'x');
        match handshake_err(hs.parse_response(&big, &limits)) {
            HandshakeError::Rejected { status: 500, body } => {
                assert_eq!(body.len(), MAX_REJECTION_BODY)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_status_lines() {
        let (hs, _) = ClientHandshake::start(&url(), &ClientRequest::default());
        for line in [
            "HTTP/2 101 x",
            "HTTP/1.1 1O1 x",
            "HTTP/1.1 1010 x",
            "ICY 200 OK",
            "HTTP/1.1",
        ] {
            let buf = format!("{line}\r\n\r\n");
            assert!(
                matches!(
                    handshake_err(hs.parse_response(buf.as_bytes(), &HandshakeLimits::default())),
                    HandshakeError::Malformed(_)
                ),
                "{line}"
            );
        }
    }

    #[test]
    fn oversized_response_is_too_large() {
        let (hs, _) = ClientHandshake::start(&url(), &ClientRequest::default());
        let limits = HandshakeLimits {
            max_headers: 2,
            ..HandshakeLimits::default()
        };
        let buf = response(&hs, "X-Extra: 1\r\n");
        assert_eq!(
            handshake_err(hs.parse_response(&buf, &limits)),
            HandshakeError::TooLarge
        );
        let limits = HandshakeLimits {
            max_head_bytes: 32,
            ..HandshakeLimits::default()
        };
        assert_eq!(
            handshake_err(hs.parse_response(&[b'a'; 40], &limits)),
            HandshakeError::TooLarge
        );
    }
}
