//! Extension negotiation hook (§9) and the RSV1 path for permessage-deflate (RFC 7692).
//!
//! Two parts:
//! - [`parse_extensions`] reads a `Sec-WebSocket-Extensions` header value
//!   into [`ExtensionOffer`]s (name plus parameters, §9.1 grammar), and
//!   [`ExtensionOffer`]'s `Display` writes one back, so the handshake can
//!   offer, accept and check extensions without knowing any of them.
//! - [`Extension`] is what a negotiated extension implements to transform
//!   message payloads. The [`crate::Decoder`] and [`crate::Encoder`] each
//!   take their own instance (they live on different threads and a
//!   compressor's state is per direction). The RSV bits an extension claims
//!   become legal on the first frame of a data message; without an
//!   extension every RSV bit fails the connection (§5.2).

use crate::error::{Error, HandshakeError, Result};
use std::fmt;

/// A message transformation negotiated in the opening handshake (§9),
/// following the per-message model of RFC 7692: the extension's RSV bit is
/// set on the first frame of a transformed message, never on continuation
/// or control frames (RFC 7692 §6).
pub trait Extension: Send {
    /// The extension token, e.g. `permessage-deflate`.
    fn name(&self) -> &str;

    /// The RSV bits this extension defines, as a three-bit value:
    /// RSV1 = `0b100` ([`crate::protocol::frame::RSV1`]), RSV2 = `0b010`,
    /// RSV3 = `0b001`.
    fn rsv_bits(&self) -> u8;

    /// Undoes the transformation on a received message whose first frame
    /// had one of [`Extension::rsv_bits`] set. `payload` holds the whole
    /// reassembled message and is replaced by the result, which must not
    /// exceed `max_size` bytes (fail with [`Error::TooBig`] as soon as it
    /// would, so a small compressed message cannot expand without bound).
    fn decode_message(&mut self, payload: &mut Vec<u8>, max_size: usize) -> Result<()>;

    /// Transforms an outgoing message in place. Returns whether it did, i.e.
    /// whether the frame must carry the extension's RSV bits (an extension
    /// may leave small messages untouched).
    fn encode_message(&mut self, payload: &mut Vec<u8>) -> Result<bool>;
}

/// One element of a `Sec-WebSocket-Extensions` header: an extension token
/// and its parameters in order (§9.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionOffer {
    /// The extension token, e.g. `permessage-deflate`.
    pub name: String,
    /// Parameters: name and optional value (quoted values are unescaped).
    pub params: Vec<(String, Option<String>)>,
}

impl ExtensionOffer {
    /// An offer with no parameters.
    pub fn new(name: impl Into<String>) -> Self {
        ExtensionOffer {
            name: name.into(),
            params: Vec::new(),
        }
    }

    /// The value of the first parameter called `name` (case-insensitive):
    /// `None` when absent, `Some(None)` when present without a value.
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_deref())
    }
}

impl fmt::Display for ExtensionOffer {
    /// The header form, e.g. `permessage-deflate; client_max_window_bits=10`.
    /// Values were checked to be tokens when parsed, so they need no quotes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        for (name, value) in &self.params {
            write!(f, "; {name}")?;
            if let Some(v) = value {
                write!(f, "={v}")?;
            }
        }
        Ok(())
    }
}

/// Parses a `Sec-WebSocket-Extensions` value (§9.1):
///
/// ```text
/// extension-list = 1#extension
/// extension      = extension-token *( ";" extension-param )
/// extension-param = token [ "=" (token | quoted-string) ]
/// ```
///
/// Whitespace around separators is allowed and empty list elements are
/// skipped (RFC 7230 §7). A quoted value must be a token once unescaped
/// (§9.1). Several header lines are handled by calling this once per line.
/// Malformed input fails with
/// `HandshakeError::Malformed("Sec-WebSocket-Extensions")`.
pub fn parse_extensions(value: &str) -> Result<Vec<ExtensionOffer>> {
    let mut p = Parser {
        s: value.as_bytes(),
        pos: 0,
    };
    let mut offers = Vec::new();
    loop {
        p.skip_ows();
        match p.peek() {
            None => break,
            // Empty list element.
            Some(b',') => {
                p.pos += 1;
                continue;
            }
            Some(_) => {}
        }
        let mut offer = ExtensionOffer::new(p.token()?);
        loop {
            p.skip_ows();
            match p.peek() {
                None => break,
                Some(b',') => {
                    p.pos += 1;
                    break;
                }
                Some(b';') => {
                    p.pos += 1;
                    p.skip_ows();
                    let name = p.token()?;
                    p.skip_ows();
                    let value = if p.peek() == Some(b'=') {
                        p.pos += 1;
                        p.skip_ows();
                        Some(if p.peek() == Some(b'"') {
                            p.quoted_token()?
                        } else {
                            p.token()?
                        })
                    } else {
                        None
                    };
                    offer.params.push((name, value));
                }
                Some(_) => return Err(malformed()),
            }
        }
        offers.push(offer);
    }
    Ok(offers)
}

