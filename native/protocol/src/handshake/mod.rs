//! The opening handshake (RFC 6455 §4), without I/O.
//!
//! [`client`] builds the upgrade request and checks the server's answer;
//! [`server`] parses and judges an upgrade request and builds the answer.
//! Both share the bounded HTTP/1.1 head parser in this module.
//!
//! The parsers are stateless: callers pass *all* bytes read so far on each
//! call. Each call looks at no more than `max_head_bytes` bytes, so the work
//! per call is bounded by [`HandshakeLimits`]; an I/O layer that reads in
//! chunks (rather than byte by byte) keeps the total cost small.

pub mod client;
pub mod server;

use crate::error::HandshakeError;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use sha1::{Digest, Sha1};
use std::time::Duration;

/// The GUID appended to the key before hashing (§1.3, §4.2.2).
pub const WEBSOCKET_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Bounds on handshake input (against CVE-2023-43669-style slow or huge handshakes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandshakeLimits {
    /// Most header lines accepted.
    pub max_headers: usize,
    /// Most bytes in the whole head (request/status line plus headers).
    pub max_head_bytes: usize,
    /// Longest the I/O layer lets the handshake take.
    pub timeout: Duration,
}

impl Default for HandshakeLimits {
    fn default() -> Self {
        HandshakeLimits {
            max_headers: 64,
            max_head_bytes: 16 * 1024,
            timeout: Duration::from_secs(10),
        }
    }
}

/// `base64(sha1(key ++ GUID))` (§4.2.2 step 5.4).
pub fn accept_key(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.as_bytes());
    sha.update(WEBSOCKET_GUID.as_bytes());
    BASE64.encode(sha.finalize())
}

/// A parsed HTTP/1.1 head: the start line and the header fields in order.
#[derive(Debug)]
pub(crate) struct Head {
    /// Request line or status line, without CRLF.
    pub start_line: String,
    /// Header fields as (name, value); values trimmed of optional whitespace.
    pub headers: Vec<(String, String)>,
    /// Length of the head in bytes, including the blank line.
    pub len: usize,
}

/// Parses an HTTP/1.1 head from the start of `buf`.
///
/// `Ok(None)` means the blank line has not arrived yet. Fails with
/// [`HandshakeError::TooLarge`] as soon as the head is known to exceed
/// either limit, even before its end has arrived. Lines must end in CRLF
/// (RFC 9112 §2.2 lets us refuse bare LF); obsolete line folding is refused
/// (RFC 9112 §5.2).
pub(crate) fn parse_head(
    buf: &[u8],
    limits: &HandshakeLimits,
) -> Result<Option<Head>, HandshakeError> {
    // Never look past the limit: this bounds the work of every call.
    let window = &buf[..buf.len().min(limits.max_head_bytes)];
    let mut lines: Vec<&[u8]> = Vec::new();
    let mut line_start = 0;
    let mut end = None;
    while let Some(off) = window[line_start..].iter().position(|&b| b == b'\n') {
        let nl = line_start + off;
        if nl == line_start || window[nl - 1] != b'\r' {
            return Err(HandshakeError::Malformed("line not terminated by CRLF"));
        }
        let line = &window[line_start..nl - 1];
        line_start = nl + 1;
        if line.is_empty() {
            if lines.is_empty() {
                return Err(HandshakeError::Malformed("empty start line"));
            }
            end = Some(line_start);
            break;
        }
        lines.push(line);
        // Start line plus max_headers header lines.
        if lines.len() > limits.max_headers.saturating_add(1) {
            return Err(HandshakeError::TooLarge);
        }
    }
    let Some(len) = end else {
        return if buf.len() >= limits.max_head_bytes {
            Err(HandshakeError::TooLarge)
        } else {
            Ok(None)
        };
    };

    let mut it = lines.into_iter();
    let start = it
        .next()
        .ok_or(HandshakeError::Malformed("empty start line"))?;
    let start_line = text(start)?.to_string();
    let mut headers = Vec::new();
    for line in it {
        if matches!(line[0], b' ' | b'\t') {
            return Err(HandshakeError::Malformed("obsolete header line folding"));
        }
        let line = text(line)?;
        let (name, value) = line
            .split_once(':')
            .ok_or(HandshakeError::Malformed("header line without ':'"))?;
        // RFC 9112 §5.1: no whitespace between name and colon.
        if !is_token(name) {
            return Err(HandshakeError::Malformed("invalid header name"));
        }
        headers.push((name.to_string(), trim_ows(value).to_string()));
    }
    Ok(Some(Head {
        start_line,
        headers,
        len,
    }))
}

/// A head line as text: UTF-8 and free of control characters other than tab.
fn text(line: &[u8]) -> Result<&str, HandshakeError> {
    let s =
        std::str::from_utf8(line).map_err(|_| HandshakeError::Malformed("head is not UTF-8"))?;
    if s.chars().any(|c| c.is_ascii_control() && c != '\t') {
        return Err(HandshakeError::Malformed("control character in head"));
    }
    Ok(s)
}

