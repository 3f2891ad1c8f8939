//! The engine's receive path under fuzzer-chosen bytes (the `receive_path`
//! cargo-fuzz target, replayed on stable by `tests/fuzz_regressions.rs`).
//!
//! A loopback peer answers the real engine client's upgrade with a valid 101
//! (with or without permessage-deflate), writes the fuzzer's bytes in the
//! fuzzer's pieces, and ends its side of TCP. The receive thread, the pooled
//! buffers, the inflater and the dispatch queue handle them as they would a
//! server's. The sans-I/O `Decoder` over the same bytes is the oracle:
//!
//! - no panic on any engine thread (it would surface as an "internal error"
//!   event) and no hang (each input must end in `Closed` within [`WAIT`]);
//! - every message the oracle decodes is delivered, intact and in order, and
//!   nothing else: so no message exceeds the configured limits;
//! - invalid input ends in `Closed` with the close code RFC 6455 requires
//!   (§7.4.1: 1002, 1007, 1009...), not clean, and the Close frame the client
//!   sends the peer carries that code (§7.1.7);
//! - the peer's Close ends it cleanly with the peer's code (1005 if none);
//!   bytes ending without a Close are 1006.
//!
//! Input: flags (bit 0: permessage-deflate), `max_frame_size` (u16, 1..),
//! extra message room (u16), a u32 piece seed, the number of pieces
//! (% 8 + 1), then the bytes the peer writes after its 101.

#[path = "../../../protocol/tests/fuzz_harness/input.rs"]
#[allow(dead_code)] // shared with the protocol crate's harness
mod input;

use devian_ws_engine::{
    Client, CloseCode, Config, DeflateConfig, Event, MessageKind, ReconnectPolicy,
};
use devian_ws_protocol::deflate::{negotiation, DeflateParams, PerMessageDeflate};
use devian_ws_protocol::handshake::server::UpgradeRequest;
use devian_ws_protocol::handshake::HandshakeLimits;
use devian_ws_protocol::{Decoded, Decoder, Limits, Role};
use input::{Chunker, Input};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Longest one input may take to end in `Closed`: longer is a hang.
const WAIT: Duration = Duration::from_secs(10);

/// How the oracle says the stream ends.
#[derive(Debug, PartialEq)]
enum End {
    /// The peer's Close (its code, or 1005 when it had none): clean.
    PeerClose(CloseCode),
    /// A protocol violation: the client fails the connection with this code.
    Fail(CloseCode),
    /// The bytes ran out without a Close: 1006.
    Eof,
}

/// What the oracle expects from `bytes`.
fn oracle(
    bytes: &[u8],
    limits: Limits,
    deflate: Option<DeflateParams>,
) -> (Vec<(MessageKind, Vec<u8>)>, End) {
    let mut decoder = Decoder::new(Role::Client, limits);
    if let Some(params) = deflate {
        decoder.set_extension(Box::new(PerMessageDeflate::new(Role::Client, params)));
    }
    let mut messages = Vec::new();
    let mut message = Vec::new();
    let mut off = 0;
    while off < bytes.len() {
        match decoder.decode(&bytes[off..], &mut message) {
            Ok((used, decoded)) => {
                off += used;
                match decoded {
                    Some(Decoded::Message(kind)) => {
                        messages.push((kind, std::mem::take(&mut message)))
                    }
                    Some(Decoded::Close(code, _)) => {
                        return (
                            messages,
                            End::PeerClose(code.unwrap_or(CloseCode::NO_STATUS)),
                        )
                    }
                    Some(_) => {}
                    None if used == 0 => break,
                    None => {}
                }
            }
            Err(e) => {
                let code = e.close_code().expect("decoder errors carry a close code");
                return (messages, End::Fail(code));
            }
        }
    }
    (messages, End::Eof)
}

fn listener() -> &'static TcpListener {
    static LISTENER: OnceLock<TcpListener> = OnceLock::new();
    LISTENER.get_or_init(|| TcpListener::bind("127.0.0.1:0").expect("bind loopback"))
}

/// Reads the client's request and answers 101; returns the client-side
/// deflate parameters if `deflate` and the client offered it.
fn upgrade(sock: &mut TcpStream, deflate: bool) -> Option<DeflateParams> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 1024];
    let request = loop {
        let n = match sock.read(&mut chunk) {
            // libFuzzer's timer signals interrupt blocking calls.
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            other => other.expect("read request"),
        };
        assert!(n > 0, "client closed during its own handshake");
        head.extend_from_slice(&chunk[..n]);
        if let Some((request, used)) = UpgradeRequest::parse(&head, &HandshakeLimits::default())
            .expect("our client's request parses")
        {
            assert_eq!(
                used,
                head.len(),
                "the client sent nothing after its request"
            );
            break request;
        }
    };
    let config = DeflateConfig::default();
    let accepted = deflate
        .then(|| negotiation::server_accept(&config, &request.extensions()))
        .flatten();
    let extra: Vec<(String, String)> = accepted
        .iter()
        .map(|(_, element)| ("Sec-WebSocket-Extensions".to_owned(), element.clone()))
        .collect();
    let response = request
        .accept(None, &extra)
        .expect("our client's request is valid");
    sock.write_all(&response).expect("write 101");
    accepted.map(|(_, element)| {
        negotiation::client_accept(&config, &[element])
            .expect("the client accepts what the server chose")
            .expect("deflate agreed")
    })
}

