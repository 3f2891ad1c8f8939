//! Data in both directions against the project's own server: order, size,
//! concurrency, and the close handshake.

mod common;

use common::*;
use devian_ws_engine::{Client, CloseCode, Error, Event, MessageKind, State};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Sends, retrying (bounded) while the send queue is full.
fn send_retrying(client: &Client, kind: MessageKind, payload: &[u8]) {
    let deadline = Instant::now() + WAIT;
    loop {
        match client.send(kind, payload) {
            Ok(()) => return,
            Err(Error::Capacity(_)) if Instant::now() < deadline => std::thread::yield_now(),
            Err(e) => panic!("send failed: {e}"),
        }
    }
}

#[test]
fn thousands_of_messages_each_way_in_order() {
    let server = Server::start(echo);
    let client = Client::connect(config(&server.url())).unwrap();
    wait_open(&client);
    const N: usize = 5000;
    let sender = {
        // Sending from another thread while this one drains: both directions at once.
        let client = Arc::new(client);
        let c = Arc::clone(&client);
        let t = std::thread::spawn(move || {
            for i in 0..N {
                send_retrying(&c, MessageKind::Text, format!("message {i}").as_bytes());
            }
        });
        (client, t)
    };
    let (client, t) = sender;
    let got = receive_n(&client, N);
    t.join().unwrap();
    for (i, m) in got.iter().enumerate() {
        assert_eq!(m, format!("message {i}").as_bytes());
    }
    let stats = client.stats();
    assert_eq!(stats.messages_sent, N as u64);
    assert_eq!(stats.messages_received, N as u64);
}

#[test]
fn large_messages_16_mib_round_trip() {
    let server = Server::start(echo);
    let client = Client::connect(config(&server.url())).unwrap();
    wait_open(&client);
    let big: Vec<u8> = (0..16usize << 20).map(|i| (i % 251) as u8).collect();
    client.send(MessageKind::Binary, &big).unwrap();
    // And a zero-filled one built in place, without a caller-side buffer.
    client
        .send_with(MessageKind::Binary, 3 << 20, |b| b.fill(7))
        .unwrap();
    let got = receive_n(&client, 2);
    assert!(got[0] == big, "16 MiB payload corrupted");
    assert_eq!(got[1].len(), 3 << 20);
    assert!(got[1].iter().all(|&b| b == 7));
}

#[test]
fn send_from_eight_threads_no_torn_or_lost_messages() {
    let server = Server::start(echo);
    let client = Arc::new(Client::connect(config(&server.url())).unwrap());
    wait_open(&client);
    const THREADS: usize = 8;
    const PER: usize = 400;
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let c = Arc::clone(&client);
            std::thread::spawn(move || {
                for i in 0..PER {
                    // Varying lengths so a torn frame would show as a bad payload.
                    let mut p = format!("{t}:{i}:").into_bytes();
                    p.resize(p.len() + (i * 37) % 3000, b'a' + t as u8);
                    send_retrying(&c, MessageKind::Binary, &p);
                }
            })
        })
        .collect();
    let got = receive_n(&client, THREADS * PER);
    for w in workers {
        w.join().unwrap();
    }
    let mut next = [0usize; THREADS];
    for m in &got {
        let text = std::str::from_utf8(m).expect("payload intact");
        let mut parts = text.splitn(3, ':');
        let t: usize = parts.next().unwrap().parse().unwrap();
        let i: usize = parts.next().unwrap().parse().unwrap();
        let fill = parts.next().unwrap();
        assert_eq!(i, next[t], "thread {t}'s messages out of order or lost");
        next[t] += 1;
        assert_eq!(fill.len(), (i * 37) % 3000);
        assert!(fill.bytes().all(|b| b == b'a' + t as u8), "torn payload");
    }
    assert_eq!(next, [PER; THREADS]);
}