/// Strips optional whitespace (SP / HTAB, RFC 9110 §5.6.3).
pub(crate) fn trim_ows(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

/// RFC 9110 §5.6.2 token: one or more tchar.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Whether a value can be written into a header without breaking the head:
/// no CR, LF, NUL or other control characters (tab allowed).
pub(crate) fn is_header_value(s: &str) -> bool {
    !s.chars().any(|c| c.is_ascii_control() && c != '\t')
}

/// First value of a header, by case-insensitive name.
pub(crate) fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Splits a comma-separated list (RFC 9110 §5.6.1), honouring quoted strings
/// so `a; x="1,2", b` gives two elements. Empty elements are dropped.
pub(crate) fn split_list(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(trim_ows(&value[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(trim_ows(&value[start..]));
    out.retain(|e| !e.is_empty());
    out
}

/// All list elements of every header called `name`, in order.
pub(crate) fn list_values<'a>(headers: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .flat_map(|(_, v)| split_list(v))
        .collect()
}

/// Whether the `name` header lists `token`, compared case-insensitively
/// (e.g. `Connection: keep-alive, Upgrade`).
pub(crate) fn has_token(headers: &[(String, String)], name: &str, token: &str) -> bool {
    list_values(headers, name)
        .iter()
        .any(|t| t.eq_ignore_ascii_case(token))
}

/// The name of one Sec-WebSocket-Extensions element (before any `;`).
pub(crate) fn extension_name(element: &str) -> &str {
    trim_ows(element.split(';').next().unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_headers: usize, max_head_bytes: usize) -> HandshakeLimits {
        HandshakeLimits {
            max_headers,
            max_head_bytes,
            ..HandshakeLimits::default()
        }
    }

    // RFC 6455 §1.3 / §4.2.2: the worked example of the accept key.
    #[test]
    fn rfc6455_1_3_accept_key_example() {
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
        assert_ne!(
            accept_key("dGhlIHNhbXBsZSBub25jZR=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn head_parsed_with_length_and_trimmed_values() {
        let buf = b"GET / HTTP/1.1\r\nHost:  h \r\nX-Empty:\r\n\r\nrest";
        let head = parse_head(buf, &HandshakeLimits::default())
            .unwrap()
            .unwrap();
        assert_eq!(head.start_line, "GET / HTTP/1.1");
        assert_eq!(
            head.headers,
            vec![("Host".into(), "h".into()), ("X-Empty".into(), "".into())]
        );
        assert_eq!(&buf[head.len..], b"rest");
    }

    #[test]
    fn incomplete_head_needs_more() {
        let buf = b"GET / HTTP/1.1\r\nHost: h\r\n\r";
        for n in 0..buf.len() {
            assert!(
                parse_head(&buf[..n], &HandshakeLimits::default())
                    .unwrap()
                    .is_none(),
                "{n}"
            );
        }
    }

    #[test]
    fn too_many_headers_fail_before_the_end_arrives() {
        let mut buf = b"GET / HTTP/1.1\r\n".to_vec();
        for i in 0..3 {
            buf.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
        }
        // Three headers allowed: not an error, just incomplete.
        assert!(parse_head(&buf, &limits(3, 1024)).unwrap().is_none());
        buf.extend_from_slice(b"X-3: v\r\n");
        assert_eq!(
            parse_head(&buf, &limits(3, 1024)).unwrap_err(),
            HandshakeError::TooLarge
        );
    }

    #[test]
    fn head_over_max_bytes_without_terminator_is_too_large() {
        let mut buf = b"GET / HTTP/1.1\r\nX: ".to_vec();
        buf.resize(100, b'a');
        assert!(parse_head(&buf[..99], &limits(64, 100)).unwrap().is_none());
        assert_eq!(
            parse_head(&buf, &limits(64, 100)).unwrap_err(),
            HandshakeError::TooLarge
        );
        buf.resize(10_000, b'a');
        assert_eq!(
            parse_head(&buf, &limits(64, 100)).unwrap_err(),
            HandshakeError::TooLarge
        );
    }

    #[test]
    fn head_of_exactly_max_bytes_is_accepted() {
        let buf = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n";
        assert!(parse_head(buf, &limits(64, buf.len())).unwrap().is_some());
        assert_eq!(
            parse_head(buf, &limits(64, buf.len() - 1)).unwrap_err(),
            HandshakeError::TooLarge
        );
    }

    #[test]
    fn malformed_heads() {
        let bad: &[&[u8]] = &[
            b"GET / HTTP/1.1\nHost: h\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: h\n\n",
            b"\r\nGET / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost h\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost : h\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: \xff\r\n\r\n",
        ];
        for b in bad {
            assert!(
                matches!(
                    parse_head(b, &HandshakeLimits::default()),
                    Err(HandshakeError::Malformed(_))
                ),
                "{:?}",
                String::from_utf8_lossy(b)
            );
        }
    }

    // RFC 9110 §5.6.1 lists and §7.6.1 Connection tokens are case-insensitive.
    #[test]
    fn token_lists_case_insensitive() {
        let h = vec![
            ("connection".to_string(), "keep-alive, UPGRADE".to_string()),
            ("Upgrade".to_string(), "WebSocket".to_string()),
        ];
        assert!(has_token(&h, "Connection", "upgrade"));
        assert!(has_token(&h, "UPGRADE", "websocket"));
        assert!(!has_token(&h, "Connection", "close"));
        assert_eq!(find_header(&h, "CONNECTION"), Some("keep-alive, UPGRADE"));
    }

    #[test]
    fn lists_split_outside_quotes_only() {
        assert_eq!(
            split_list(" a ,, b;x=\"1,2\" ,c\t"),
            vec!["a", "b;x=\"1,2\"", "c"]
        );
        assert_eq!(split_list("a;x=\"q\\\",\", b"), vec!["a;x=\"q\\\",\"", "b"]);
        assert!(split_list(" , ").is_empty());
        assert_eq!(
            extension_name(" permessage-deflate ; client_max_window_bits"),
            "permessage-deflate"
        );
    }
}
