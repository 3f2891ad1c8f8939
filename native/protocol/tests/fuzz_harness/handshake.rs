//! Hostile handshake heads (RFC 6455 §4) under small limits, fed whole and
//! as every prefix, the way bytes trickle in from a socket.

use super::input::Input;
use devian_ws_protocol::error::HandshakeError;
use devian_ws_protocol::handshake::client::{ClientHandshake, ClientRequest, MAX_REJECTION_BODY};
use devian_ws_protocol::handshake::server::{rejection_for, UpgradeRequest};
use devian_ws_protocol::handshake::{accept_key, HandshakeLimits};
use devian_ws_protocol::{Error, Result, WsUrl};
use std::fmt::Debug;

/// Stands for the expected `Sec-WebSocket-Accept` in client-side input:
/// the key is random per handshake, so without this the fuzzer could
/// never get past the accept check to the extension and sub-protocol ones.
const ACCEPT_MARKER: &[u8] = b"@@";

/// Sub-protocols and extensions the fuzzed client offers.
const PROTOCOLS: [&str; 2] = ["chat", "v2.chat"];
const EXTENSIONS: [&str; 2] = ["permessage-deflate; client_max_window_bits", "x-test"];
/// The names of [`EXTENSIONS`], which is what a response is checked against.
const EXTENSION_NAMES: [&str; 2] = ["permessage-deflate", "x-test"];

/// Input layout: a byte for `max_headers` (0..=15), a u16 for
/// `max_head_bytes` (0..=1023), a byte choosing the check (bit 1 set: the
/// full handshake of [`check_exchange`]; otherwise bit 0 picks the server
/// request or client response parser); the rest is the head and what
/// follows.
///
/// The parsers are stateless and re-read everything received so far, so
/// feeding every prefix in turn is exactly a peer sending byte by byte.
/// The first prefix with an answer must give the whole input's answer, at
/// the same head length, and no accepted head may exceed the limits.
pub fn check_handshake(data: &[u8]) {
    let mut input = Input::new(data);
    let limits = HandshakeLimits {
        max_headers: usize::from(input.u8() % 16),
        max_head_bytes: usize::from(input.u16() % 1024),
        ..HandshakeLimits::default()
    };
    let selector = input.u8();
    if selector & 2 != 0 {
        check_exchange(&mut input);
        return;
    }
    let buf = input.rest();
    if selector & 1 == 0 {
        check_server(buf, &limits);
    } else {
        check_client(buf, &limits);
    }
}

/// A fuzzed client request that `ClientHandshake::try_start` accepts must
/// get through our own server (§4.2.1) as sent, and the server's 101
/// choosing the first offered sub-protocol must satisfy the client (§4.1):
/// what validation lets through is what the other side understands.
fn check_exchange(input: &mut Input) {
    let url = WsUrl::parse(&lossy(input, 40)).unwrap_or_else(|_| fixed_url());
    let mut request = ClientRequest {
        protocols: strings(input, 4, 12),
        extensions: strings(input, 3, 24),
        ..ClientRequest::default()
    };
    if input.u8() & 1 == 1 {
        request.origin = Some(lossy(input, 20));
    }
    for _ in 0..input.u8() % 3 {
        let name = lossy(input, 10);
        request.headers.push((name, lossy(input, 20)));
    }
    let (hs, wire) = match ClientHandshake::try_start(&url, &request) {
        Ok(started) => started,
        Err(Error::Usage(_)) => return,
        Err(e) => panic!("try_start refused with a non-usage error: {e:?}"),
    };
    let limits = HandshakeLimits::default();
    let req = match UpgradeRequest::parse(&wire, &limits) {
        Ok(Some((req, len))) => {
            assert_eq!(len, wire.len(), "request head length");
            req
        }
        other => panic!(
            "our request {:?} parsed as {other:?}",
            String::from_utf8_lossy(&wire)
        ),
    };
    assert_eq!(req.check(), Ok(()), "{:?}", String::from_utf8_lossy(&wire));
    assert_eq!(req.resource, url.resource);
    assert_eq!(req.protocols(), request.protocols);
    let offered: Vec<String> = request
        .extensions
        .iter()
        .map(|e| trim(e).to_string())
        .collect();
    assert_eq!(
        req.extensions(),
        offered,
        "{:?}",
        String::from_utf8_lossy(&wire)
    );
    if let Some(origin) = &request.origin {
        assert_eq!(req.header("Origin"), Some(trim(origin)));
    }
    let chosen = request.protocols.first().map(String::as_str);
    let answer = match req.accept(chosen, &[]) {
        Ok(a) => a,
        Err(e) => panic!("accepting our own request failed: {e:?}"),
    };
    match hs.parse_response(&answer, &limits) {
        Ok(Some((resp, len))) => {
            assert_eq!(len, answer.len());
            assert_eq!(resp.protocol.as_deref(), chosen);
            assert!(resp.extensions.is_empty());
        }
        other => panic!(
            "our 101 {:?} parsed as {other:?}",
            String::from_utf8_lossy(&answer)
        ),
    }
}