// RFC 6455 §7.1.2/§5.5.1: our Close is answered by the server's; the close is clean.
#[test]
fn client_close_is_clean_and_final() {
    let server = Server::start(echo);
    let client = Client::connect(config(&server.url())).unwrap();
    wait_open(&client);
    client.close(CloseCode::NORMAL, "bye").unwrap();
    assert!(matches!(
        client.close(CloseCode::NORMAL, "again"),
        Err(Error::AlreadyClosed)
    ));
    assert!(matches!(
        client.send(MessageKind::Text, b"late"),
        Err(Error::AlreadyClosed)
    ));
    let mut saw_closing = false;
    let ev = wait_event(
        &client,
        |e| matches!(e, Event::Closed { .. }),
        |e| {
            saw_closing |= matches!(e, Event::Closing);
            assert!(
                !matches!(e, Event::Reconnecting { .. }),
                "no reconnect after user close"
            );
        },
    );
    assert!(saw_closing);
    let Event::Closed {
        code, was_clean, ..
    } = ev
    else {
        unreachable!()
    };
    assert_eq!(CloseCode(code), CloseCode::NORMAL);
    assert!(was_clean);
    assert_eq!(client.state(), State::Closed);
}

// RFC 6455 §7.1.1: after the close handshake the server closes TCP first;
// the client waits for that (bounded by close_timeout) instead of closing
// its end as soon as the server's Close arrives.
#[test]
fn client_close_waits_for_the_server_to_close_tcp() {
    use std::io::Read;
    let (tx, rx) = std::sync::mpsc::channel();
    let server = Server::start(move |mut ws, _| {
        // read() echoes our Close (§5.5.1) and returns it; the client
        // sends nothing else, so a few reads suffice.
        for _ in 0..8 {
            if matches!(ws.read(), Ok(devian_websocket::Message::Close(..)) | Err(_)) {
                break;
            }
        }
        let mut tcp = ws.get_ref().tcp().try_clone().expect("clone");
        tcp.set_read_timeout(Some(Duration::from_millis(300)))
            .expect("timeout");
        // The client must still hold the connection open: no EOF here.
        let client_closed_first = matches!(tcp.read(&mut [0u8; 16]), Ok(0));
        let _ = tx.send(client_closed_first);
        // Now the server closes TCP; the client sees it and finishes.
        let _ = tcp.shutdown(std::net::Shutdown::Both);
    });
    let mut cfg = config(&server.url());
    cfg.close_timeout = WAIT;
    let client = Client::connect(cfg).unwrap();
    wait_open(&client);
    client.close(CloseCode::NORMAL, "bye").unwrap();
    let closed = wait_closed(&client, |_| {});
    let client_closed_first = rx.recv_timeout(WAIT).expect("server saw the close");
    assert!(
        !client_closed_first,
        "the client closed TCP before the server"
    );
    assert_eq!((closed.code, closed.was_clean), (CloseCode::NORMAL, true));
}

// RFC 6455 §5.5.1: the server's Close is echoed; 1000 does not reconnect.
#[test]
fn server_close_normal_is_echoed_and_final() {
    let server = Server::start(|mut ws, _| {
        let _ = ws.close(CloseCode::NORMAL, "done");
    });
    let client = Client::connect(config(&server.url())).unwrap();
    let ev = wait_event(
        &client,
        |e| matches!(e, Event::Closed { .. }),
        |e| {
            assert!(!matches!(e, Event::Reconnecting { .. }), "1000 is final");
        },
    );
    let Event::Closed {
        code,
        reason,
        was_clean,
        ..
    } = ev
    else {
        unreachable!()
    };
    assert_eq!(
        (CloseCode(code), reason.as_str(), was_clean),
        (CloseCode::NORMAL, "done", true)
    );
}

