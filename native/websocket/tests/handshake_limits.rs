//! Opening handshakes that are too big or too slow (CVE-2023-43669 style)
//! are cut off by size and by an overall deadline, on both sides.

mod common;

use common::{read_http_head, spawn_raw, write_quietly};
use devian_websocket::protocol::error::HandshakeError;
use devian_websocket::{
    connect, Error, HandshakeLimits, MaybeTlsStream, WebSocketConfig, WebSocketUpgrade,
};
use std::io::Read;
use std::net::TcpStream;
use std::time::Duration;

/// A server that runs our accept path on one connection and returns its error.
fn accepting_server(limits: HandshakeLimits) -> common::TestServer<Option<Error>> {
    spawn_raw(1, move |tcp| {
        WebSocketUpgrade::handshake(
            MaybeTlsStream::Plain(tcp),
            &limits,
            WebSocketConfig::default(),
            |_| None,
        )
        .err()
    })
}

/// Sends `head` from a client thread and reads whatever answer comes.
fn client_sends(addr: std::net::SocketAddr, head: Vec<u8>) -> String {
    let mut tcp = TcpStream::connect(addr).expect("connect");
    tcp.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write_quietly(&mut tcp, &head);
    let mut answer = Vec::new();
    let _ = tcp.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn huge_request_head_rejected_by_size() {
    let server = accepting_server(HandshakeLimits::default());
    let mut head = b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec();
    while head.len() < 100_000 {
        head.extend_from_slice(format!("X-Pad-{}: {}\r\n", head.len(), "a".repeat(200)).as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    let addr = server.addr;
    let client = std::thread::spawn(move || client_sends(addr, head));
    let err = server.join().remove(0).expect("server must fail");
    // Rejected by size, not by the clock: the error is TooLarge, not Timeout.
    assert!(
        matches!(err, Error::Handshake(HandshakeError::TooLarge)),
        "{err:?}"
    );
    let answer = client.join().expect("client thread");
    // The 431 is best effort (the kernel may reset the unread request).
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 431"),
        "{answer:?}"
    );
}

#[test]
fn too_many_headers_rejected() {
    let server = accepting_server(HandshakeLimits::default());
    let mut head = b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec();
    for i in 0..200 {
        head.extend_from_slice(format!("X-{i}: y\r\n").as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    let addr = server.addr;
    let client = std::thread::spawn(move || client_sends(addr, head));
    let err = server.join().remove(0).expect("server must fail");
    assert!(
        matches!(err, Error::Handshake(HandshakeError::TooLarge)),
        "{err:?}"
    );
    client.join().expect("client thread");
}

#[test]
fn slow_loris_request_times_out() {
    // Each byte comes well within any per-read timeout; only the overall
    // deadline can stop this client.
    let limits = HandshakeLimits {
        timeout: Duration::from_millis(300),
        ..HandshakeLimits::default()
    };
    let server = accepting_server(limits);
    let addr = server.addr;
    let client = std::thread::spawn(move || {
        let mut tcp = TcpStream::connect(addr).expect("connect");
        write_quietly(&mut tcp, b"GET / HTTP/1.1\r\n");
        // Bounded: at most 200 bytes, 20 ms apart; stops once the server hangs up.
        for _ in 0..200 {
            if std::io::Write::write_all(&mut tcp, b"a").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    let err = server.join().remove(0).expect("server must fail");
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    client.join().expect("client thread");
}

#[test]
fn non_upgrade_request_gets_400() {
    let server = accepting_server(HandshakeLimits::default());
    let addr = server.addr;
    let client = std::thread::spawn(move || {
        client_sends(addr, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec())
    });
    let err = server.join().remove(0).expect("server must fail");
    assert!(matches!(err, Error::Handshake(_)), "{err:?}");
    assert!(client
        .join()
        .expect("client thread")
        .starts_with("HTTP/1.1 400"));
}

// RFC 6455 §4.4: a client speaking another version gets 426 and the
// version we speak.
#[test]
fn other_websocket_version_gets_426() {
    let server = accepting_server(HandshakeLimits::default());
    let addr = server.addr;
    let request = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                   Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n";
    let client = std::thread::spawn(move || client_sends(addr, request.as_bytes().to_vec()));
    let err = server.join().remove(0).expect("server must fail");
    assert!(
        matches!(err, Error::Handshake(HandshakeError::BadHeader(_))),
        "{err:?}"
    );
    let answer = client.join().expect("client thread");
    assert!(answer.starts_with("HTTP/1.1 426"), "{answer:?}");
    assert_eq!(
        common::header_value(&answer, "Sec-WebSocket-Version").as_deref(),
        Some("13")
    );
}

#[test]
fn client_times_out_on_slow_server() {
    let server = spawn_raw(1, |mut tcp| {
        let _ = read_http_head(&mut tcp);
        // Trickle a status line that never ends; bounded to 200 bytes.
        for _ in 0..200 {
            if std::io::Write::write_all(&mut tcp, b"H").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    let limits = HandshakeLimits {
        timeout: Duration::from_millis(300),
        ..HandshakeLimits::default()
    };
    let err = connect(format!("ws://{}/", server.addr))
        .handshake_limits(limits)
        .connect()
        .expect_err("timeout");
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    server.join();
}

// RFC 8446 §5.1: a handshake record announcing 16 KiB, trickled a byte at a
// time. rustls waits for the whole record inside one `complete_io`, so only
// a deadline checked before every read bounds it.
#[test]
fn client_times_out_on_trickled_tls_handshake() {
    let server = spawn_raw(1, |mut tcp| {
        let mut hello = [0u8; 4096];
        let _ = tcp.read(&mut hello);
        let _ = std::io::Write::write_all(&mut tcp, &[0x16, 0x03, 0x03, 0x40, 0x00]);
        for _ in 0..100 {
            if std::io::Write::write_all(&mut tcp, &[0]).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let limits = HandshakeLimits {
        timeout: Duration::from_millis(500),
        ..HandshakeLimits::default()
    };
    let started = std::time::Instant::now();
    let err = connect(format!("wss://{}/", server.addr))
        .handshake_limits(limits)
        .connect()
        .expect_err("timeout");
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    server.join();
}

#[test]
fn client_rejects_huge_response_head() {
    let server = spawn_raw(1, |mut tcp| {
        let _ = read_http_head(&mut tcp);
        let mut head = b"HTTP/1.1 101 Switching Protocols\r\n".to_vec();
        while head.len() < 100_000 {
            head.extend_from_slice(b"X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
        }
        write_quietly(&mut tcp, &head);
    });
    let err = connect(format!("ws://{}/", server.addr))
        .connect()
        .expect_err("too large");
    assert!(
        matches!(err, Error::Handshake(HandshakeError::TooLarge)),
        "{err:?}"
    );
    server.join();
}

#[test]
fn server_rejection_status_and_body_reach_the_client() {
    let server = spawn_raw(1, |tcp| {
        let mut stream = MaybeTlsStream::Plain(tcp);
        let _ = WebSocketUpgrade::read_request(&mut stream, &HandshakeLimits::default())
            .expect("request");
        WebSocketUpgrade::reject(&mut stream, 403, b"no entry").expect("reject");
    });
    let err = connect(format!("ws://{}/", server.addr))
        .connect()
        .expect_err("rejected");
    match err {
        Error::Handshake(HandshakeError::Rejected { status, body }) => {
            assert_eq!(status, 403);
            assert_eq!(body, b"no entry");
        }
        other => panic!("{other:?}"),
    }
    server.join();
}