/// Fewer than `max` input bytes, as text.
fn lossy(input: &mut Input, max: u8) -> String {
    let len = input.u8() % max;
    String::from_utf8_lossy(input.bytes(usize::from(len))).into_owned()
}

/// Fewer than `count` strings of fewer than `max` bytes each.
fn strings(input: &mut Input, count: u8, max: u8) -> Vec<String> {
    let n = input.u8() % count;
    (0..n).map(|_| lossy(input, max)).collect()
}

/// RFC 9110 §5.6.3 optional whitespace trimmed, as header values are read.
fn trim(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

fn fixed_url() -> WsUrl {
    match WsUrl::parse("ws://example.com/chat") {
        Ok(u) => u,
        Err(e) => panic!("fixed URL: {e:?}"),
    }
}

fn check_server(buf: &[u8], limits: &HandshakeLimits) {
    let parse = |b: &[u8]| UpgradeRequest::parse(b, limits);
    let whole = parse(buf);
    agree_bytewise(buf, limits, &whole, parse, |r| r.headers.len());
    match whole {
        Ok(Some((req, _))) => judge_request(&req),
        Ok(None) => {}
        Err(Error::Handshake(e)) => {
            let answer = rejection_for(&e);
            assert!(answer.starts_with(b"HTTP/1.1 4"), "{e:?}");
        }
        Err(e) => panic!("server parse failed outside Handshake: {e:?}"),
    }
}

/// §4.2.1 / §4.2.2: whatever `check` says, the server's answers follow.
fn judge_request(req: &UpgradeRequest) {
    let protocols = req.protocols();
    let _ = req.extensions();
    match req.check() {
        Ok(()) => {
            assert!(req.is_upgrade_request());
            let key = req.header("Sec-WebSocket-Key").unwrap_or_default();
            let expected = format!("Sec-WebSocket-Accept: {}\r\n", accept_key(key));
            let chosen = protocols.first().map(String::as_str);
            for protocol in [None, chosen] {
                let answer = match req.accept(protocol, &[]) {
                    Ok(a) => a,
                    Err(e) => panic!("accepting a checked request failed: {e:?}"),
                };
                let text = String::from_utf8_lossy(&answer);
                assert!(text.starts_with("HTTP/1.1 101 "));
                assert!(text.contains(&expected));
                assert!(text.ends_with("\r\n\r\n"));
            }
        }
        Err(e) => {
            assert!(!req.is_upgrade_request());
            assert!(req.accept(None, &[]).is_err());
            let answer = rejection_for(&e);
            assert!(answer.starts_with(b"HTTP/1.1 4"), "{e:?}");
        }
    }
}

fn check_client(raw: &[u8], limits: &HandshakeLimits) {
    let url = fixed_url();
    let request = ClientRequest {
        protocols: PROTOCOLS.iter().map(|s| s.to_string()).collect(),
        extensions: EXTENSIONS.iter().map(|s| s.to_string()).collect(),
        ..ClientRequest::default()
    };
    let (hs, _) = match ClientHandshake::try_start(&url, &request) {
        Ok(started) => started,
        Err(e) => panic!("fixed request: {e:?}"),
    };
    let buf = replace_marker(raw, hs.expected_accept().as_bytes());
    let parse = |b: &[u8]| hs.parse_response(b, limits);
    let whole = parse(&buf);
    agree_bytewise(&buf, limits, &whole, parse, |r| r.headers.len());
    match whole {
        // §4.1: only what was offered may come back.
        Ok(Some((resp, _))) => {
            if let Some(p) = &resp.protocol {
                assert!(PROTOCOLS.contains(&p.as_str()), "{p:?}");
            }
            for e in &resp.extensions {
                let name = trim(e.split(';').next().unwrap_or(""));
                assert!(
                    EXTENSION_NAMES.iter().any(|o| o.eq_ignore_ascii_case(name)),
                    "{e:?}"
                );
            }
        }
        Ok(None) => {}
        Err(Error::Handshake(HandshakeError::Rejected { status, body })) => {
            assert!(body.len() <= MAX_REJECTION_BODY);
            assert_ne!(status, 101);
        }
        Err(Error::Handshake(_)) => {}
        Err(e) => panic!("client parse failed outside Handshake: {e:?}"),
    }
}

/// Feeds `buf[..n]` for growing `n` and requires the first answer to be
/// the whole buffer's. A rejection's body is compared by prefix, since
/// only the bytes present so far can be kept.
fn agree_bytewise<T: Debug>(
    buf: &[u8],
    limits: &HandshakeLimits,
    whole: &Result<Option<(T, usize)>>,
    parse: impl Fn(&[u8]) -> Result<Option<(T, usize)>>,
    header_count: impl Fn(&T) -> usize,
) {
    if let Ok(Some((parsed, len))) = whole {
        assert!(*len <= buf.len());
        assert!(
            *len <= limits.max_head_bytes,
            "head of {len} bytes accepted"
        );
        let count = header_count(parsed);
        assert!(count <= limits.max_headers, "{count} headers accepted");
    }
    // Beyond max_head_bytes + 1 the parser sees the same window; stop there.
    let last = buf.len().min(limits.max_head_bytes.saturating_add(1));
    for n in 0..=last {
        let early = parse(&buf[..n]);
        match (&early, whole) {
            (Ok(None), _) => continue,
            (Ok(Some((a, la))), Ok(Some((b, lb)))) => {
                assert_eq!(la, lb, "head length differs");
                assert_eq!(n, *la, "answer before the head was complete");
                assert_eq!(format!("{a:?}"), format!("{b:?}"));
            }
            (
                Err(Error::Handshake(HandshakeError::Rejected {
                    status: s1,
                    body: b1,
                })),
                Err(Error::Handshake(HandshakeError::Rejected {
                    status: s2,
                    body: b2,
                })),
            ) => {
                assert_eq!(s1, s2);
                assert!(b2.starts_with(b1), "rejection body is not a prefix");
            }
            (Err(a), Err(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}")),
            _ => panic!("prefix of {n} bytes answered {early:?}, whole input {whole:?}"),
        }
        return;
    }
    // No prefix up to the window answered: neither may the whole input.
    assert!(
        matches!(whole, Ok(None)),
        "whole input answered {whole:?} but no prefix did"
    );
}

/// `raw` with every [`ACCEPT_MARKER`] replaced by `accept`.
fn replace_marker(raw: &[u8], accept: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + accept.len());
    let mut rest = raw;
    while !rest.is_empty() {
        if rest.starts_with(ACCEPT_MARKER) {
            out.extend_from_slice(accept);
            rest = &rest[ACCEPT_MARKER.len()..];
        } else {
            out.push(rest[0]);
            rest = &rest[1..];
        }
    }
    out
}
