//! What a connection is configured with, checked against what a browser can do.
//!
//! The browser's WebSocket takes only a URL and a list of sub-protocols. Everything else the
//! native engine offers is either applied by us on top (reconnect, send buffering,
//! query-parameter / first-message / sub-protocol authentication) or impossible, and then
//! refused here with a message that says why and what to use instead.

use devian_ws_policy::{Auth, QueueLimits, ReconnectPolicy};

use crate::error::{Error, ErrorKind, Result};

/// A connection's configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    url: String,
    protocols: Vec<String>,
    /// Authentication applied on every (re)connect.
    pub auth: Auth,
    /// When to reconnect after a drop.
    pub reconnect: ReconnectPolicy,
    /// Bounds of the buffer that holds sends while (re)connecting.
    pub send_queue: QueueLimits,
    /// Buffer sends made while (re)connecting (else they fail with `InvalidState`).
    pub buffer_while_connecting: bool,
    /// Most bytes the browser may hold unsent (`WebSocket.bufferedAmount`) before a send
    /// fails with `QueueFull`: the native send queue's byte bound, applied to the browser's.
    pub max_buffered_bytes: usize,
}

impl Options {
    /// Options for `url` (`ws://` or `wss://`, no fragment), with no sub-protocols, no
    /// authentication, reconnect disabled and the default send-buffer bounds.
    pub fn new(url: &str) -> Result<Self> {
        validate_url(url)?;
        Ok(Self {
            url: url.to_owned(),
            protocols: Vec::new(),
            auth: Auth::None,
            // Off until the application enables it; the native defaults otherwise (10
            // attempts, 1 s doubling to 30 s, full jitter, codes 1006/1001/1011/1012/1013).
            reconnect: ReconnectPolicy::disabled(),
            send_queue: QueueLimits {
                max_messages: 1024,
                max_bytes: 8 * 1024 * 1024,
            },
            buffer_while_connecting: true,
            max_buffered_bytes: 32 * 1024 * 1024,
        })
    }

    /// The URL as given (without authentication applied).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The application's sub-protocols, in preference order.
    pub fn protocols(&self) -> &[String] {
        &self.protocols
    }

    /// Sets the sub-protocols from a comma-separated list (tokens cannot contain commas,
    /// RFC 6455 §4.1), trimming spaces and ignoring empty entries.
    pub fn set_protocols_csv(&mut self, csv: &str) -> Result<()> {
        let list: Vec<String> = csv
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        for p in &list {
            validate_token(p)?;
        }
        ensure_unique(&list)?;
        self.protocols = list;
        Ok(())
    }

    /// Refuses a custom request header: the browser API cannot send one.
    pub fn add_header(&mut self, name: &str, _value: &str) -> Result<()> {
        Err(Error::new(
            ErrorKind::NotSupported,
            format!(
                "custom header '{name}' cannot be sent: the browser WebSocket API has no way to \
                 set request headers; use query-parameter, first-message or sub-protocol \
                 authentication on WebGL"
            ),
        ))
    }

    /// Everything checked before dialing: authentication a browser can carry, and the
    /// combined sub-protocol list (user's + authentication's) valid and unique.
    pub fn validate(&self) -> Result<()> {
        if let Auth::Headers(headers) = &self.auth {
            let name = headers.first().map(|(n, _)| n.as_str()).unwrap_or("");
            return Err(Error::new(
                ErrorKind::NotSupported,
                format!(
                    "header authentication ('{name}') cannot be used on WebGL: browsers do not \
                     let scripts set WebSocket request headers; use query-parameter, \
                     first-message or sub-protocol authentication"
                ),
            ));
        }
        if let Auth::Subprotocol { token } = &self.auth {
            validate_token(token)?;
        }
        ensure_unique(&self.dial_protocols())?;
        if self.send_queue.max_messages == 0 || self.send_queue.max_bytes == 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "send buffer limits must be at least 1 message and 1 byte",
            ));
        }
        if self.reconnect.multiplier.is_nan() || self.reconnect.multiplier < 1.0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "reconnect multiplier must be a number >= 1",
            ));
        }
        Ok(())
    }

    /// The URL to dial, with query-parameter authentication applied.
    pub fn dial_url(&self) -> String {
        self.auth.apply_to_url(&self.url)
    }

    /// The sub-protocols to offer: the application's, then the authentication token's.
    pub fn dial_protocols(&self) -> Vec<String> {
        let mut all = self.protocols.clone();
        all.extend(self.auth.extra_protocols());
        all
    }
}