// Seed 002: 1012 (service restart) is in the default reconnect set.
#[test]
fn server_close_1012_reconnects() {
    let first = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let server = Server::start(move |mut ws, _| {
        if first.swap(false, std::sync::atomic::Ordering::SeqCst) {
            let _ = ws.close(CloseCode::SERVICE_RESTART, "restarting");
        } else {
            echo(
                ws,
                common::Seen {
                    resource: String::new(),
                    headers: vec![],
                    protocols: vec![],
                },
            );
        }
    });
    let client = Client::connect(config(&server.url())).unwrap();
    wait_event(
        &client,
        |e| matches!(e, Event::Reconnected),
        |e| {
            assert!(
                !matches!(e, Event::Closed { .. }),
                "must reconnect, not close"
            );
        },
    );
    client.send(MessageKind::Text, b"after").unwrap();
    assert_eq!(receive_n(&client, 1), vec![b"after".to_vec()]);
    assert_eq!(client.stats().reconnects, 1);
}

#[test]
fn send_before_open_is_a_usage_error() {
    // A server that never answers the upgrade keeps the client in Connecting.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    let client = Client::connect(config(&url)).unwrap();
    assert_eq!(client.state(), State::Connecting);
    assert!(matches!(
        client.send(MessageKind::Text, b"x"),
        Err(Error::Usage(_))
    ));
    // Closing while connecting aborts the handshake promptly.
    client.close(CloseCode::NORMAL, "").unwrap();
    let ev = wait_event(&client, |e| matches!(e, Event::Closed { .. }), |_| {});
    assert!(matches!(
        ev,
        Event::Closed {
            was_clean: false,
            ..
        }
    ));
    drop(listener);
}

#[test]
fn invalid_arguments_are_rejected() {
    assert!(Client::connect(devian_ws_engine::Config::new("http://127.0.0.1/")).is_err());
    let server = Server::start(echo);
    let client = Client::connect(config(&server.url())).unwrap();
    wait_open(&client);
    assert!(matches!(
        client.send(MessageKind::Text, &[0xff, 0xfe]),
        Err(Error::Usage(_))
    ));
    assert!(matches!(
        client.close(CloseCode::ABNORMAL, ""),
        Err(Error::Usage(_))
    ));
    assert!(matches!(
        client.close(CloseCode::NORMAL, &"x".repeat(124)),
        Err(Error::Usage(_))
    ));
    client.shutdown();

    let mut cfg = config(&server.url());
    cfg.send_queue.max_bytes = 1000;
    let client = Client::connect(cfg).unwrap();
    wait_open(&client);
    assert!(matches!(
        client.send(MessageKind::Binary, &[0; 1001]),
        Err(Error::Usage(_))
    ));
    client.send(MessageKind::Binary, &[0; 1000]).unwrap();
}

#[test]
fn wss_round_trip_over_shared_tls_session() {
    let ca = certs::Ca::new();
    let leaf = ca.leaf(&["localhost", "127.0.0.1"], false);
    let opts = ServerOptions {
        tls: Some((leaf.chain_pem.clone(), leaf.key_pem.clone())),
        ..Default::default()
    };
    let server = Server::start_with(opts, echo);
    let mut cfg = config(&format!("wss://127.0.0.1:{}/", server.addr.port()));
    cfg.tls.extra_roots_pem = vec![ca.pem.clone().into_bytes()];
    cfg.tls.no_default_roots = true;
    // Keep-alive on: pings (send thread) and pongs (receive thread) cross
    // the shared rustls session while data flows both ways.
    cfg.keepalive.ping_interval = Some(Duration::from_millis(50));
    let client = Arc::new(Client::connect(cfg).unwrap());
    wait_open(&client);
    const N: usize = 2000;
    let c = Arc::clone(&client);
    let t = std::thread::spawn(move || {
        for i in 0..N {
            let mut p = (i as u64).to_be_bytes().to_vec();
            p.resize(8 + (i * 131) % 40_000, (i % 256) as u8);
            send_retrying(&c, MessageKind::Binary, &p);
        }
    });
    let got = receive_n(&client, N);
    t.join().unwrap();
    for (i, m) in got.iter().enumerate() {
        assert_eq!(m[..8], (i as u64).to_be_bytes());
        assert_eq!(m.len(), 8 + (i * 131) % 40_000);
        assert!(m[8..].iter().all(|&b| b == (i % 256) as u8));
    }
    client.close(CloseCode::NORMAL, "").unwrap();
    let ev = wait_event(&client, |e| matches!(e, Event::Closed { .. }), |_| {});
    assert!(matches!(
        ev,
        Event::Closed {
            was_clean: true,
            ..
        }
    ));
}

