//! Text parsers: `ws://` URLs (RFC 6455 §3) and Sec-WebSocket-Extensions
//! values (§9.1). Both must refuse with their own error kind, never panic,
//! and what they accept must print back to text that parses the same.

use devian_ws_protocol::error::HandshakeError;
use devian_ws_protocol::extensions::parse_extensions;
use devian_ws_protocol::{Error, WsUrl};

/// Parses the input (lossily made UTF-8) as a URL. An accepted URL has a
/// non-empty lower-case host, a non-zero port, a resource starting with
/// `/` that holds nothing a request line cannot (§3: no fragment), and its
/// `Display` form parses back to the same URL.
pub fn check_url(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let url = match WsUrl::parse(&text) {
        Ok(url) => url,
        Err(Error::Url(_)) => return,
        Err(e) => panic!("URL refused with a non-URL error: {e:?}"),
    };
    assert!(!url.host.is_empty());
    assert_eq!(url.host, url.host.to_ascii_lowercase());
    assert_ne!(url.port, 0);
    assert!(url.resource.starts_with('/'), "{:?}", url.resource);
    assert!(
        !url.resource
            .bytes()
            .any(|b| b == b'#' || b == b' ' || b.is_ascii_control() || !b.is_ascii()),
        "{:?}",
        url.resource
    );
    let host_header = url.host_header();
    assert!(host_header.bytes().all(|b| b.is_ascii_graphic()));
    let printed = url.to_string();
    match WsUrl::parse(&printed) {
        Ok(again) => assert_eq!(again, url, "{printed:?}"),
        Err(e) => panic!("{printed:?} (printed from {text:?}) does not parse: {e:?}"),
    }
}

/// Parses the input (lossily made UTF-8) as a Sec-WebSocket-Extensions
/// value. Refusals are `Malformed`; accepted offers have token names and
/// parameters, and printing them (joined with `, `) parses back equal.
pub fn check_extensions(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let offers = match parse_extensions(&text) {
        Ok(offers) => offers,
        Err(Error::Handshake(HandshakeError::Malformed(_))) => return,
        Err(e) => panic!("extensions refused with {e:?}"),
    };
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    for offer in &offers {
        assert!(token(&offer.name), "{offer:?}");
        for (name, value) in &offer.params {
            assert!(token(name), "{offer:?}");
            assert!(value.as_deref().is_none_or(token), "{offer:?}");
        }
    }
    let printed = offers
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    match parse_extensions(&printed) {
        Ok(again) => assert_eq!(again, offers, "{printed:?}"),
        Err(e) => panic!("{printed:?} (printed from {text:?}) does not parse: {e:?}"),
    }
}
