//! Hostile peers that pace the opening handshake: one deadline
//! (`connect_timeout`) bounds TCP connect, TLS and the HTTP upgrade together,
//! however slowly the server trickles its bytes.

mod common;

use common::*;
use devian_ws_engine::{Client, ErrorKind, Event};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Accepts one connection, reads what the client sends first, then writes
/// `prefix` and one byte of `filler` every 200 ms for up to 30 s.
fn trickling_server(prefix: &'static [u8], filler: u8) -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        let Ok((mut s, _)) = listener.accept() else {
            return;
        };
        let mut first = [0u8; 4096];
        let _ = s.read(&mut first);
        if s.write_all(prefix).is_err() {
            return;
        }
        let end = Instant::now() + Duration::from_secs(30);
        while Instant::now() < end {
            std::thread::sleep(Duration::from_millis(200));
            if s.write_all(&[filler]).is_err() {
                return;
            }
        }
    });
    (format!("127.0.0.1:{port}"), h)
}

fn time_to_fail(url: &str) -> (Duration, Vec<ErrorKind>) {
    let mut cfg = config(url);
    cfg.connect_timeout = CONNECT_TIMEOUT;
    cfg.reconnect.enabled = false;
    let started = Instant::now();
    let client = Client::connect(cfg).unwrap();
    let mut errors = Vec::new();
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        match client.poll() {
            Some(Event::Closed { .. }) => return (started.elapsed(), errors),
            Some(Event::Error { kind, .. }) => errors.push(kind),
            Some(other) => panic!("unexpected {other:?}"),
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    panic!("still connecting after {WAIT:?}");
}

// RFC 8446 §5.1: a handshake record announcing 16 KiB, delivered a byte at a
// time; rustls would wait for all of it inside one `complete_io`.
#[test]
fn tls_handshake_trickled_a_byte_at_a_time_is_bounded_by_connect_timeout() {
    let (addr, _h) = trickling_server(&[0x16, 0x03, 0x03, 0x40, 0x00], 0x00);
    let (took, errors) = time_to_fail(&format!("wss://{addr}/"));
    println!("trickled TLS handshake failed after {took:?}: {errors:?}");
    assert!(
        took < CONNECT_TIMEOUT + Duration::from_secs(1),
        "took {took:?}"
    );
    assert!(errors.contains(&ErrorKind::Timeout), "{errors:?}");
}

// RFC 6455 §4.1: the server's 101 response head, trickled without end.
#[test]
fn http_upgrade_trickled_a_byte_at_a_time_is_bounded_by_connect_timeout() {
    let (addr, _h) = trickling_server(b"HTTP/1.1 101 Switching Protocols\r\nX-Slow: ", b'a');
    let (took, errors) = time_to_fail(&format!("ws://{addr}/"));
    println!("trickled HTTP upgrade failed after {took:?}: {errors:?}");
    assert!(
        took < CONNECT_TIMEOUT + Duration::from_secs(1),
        "took {took:?}"
    );
    assert!(!errors.is_empty());
}