/// A URL the browser will accept for a WebSocket.
fn validate_url(url: &str) -> Result<()> {
    let lower = url
        .get(..6)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if !(lower.starts_with("ws://") || lower.starts_with("wss://")) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("'{url}' is not a WebSocket URL: it must start with ws:// or wss://"),
        ));
    }
    // RFC 6455 §3: "Fragment identifiers are meaningless in the context of WebSocket URIs
    // and MUST NOT be used"; browsers throw a SyntaxError for them.
    if url.contains('#') {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("'{url}' has a fragment (#...), which WebSocket URLs must not have (RFC 6455 section 3)"),
        ));
    }
    Ok(())
}

/// RFC 6455 §4.1 (client requirement 10): each sub-protocol is a token, i.e. characters in
/// U+0021–U+007E excluding the RFC 2616 separators.
fn validate_token(p: &str) -> Result<()> {
    const SEPARATORS: &[u8] = b"()<>@,;:\\\"/[]?={} \t";
    let ok = !p.is_empty()
        && p.bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && !SEPARATORS.contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("sub-protocol '{p}' is not a token (RFC 6455 section 4.1: printable ASCII without separators)"),
        ))
    }
}

/// RFC 6455 §4.1: the offered sub-protocols "MUST all be unique strings".
fn ensure_unique(list: &[String]) -> Result<()> {
    for (i, p) in list.iter().enumerate() {
        if list[i + 1..].contains(p) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("sub-protocol '{p}' is offered twice (RFC 6455 section 4.1 requires unique values)"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ws_and_wss_urls() {
        assert!(Options::new("ws://127.0.0.1:9/x?a=1").is_ok());
        assert!(Options::new("WSS://example.invalid/").is_ok());
    }

    #[test]
    fn refuses_other_schemes_and_fragments() {
        for url in ["http://a/", "ftp://a", "", "ws:/a", "ws://a/#frag"] {
            let e = Options::new(url).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{url}");
        }
    }

    #[test]
    fn protocols_are_split_trimmed_and_checked() {
        let mut o = Options::new("ws://a/").unwrap();
        o.set_protocols_csv(" chat.v2 , ,json").unwrap();
        assert_eq!(o.protocols(), ["chat.v2", "json"]);
        // RFC 6455 §4.1: separators such as '/' or ' ' are not token characters.
        assert!(o.set_protocols_csv("a/b").is_err());
        assert!(o.set_protocols_csv("caf\u{e9}").is_err());
        // RFC 6455 §4.1: values must be unique.
        assert!(o.set_protocols_csv("x,x").is_err());
        // A failed set leaves the previous list.
        assert_eq!(o.protocols(), ["chat.v2", "json"]);
    }

    #[test]
    fn headers_are_refused_with_an_explanation() {
        let mut o = Options::new("ws://a/").unwrap();
        let e = o.add_header("Authorization", "Bearer x").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotSupported);
        assert!(e.message().contains("Authorization"), "{e}");
        o.auth = Auth::Headers(vec![("X-Key".into(), "v".into())]);
        let e = o.validate().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotSupported);
        assert!(e.message().contains("X-Key"), "{e}");
    }

    #[test]
    fn subprotocol_auth_token_must_be_a_token_and_unique() {
        let mut o = Options::new("ws://a/").unwrap();
        o.set_protocols_csv("chat").unwrap();
        o.auth = Auth::Subprotocol {
            token: "has space".into(),
        };
        assert!(o.validate().is_err());
        o.auth = Auth::Subprotocol {
            token: "chat".into(),
        };
        assert!(o.validate().is_err(), "duplicate with the user's protocol");
    }

    #[test]
    fn limits_must_be_positive() {
        let mut o = Options::new("ws://a/").unwrap();
        assert!(o.validate().is_ok());
        o.send_queue.max_bytes = 0;
        assert!(o.validate().is_err());
    }

    #[test]
    fn reconnect_is_off_by_default_with_the_native_defaults() {
        let r = Options::new("ws://a/").unwrap().reconnect;
        assert!(!r.enabled);
        // Everything else is the shared policy's default, so browser and native agree.
        let native = ReconnectPolicy::default();
        assert_eq!(
            r,
            ReconnectPolicy {
                enabled: false,
                ..native
            }
        );
    }
}