/// Runs one input; panics if an invariant above does not hold.
pub fn check_receive_path(data: &[u8]) {
    let mut input = Input::new(data);
    let flags = input.u8();
    let max_frame_size = usize::from(input.u16()) + 1;
    let max_message_size = max_frame_size + usize::from(input.u16());
    let mut chunker = Chunker::new(input.u32(), 1 + usize::from(input.u8() % 8));
    let pieces = usize::from(input.u8() % 8) + 1;
    let bytes = input.rest();
    let limits = Limits {
        max_frame_size,
        max_message_size,
    };

    let addr = listener().local_addr().expect("local addr");
    let mut config = Config::new(format!("ws://{addr}/"));
    config.limits = limits;
    config.reconnect = ReconnectPolicy::disabled();
    config.keepalive.ping_interval = None;
    config.close_timeout = Duration::from_millis(500);
    config.permessage_deflate = (flags & 1 != 0).then(DeflateConfig::default);
    let client = Client::connect(config).expect("valid config");

    let (mut sock, _) = loop {
        match listener().accept() {
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            other => break other.expect("accept"),
        }
    };
    let deflate = upgrade(&mut sock, flags & 1 != 0);
    let (want_messages, want_end) = oracle(bytes, limits, deflate);

    // The fuzzer's bytes in up to `pieces` writes, then the end of our side.
    let _ = sock.set_nodelay(true);
    let mut rest = bytes;
    for i in 0..pieces {
        let n = if i + 1 == pieces {
            rest.len()
        } else {
            chunker.next_len().min(rest.len())
        };
        let (piece, tail) = rest.split_at(n);
        if sock.write_all(piece).is_err() {
            break; // the client already failed the connection
        }
        rest = tail;
        if !rest.is_empty() {
            std::thread::sleep(Duration::from_micros(200));
        }
    }
    let _ = sock.shutdown(Shutdown::Write);

    let deadline = Instant::now() + WAIT;
    let mut got = Vec::new();
    let closed = loop {
        assert!(
            Instant::now() < deadline,
            "no Closed within {WAIT:?}: a hang"
        );
        match client.poll() {
            Some(Event::Message { kind, data }) => got.push((kind, data.to_vec())),
            Some(Event::Error { text, .. }) => {
                assert!(!text.contains("panicked"), "engine thread panicked: {text}")
            }
            Some(Event::Closed {
                code, was_clean, ..
            }) => break (CloseCode(code), was_clean),
            Some(_) => {}
            None => std::thread::sleep(Duration::from_micros(100)),
        }
    };
    assert!(
        got == want_messages,
        "delivered {} messages, the decoder found {}",
        got.len(),
        want_messages.len()
    );

    // What the client wrote back: Pongs, and a Close on a failure or as the echo.
    let _ = sock.set_read_timeout(Some(Duration::from_secs(2)));
    let mut answer = Vec::new();
    let _ = sock.read_to_end(&mut answer);
    let client_close = first_close(&answer);
    match want_end {
        End::PeerClose(code) => {
            assert_eq!(closed, (code, true), "the peer's close ends it cleanly");
        }
        End::Fail(code) => {
            assert_eq!(
                closed,
                (code, false),
                "a violation fails with its close code"
            );
            assert_eq!(
                client_close,
                Some(Some(code)),
                "§7.1.7: the client's Close carries the code"
            );
        }
        End::Eof => assert_eq!(closed, (CloseCode::ABNORMAL, false), "no Close: 1006"),
    }
}

/// The code of the first Close frame in what the client sent, if any.
fn first_close(bytes: &[u8]) -> Option<Option<CloseCode>> {
    let mut decoder = Decoder::new(Role::Server, Limits::default());
    decoder.set_auto_pong(false);
    let mut message = Vec::new();
    let mut off = 0;
    while off < bytes.len() {
        match decoder.decode(&bytes[off..], &mut message) {
            Ok((_, Some(Decoded::Close(code, _)))) => return Some(code),
            Ok((0, None)) | Err(_) => return None,
            Ok((used, _)) => off += used,
        }
    }
    None
}