#[test]
fn wss_untrusted_certificate_is_a_tls_error_without_reconnect() {
    let ca = certs::Ca::new();
    let leaf = ca.leaf(&["127.0.0.1"], false);
    let opts = ServerOptions {
        tls: Some((leaf.chain_pem, leaf.key_pem)),
        ..Default::default()
    };
    let server = Server::start_with(opts, echo);
    let cfg = config(&format!("wss://127.0.0.1:{}/", server.addr.port()));
    let client = Client::connect(cfg).unwrap();
    let mut tls_error = false;
    let ev = wait_event(
        &client,
        |e| matches!(e, Event::Closed { .. }),
        |e| {
            tls_error |= matches!(
                e,
                Event::Error {
                    kind: devian_ws_engine::ErrorKind::Tls,
                    ..
                }
            );
            assert!(!matches!(e, Event::Reconnecting { .. }));
        },
    );
    assert!(tls_error);
    assert!(matches!(
        ev,
        Event::Closed { code, .. } if CloseCode(code) == CloseCode::TLS_HANDSHAKE
    ));
}

/// A server that writes one raw text frame (server frames are unmasked,
/// §5.1) of `payload`, split into writes of `piece` bytes, then waits for the
/// client to close.
fn raw_text_frame(payload: Vec<u8>, piece: usize) -> impl Fn(Ws, Seen) + Send + Sync {
    move |mut ws, _| {
        use std::io::{Read, Write};
        let mut frame = vec![0x81, 127];
        frame.extend_from_slice(&(payload.len() as u64).to_be_bytes());
        frame.extend_from_slice(&payload);
        for part in frame.chunks(piece) {
            if ws.get_mut().write_all(part).is_err() {
                return;
            }
        }
        let mut sink = [0u8; 4096];
        while matches!(ws.get_mut().read(&mut sink), Ok(n) if n > 0) {}
    }
}

// Large frames are read straight into the message buffer (receiver.rs,
// DIRECT_READ_MIN): the text is still checked as it arrives, code points
// that straddle reads included (§8.1), and a valid one arrives whole.
#[test]
fn rfc6455_8_1_large_text_frames_read_in_place_are_validated() {
    // 1 MiB of two- and three-byte code points, written in odd pieces.
    let text = "é世".repeat((1 << 20) / 5);
    let server = Server::start(raw_text_frame(text.clone().into_bytes(), 4093));
    let client = Client::connect(config(&server.url())).unwrap();
    wait_open(&client);
    let got = receive_n(&client, 1);
    assert!(got[0] == text.as_bytes(), "1 MiB of text corrupted");
    server.kill();

    // Invalid UTF-8 deep inside: the connection fails with 1007 (§7.4.1).
    let mut bad = text.into_bytes();
    bad[700_001] = 0xff;
    let server = Server::start(raw_text_frame(bad, 65_521));
    let mut cfg = config(&server.url());
    cfg.reconnect = devian_ws_engine::ReconnectPolicy::disabled();
    let client = Client::connect(cfg).unwrap();
    wait_open(&client);
    let closed = wait_closed(&client, |e| {
        assert!(
            !matches!(e, Event::Message { .. }),
            "no message from invalid text"
        )
    });
    assert_eq!(closed.code, CloseCode::INVALID_PAYLOAD);
    server.kill();
}
