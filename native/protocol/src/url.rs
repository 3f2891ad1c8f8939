//! `ws://` and `wss://` URLs (RFC 6455 §3).
//!
//! Only what a WebSocket client needs: scheme, host, port and the resource
//! name (path plus query). Anything RFC 6455 §3 forbids (fragments) or that
//! would be unsafe to put in a request line (userinfo, spaces, control
//! characters, raw non-ASCII) is rejected with an [`Error::Url`] that says why.

use crate::error::{Error, Result};
use std::fmt;
use std::net::Ipv6Addr;

/// A parsed WebSocket URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsUrl {
    /// `true` for wss://.
    pub secure: bool,
    /// Host name or IP literal, without brackets.
    pub host: String,
    /// Port (80/443 by default).
    pub port: u16,
    /// Path and query, e.g. `/chat?room=1`; `/` when empty. No fragment.
    pub resource: String,
}

fn url_err(why: impl Into<String>) -> Error {
    Error::Url(why.into())
}

impl WsUrl {
    /// Parses `ws://host[:port][/path][?query]` or `wss://...`. IPv6 literals in brackets.
    ///
    /// The scheme is case-insensitive and the host is lower-cased (both are
    /// case-insensitive per RFC 3986 §3.1 and §3.2.2). The resource is kept
    /// byte for byte; it must already be percent-encoded.
    pub fn parse(url: &str) -> Result<WsUrl> {
        if let Some(bad) = url.chars().find(|c| c.is_ascii_control() || *c == ' ') {
            return Err(url_err(format!(
                "URL contains {bad:?}; spaces and control characters must be percent-encoded"
            )));
        }
        if !url.is_ascii() {
            return Err(url_err(
                "URL contains non-ASCII characters; percent-encode them",
            ));
        }
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| url_err(format!("{url:?} has no scheme; expected ws:// or wss://")))?;
        let secure = if scheme.eq_ignore_ascii_case("ws") {
            false
        } else if scheme.eq_ignore_ascii_case("wss") {
            true
        } else {
            return Err(url_err(format!(
                "scheme {scheme:?} is not a WebSocket scheme; expected ws:// or wss://"
            )));
        };
        // §3: "Fragment identifiers are meaningless in the context of
        // WebSocket URIs and MUST NOT be used on these URIs."
        if rest.contains('#') {
            return Err(url_err(
                "WebSocket URLs must not contain a fragment (#...), RFC 6455 §3",
            ));
        }

        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let resource = match tail.as_bytes().first() {
            None => "/".to_string(),
            Some(b'?') => format!("/{tail}"),
            Some(_) => tail.to_string(),
        };

        if authority.contains('@') {
            return Err(url_err(
                "user information (user@host) is not allowed in WebSocket URLs",
            ));
        }
        let (host, port) = split_host_port(authority)?;
        let port = match port {
            None => {
                if secure {
                    443
                } else {
                    80
                }
            }
            Some(p) => parse_port(p)?,
        };
        Ok(WsUrl {
            secure,
            host,
            port,
            resource,
        })
    }

    /// The Host header value: host, bracketed if IPv6, with `:port` unless it is the default.
    pub fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == self.default_port() {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }

    /// 443 for wss://, 80 for ws://.
    pub fn default_port(&self) -> u16 {
        if self.secure {
            443
        } else {
            80
        }
    }
}

impl fmt::Display for WsUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.secure { "wss" } else { "ws" };
        write!(f, "{scheme}://{}{}", self.host_header(), self.resource)
    }
}

/// Splits `host[:port]` or `[v6][:port]`; the host comes back without brackets.
fn split_host_port(authority: &str) -> Result<(String, Option<&str>)> {
    if let Some(inner) = authority.strip_prefix('[') {
        let close = inner
            .find(']')
            .ok_or_else(|| url_err("IPv6 literal is missing its closing ']'"))?;
        let literal = &inner[..close];
        literal
            .parse::<Ipv6Addr>()
            .map_err(|_| url_err(format!("{literal:?} is not a valid IPv6 address")))?;
        let after = &inner[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(url_err(format!("unexpected {after:?} after IPv6 literal"))),
        };
        return Ok((literal.to_ascii_lowercase(), port));
    }
    if authority.matches(':').count() > 1 {
        return Err(url_err(
            "IPv6 addresses must be written in brackets, e.g. ws://[::1]:9001/",
        ));
    }
    let (host, port) = match authority.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    if host.is_empty() {
        return Err(url_err("URL has an empty host"));
    }
    // RFC 3986 §3.2.2 reg-name characters (percent-encoding included).
    let ok = |c: char| c.is_ascii_alphanumeric() || "-._~%!$&'()*+,;=".contains(c);
    if let Some(bad) = host.chars().find(|c| !ok(*c)) {
        return Err(url_err(format!("host {host:?} contains {bad:?}")));
    }
    Ok((host.to_ascii_lowercase(), port))
}