fn malformed() -> Error {
    Error::Handshake(HandshakeError::Malformed("Sec-WebSocket-Extensions"))
}

/// RFC 7230 §3.2.6 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// One or more `tchar`s.
    fn token(&mut self) -> Result<String> {
        let start = self.pos;
        while self.peek().is_some_and(is_tchar) {
            self.pos += 1;
        }
        if self.pos == start {
            return Err(malformed());
        }
        // tchars are ASCII, so this is valid UTF-8.
        String::from_utf8(self.s[start..self.pos].to_vec()).map_err(|_| malformed())
    }

    /// A quoted-string whose unescaped content is a token (§9.1).
    fn quoted_token(&mut self) -> Result<String> {
        self.pos += 1; // opening quote
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Err(malformed()),
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => {
                    let escaped = self.s.get(self.pos + 1).copied().ok_or_else(malformed)?;
                    out.push(escaped);
                    self.pos += 2;
                }
                Some(b) => {
                    out.push(b);
                    self.pos += 1;
                }
            }
        }
        if out.is_empty() || !out.iter().copied().all(is_tchar) {
            return Err(malformed());
        }
        String::from_utf8(out).map_err(|_| malformed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(name: &str, params: &[(&str, Option<&str>)]) -> ExtensionOffer {
        ExtensionOffer {
            name: name.to_owned(),
            params: params
                .iter()
                .map(|(n, v)| (n.to_string(), v.map(str::to_owned)))
                .collect(),
        }
    }

    // RFC 6455 §9.1 and RFC 7692 §5/§7 examples.
    #[test]
    fn rfc6455_9_1_parses_list_with_params() {
        let got = parse_extensions(
            "permessage-deflate; client_max_window_bits, permessage-deflate; server_max_window_bits=10",
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                offer("permessage-deflate", &[("client_max_window_bits", None)]),
                offer(
                    "permessage-deflate",
                    &[("server_max_window_bits", Some("10"))]
                ),
            ]
        );
        assert_eq!(got[1].param("SERVER_MAX_WINDOW_BITS"), Some(Some("10")));
        assert_eq!(got[0].param("client_max_window_bits"), Some(None));
        assert_eq!(got[0].param("absent"), None);
    }

    // RFC 6455 §9.1: a quoted-string value is unescaped and must be a token.
    #[test]
    fn rfc6455_9_1_quoted_values() {
        let got = parse_extensions("foo; a=\"10\"; b=\"x\\-y\"").unwrap();
        assert_eq!(
            got,
            vec![offer("foo", &[("a", Some("10")), ("b", Some("x-y"))])]
        );
        // Unescaped content that is not a token (space, empty) is rejected.
        for bad in [
            "foo; a=\"1 0\"",
            "foo; a=\"\"",
            "foo; a=\"10",
            "foo; a=\"1\\",
        ] {
            assert!(parse_extensions(bad).is_err(), "{bad}");
        }
    }

    // RFC 7230 §7: optional whitespace and empty list elements.
    #[test]
    fn rfc7230_7_whitespace_and_empty_elements() {
        let got = parse_extensions(" , foo ;\tbar = 1 ,, baz ,").unwrap();
        assert_eq!(
            got,
            vec![offer("foo", &[("bar", Some("1"))]), offer("baz", &[])]
        );
        assert_eq!(parse_extensions("").unwrap(), vec![]);
    }

    #[test]
    fn rfc6455_9_1_malformed_values_rejected() {
        for bad in [
            "foo;",
            "foo; =1",
            "foo bar",
            "foo; a=",
            "foo; a=b c",
            "fo@o",
            ";a",
        ] {
            let err = parse_extensions(bad).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::Handshake(HandshakeError::Malformed("Sec-WebSocket-Extensions"))
                ),
                "{bad}: {err:?}"
            );
        }
    }

    #[test]
    fn display_writes_header_form_that_parses_back() {
        let o = offer(
            "permessage-deflate",
            &[
                ("client_no_context_takeover", None),
                ("server_max_window_bits", Some("12")),
            ],
        );
        let text = o.to_string();
        assert_eq!(
            text,
            "permessage-deflate; client_no_context_takeover; server_max_window_bits=12"
        );
        assert_eq!(parse_extensions(&text).unwrap(), vec![o]);
    }
}