fn parse_port(p: &str) -> Result<u16> {
    if p.is_empty() {
        return Err(url_err("URL has ':' but no port number"));
    }
    if !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(url_err(format!("port {p:?} is not a number")));
    }
    match p.parse::<u16>() {
        Ok(0) => Err(url_err("port 0 cannot be connected to")),
        Ok(n) => Ok(n),
        Err(_) => Err(url_err(format!("port {p} is out of range (1-65535)"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_error(s: &str) -> String {
        match WsUrl::parse(s) {
            Err(Error::Url(why)) => why,
            other => panic!("{s:?}: expected Error::Url, got {other:?}"),
        }
    }

    // RFC 6455 §3: default ports 80 and 443, resource "/" when the path is empty.
    #[test]
    fn rfc6455_3_default_ports_and_root_resource() {
        let u = WsUrl::parse("ws://example.com").unwrap();
        assert_eq!(
            (u.secure, u.host.as_str(), u.port, u.resource.as_str()),
            (false, "example.com", 80, "/")
        );
        assert_eq!(u.host_header(), "example.com");
        let u = WsUrl::parse("wss://example.com/").unwrap();
        assert_eq!((u.secure, u.port, u.resource.as_str()), (true, 443, "/"));
        assert_eq!(u.host_header(), "example.com");
    }

    // RFC 6455 §3: the scheme is case-insensitive (RFC 3986 §3.1); so is the host.
    #[test]
    fn rfc6455_3_scheme_and_host_case_insensitive() {
        let u = WsUrl::parse("WSS://Example.COM:8443/Path").unwrap();
        assert!(u.secure);
        assert_eq!(u.host, "example.com");
        assert_eq!(u.port, 8443);
        assert_eq!(u.resource, "/Path", "the path stays case-sensitive");
        assert_eq!(u.host_header(), "example.com:8443");
        assert_eq!(u.to_string(), "wss://example.com:8443/Path");
    }

    #[test]
    fn explicit_default_port_is_left_out_of_host_header() {
        assert_eq!(WsUrl::parse("ws://h:80/").unwrap().host_header(), "h");
        assert_eq!(WsUrl::parse("wss://h:443/").unwrap().host_header(), "h");
        assert_eq!(WsUrl::parse("ws://h:443/").unwrap().host_header(), "h:443");
        assert_eq!(WsUrl::parse("wss://h:80/").unwrap().host_header(), "h:80");
    }

    // RFC 6455 §3: resource-name = path [ "?" query ].
    #[test]
    fn rfc6455_3_query_is_part_of_resource() {
        let u = WsUrl::parse("ws://h/chat?room=1&x=%20y").unwrap();
        assert_eq!(u.resource, "/chat?room=1&x=%20y");
        let u = WsUrl::parse("ws://h:9001?q=1").unwrap();
        assert_eq!((u.port, u.resource.as_str()), (9001, "/?q=1"));
    }

    #[test]
    fn ipv6_literals() {
        let u = WsUrl::parse("ws://[::1]:9001/x").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.resource.as_str()),
            ("::1", 9001, "/x")
        );
        assert_eq!(u.host_header(), "[::1]:9001");
        let u = WsUrl::parse("wss://[FE80::1]").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("fe80::1", 443));
        assert_eq!(u.host_header(), "[fe80::1]");
        assert!(url_error("ws://::1:9001/").contains("brackets"));
        assert!(url_error("ws://[::1/").contains("']'"));
        assert!(url_error("ws://[nothex]/").contains("IPv6"));
        assert!(url_error("ws://[::1]x/").contains("after IPv6"));
    }

    #[test]
    fn ports_must_be_1_to_65535_digits() {
        assert_eq!(WsUrl::parse("ws://h:65535").unwrap().port, 65535);
        assert_eq!(WsUrl::parse("ws://h:1").unwrap().port, 1);
        assert!(url_error("ws://h:0/").contains("port 0"));
        assert!(url_error("ws://h:65536/").contains("out of range"));
        assert!(url_error("ws://h:99999999999999999999/").contains("out of range"));
        assert!(url_error("ws://h:80a/").contains("not a number"));
        assert!(url_error("ws://h:+80/").contains("not a number"));
        assert!(url_error("ws://h:/").contains("no port"));
    }

    // RFC 6455 §3: fragment identifiers MUST NOT be used.
    #[test]
    fn rfc6455_3_fragment_rejected() {
        assert!(url_error("ws://h/path#frag").contains("fragment"));
        assert!(url_error("ws://h/#").contains("fragment"));
    }

    #[test]
    fn bad_urls_have_clear_errors() {
        assert!(url_error("http://h/").contains("\"http\" is not a WebSocket scheme"));
        assert!(url_error("https://h/").contains("\"https\" is not a WebSocket scheme"));
        assert!(url_error("h:80/").contains("no scheme"));
        assert!(url_error("ws://user:pw@h/").contains("user information"));
        assert!(url_error("ws:///path").contains("empty host"));
        assert!(url_error("ws://").contains("empty host"));
        assert!(url_error("ws://:80/").contains("empty host"));
        assert!(url_error("ws://h/a b").contains("percent-encoded"));
        assert!(url_error("ws://h/a\r\nX: y").contains("percent-encoded"));
        assert!(url_error("ws://h/caf\u{e9}").contains("non-ASCII"));
        assert!(url_error("ws://h\\x/").contains("contains"));
    }
}
