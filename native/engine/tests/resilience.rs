//! Backpressure, keep-alive, reconnect and authentication, as the server sees them.

mod common;

use common::*;
use devian_websocket::Message;
use devian_ws_engine::{
    Auth, Client, CloseCode, Error, ErrorKind, Event, MessageKind, QueueLimits, State,
};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Records every text message a connection receives, tagged with the connection's index.
fn recorder(log: Arc<Mutex<Vec<(usize, String)>>>) -> impl Fn(Ws, Seen) + Send + Sync {
    let conn_no = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    move |mut ws, _| {
        let n = conn_no.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        while let Ok(m) = ws.read() {
            if let Message::Text(t) = m {
                log.lock().unwrap().push((n, t));
            }
        }
    }
}

#[test]
fn full_send_queue_is_an_error_and_nothing_accepted_is_lost() {
    // The server reads nothing until told to, so TCP buffers and then the
    // send queue fill up.
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let go_rx = Mutex::new(go_rx);
    let received = Arc::new(Mutex::new(Vec::new()));
    let rec = Arc::clone(&received);
    let server = Server::start(move |mut ws, _| {
        let _ = go_rx.lock().unwrap().recv_timeout(WAIT);
        while let Ok(m) = ws.read() {
            if let Message::Binary(b) = m {
                rec.lock().unwrap().push(b);
            }
        }
    });
    let mut cfg = config(&server.url());
    cfg.send_queue = QueueLimits::new(16, 1 << 20);
    let client = Client::connect(cfg).unwrap();
    wait_open(&client);
    let mut accepted = 0u32;
    let mut refused = false;
    // Bounded: at 64 KiB per message, 4000 messages is far beyond any socket buffer.
    for i in 0..4000u32 {
        let mut p = vec![0u8; 64 * 1024];
        p[..4].copy_from_slice(&i.to_be_bytes());
        match client.send(MessageKind::Binary, &p) {
            Ok(()) => accepted = i + 1,
            Err(Error::Capacity(what)) => {
                assert_eq!(what, "send queue");
                refused = true;
                break;
            }
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert!(refused, "the queue never reported full");
    assert!(client.stats().send_queue_depth <= 16);
    go_tx.send(()).unwrap();
    wait_until(|| received.lock().unwrap().len() >= accepted as usize);
    let got = received.lock().unwrap();
    assert_eq!(
        got.len(),
        accepted as usize,
        "every accepted message arrives once"
    );
    for (i, m) in got.iter().enumerate() {
        assert_eq!(m[..4], (i as u32).to_be_bytes(), "in order");
    }
}

#[test]
fn undrained_receive_queue_stops_reading() {
    const N: usize = 1000;
    let server = Server::start(|mut ws, _| {
        for i in 0..N {
            if ws.send(Message::Text(format!("{i}"))).is_err() {
                return;
            }
        }
        while ws.read().is_ok() {}
    });
    let mut cfg = config(&server.url());
    cfg.recv_queue = QueueLimits::new(4, 1 << 20);
    // Keep-alive on and tight: a parked receive thread cannot read pongs,
    // and that must not be mistaken for a dead peer.
    cfg.keepalive.ping_interval = Some(Duration::from_millis(20));
    cfg.keepalive.pong_timeout = Duration::from_millis(50);
    let client = Client::connect(cfg).unwrap();
    wait_until(|| client.stats().recv_queue_depth >= 4);
    // Give the receive thread every chance to overrun the bound. It must
    // not: it parks until poll makes room (one message may be in hand).
    std::thread::sleep(Duration::from_millis(200));
    let s = client.stats();
    assert!(
        s.messages_received <= 5,
        "receive thread kept reading: {s:?}"
    );
    assert!(s.recv_queue_depth <= 4 + 1, "queue over its bound: {s:?}"); // + the Open event
    let got = receive_n(&client, N);
    for (i, m) in got.iter().enumerate() {
        assert_eq!(m, format!("{i}").as_bytes());
    }
    assert_eq!(
        client.stats().reconnects,
        0,
        "backpressure is not a dead connection"
    );
    assert_eq!(client.state(), State::Open);
}

#[test]
fn silent_peer_is_detected_by_pong_timeout() {
    // Swallows raw bytes without decoding them, so pings go unanswered.
    let server = Server::start(|mut ws, _| {
        let mut sink = [0u8; 4096];
        while matches!(std::io::Read::read(ws.get_mut(), &mut sink), Ok(n) if n > 0) {}
    });
    let mut cfg = config(&server.url());
    cfg.keepalive.ping_interval = Some(Duration::from_millis(100));
    cfg.keepalive.pong_timeout = Duration::from_millis(300);
    cfg.reconnect.enabled = false;
    let client = Client::connect(cfg).unwrap();
    wait_open(&client);
    let started = Instant::now();
    let mut timeout_error = false;
    let ev = wait_event(
        &client,
        |e| matches!(e, Event::Closed { .. }),
        |e| {
            timeout_error |= matches!(
                e,
                Event::Error {
                    kind: ErrorKind::Timeout,
                    ..
                }
            );
        },
    );
    assert!(timeout_error, "a Timeout error precedes the close");
    let Event::Closed {
        code, was_clean, ..
    } = ev
    else {
        unreachable!()
    };
    assert_eq!((CloseCode(code), was_clean), (CloseCode::ABNORMAL, false));
    // Detected well before the server would have let go (WAIT).
    assert!(started.elapsed() < WAIT);
    server.kill();
}

#[test]
fn answered_pings_report_rtt() {
    let server = Server::start(echo);
    let mut cfg = config(&server.url());
    cfg.keepalive.ping_interval = Some(Duration::from_millis(20));
    let client = Client::connect(cfg).unwrap();
    wait_open(&client);
    wait_until(|| client.stats().last_rtt_us > 0);
    assert_eq!(client.state(), State::Open);
}

#[test]
fn reconnect_after_server_killed_delivers_buffered_messages_once_in_order() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let server = Server::start(recorder(Arc::clone(&log)));
    let port = server.addr.port();
    let client = Client::connect(config(&server.url())).unwrap();
    wait_open(&client);
    for i in 0..50 {
        client
            .send(MessageKind::Text, format!("before {i}").as_bytes())
            .unwrap();
    }
    wait_until(|| log.lock().unwrap().len() == 50);

    server.kill();
    wait_event(&client, |e| matches!(e, Event::Reconnecting { .. }), |_| {});
    // Accepted while down: buffered, bounded by the reconnect buffer.
    for i in 0..200 {
        client
            .send(MessageKind::Text, format!("during {i}").as_bytes())
            .unwrap();
    }
    let log2 = Arc::new(Mutex::new(Vec::new()));
    let server = Server::start_with(
        ServerOptions {
            port,
            ..Default::default()
        },
        recorder(Arc::clone(&log2)),
    );
    wait_event(
        &client,
        |e| matches!(e, Event::Reconnected),
        |e| {
            assert!(!matches!(e, Event::Closed { .. }), "gave up: {e:?}");
        },
    );
    wait_until(|| log2.lock().unwrap().len() >= 200);
    let got: Vec<String> = log2
        .lock()
        .unwrap()
        .iter()
        .map(|(_, t)| t.clone())
        .collect();
    let want: Vec<String> = (0..200).map(|i| format!("during {i}")).collect();
    assert_eq!(got, want, "once each, in order");
    assert!(
        log2.lock().unwrap().iter().all(|(conn, _)| *conn == 0),
        "all on one connection"
    );
    assert!(client.stats().reconnects >= 1);
    drop(server);
}

#[test]
fn reconnect_buffer_is_bounded_and_can_be_off() {
    let server = Server::start(echo);
    let port = server.addr.port();
    let mut cfg = config(&server.url());
    cfg.reconnect_buffer = Some(QueueLimits::new(3, 1 << 20));
    cfg.reconnect.initial_delay = Duration::from_secs(5); // stay in Reconnecting
    let client = Client::connect(cfg.clone()).unwrap();
    wait_open(&client);
    server.kill();
    wait_event(&client, |e| matches!(e, Event::Reconnecting { .. }), |_| {});
    for _ in 0..3 {
        client.send(MessageKind::Text, b"x").unwrap();
    }
    assert!(matches!(
        client.send(MessageKind::Text, b"x"),
        Err(Error::Capacity("reconnect buffer"))
    ));
    client.shutdown();

    let server = Server::start_with(
        ServerOptions {
            port,
            ..Default::default()
        },
        echo,
    );
    cfg.reconnect_buffer = None;
    let client = Client::connect(cfg).unwrap();
    wait_open(&client);
    server.kill();
    wait_event(&client, |e| matches!(e, Event::Reconnecting { .. }), |_| {});
    assert!(matches!(
        client.send(MessageKind::Text, b"x"),
        Err(Error::Usage(_))
    ));
}

#[test]
fn user_close_while_reconnecting_is_final() {
    let server = Server::start(echo);
    let mut cfg = config(&server.url());
    cfg.reconnect.initial_delay = Duration::from_secs(5);
    let client = Client::connect(cfg).unwrap();
    wait_open(&client);
    server.kill();
    wait_event(&client, |e| matches!(e, Event::Reconnecting { .. }), |_| {});
    client.close(CloseCode::NORMAL, "stop").unwrap();
    let ev = wait_event(
        &client,
        |e| matches!(e, Event::Closed { .. }),
        |e| {
            assert!(
                !matches!(e, Event::Reconnected),
                "no reconnect after user close"
            );
        },
    );
    assert!(matches!(
        ev,
        Event::Closed {
            code,
            was_clean: false,
            ..
        } if CloseCode(code) == CloseCode::NORMAL
    ));
}

fn auth_seen(auth: Auth, choose_protocol: bool) -> (Seen, Option<String>, Vec<Event>) {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let opts = ServerOptions {
        choose_protocol,
        ..Default::default()
    };
    let server = Server::start_with(opts, move |mut ws, seen| {
        let first = match ws.read() {
            Ok(Message::Text(t)) => Some(t),
            _ => None,
        };
        let _ = tx.lock().unwrap().send((seen, first));
        // Stay open until the client closes, so its sends never race a close.
        while ws.read().is_ok() {}
    });
    let mut cfg = config(&format!("{}chat?room=1", server.url()));
    cfg.auth = auth;
    let client = Client::connect(cfg).unwrap();
    let mut events = Vec::new();
    wait_event(
        &client,
        |e| matches!(e, Event::Authenticated),
        |e| events.push(e),
    );
    client.send(MessageKind::Text, b"hello").unwrap();
    let (seen, first) = rx.recv_timeout(WAIT).expect("server saw the connection");
    client.close(CloseCode::NORMAL, "").unwrap();
    wait_event(
        &client,
        |e| {
            matches!(
                e,
                Event::Closed {
                    was_clean: true,
                    ..
                }
            )
        },
        |_| {},
    );
    (seen, first, events)
}

#[test]
fn auth_query_param_as_the_server_sees_it() {
    let (seen, first, _) = auth_seen(
        Auth::QueryParam {
            name: "token".into(),
            token: "a b&c".into(),
        },
        false,
    );
    assert_eq!(seen.resource, "/chat?room=1&token=a%20b%26c");
    assert_eq!(first.as_deref(), Some("hello"));
}

#[test]
fn auth_first_message_goes_first() {
    let auth = Auth::FirstMessage {
        template: r#"{"type":"{{type}}","token":"{{token}}"}"#.into(),
        token: "t\"1".into(),
        message_type: "authenticate".into(),
    };
    let (_, first, events) = auth_seen(auth, false);
    assert_eq!(
        first.as_deref(),
        Some(r#"{"type":"authenticate","token":"t\"1"}"#)
    );
    assert!(matches!(events.first(), Some(Event::Open { .. })));
}

#[test]
fn auth_subprotocol_as_the_server_sees_it() {
    let (seen, _, events) = auth_seen(
        Auth::Subprotocol {
            token: "tok123".into(),
        },
        true,
    );
    assert_eq!(seen.protocols, vec!["tok123".to_string()]);
    assert!(matches!(events.first(), Some(Event::Open { protocol: Some(p) }) if p == "tok123"));
}

#[test]
fn auth_headers_as_the_server_sees_them() {
    let auth = Auth::Headers(vec![("Authorization".into(), "Bearer xyz".into())]);
    let (seen, _, _) = auth_seen(auth, false);
    assert_eq!(seen.header("authorization"), Some("Bearer xyz"));
}

#[test]
fn auth_is_reapplied_on_reconnect_before_buffered_messages() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let server = Server::start(recorder(Arc::clone(&log)));
    let port = server.addr.port();
    let mut cfg = config(&server.url());
    cfg.auth = Auth::FirstMessage {
        template: "auth {{token}}".into(),
        token: "k".into(),
        message_type: String::new(),
    };
    let client = Client::connect(cfg).unwrap();
    wait_event(&client, |e| matches!(e, Event::Authenticated), |_| {});
    wait_until(|| client.state() == State::Open);
    server.kill();
    wait_event(&client, |e| matches!(e, Event::Reconnecting { .. }), |_| {});
    client.send(MessageKind::Text, b"queued").unwrap();
    let log2 = Arc::new(Mutex::new(Vec::new()));
    let server = Server::start_with(
        ServerOptions {
            port,
            ..Default::default()
        },
        recorder(Arc::clone(&log2)),
    );
    wait_event(&client, |e| matches!(e, Event::Reconnected), |_| {});
    wait_until(|| log2.lock().unwrap().len() >= 2);
    let got: Vec<String> = log2
        .lock()
        .unwrap()
        .iter()
        .map(|(_, t)| t.clone())
        .collect();
    assert_eq!(got, vec!["auth k".to_string(), "queued".to_string()]);
    assert_eq!(log.lock().unwrap()[0].1, "auth k");
    assert_eq!(server.seen.lock().unwrap().len(), 1);
}

/// A peer that takes bytes and never answers anything.
fn black_hole(mut ws: Ws, _: Seen) {
    let mut sink = [0u8; 4096];
    while matches!(std::io::Read::read(ws.get_mut(), &mut sink), Ok(n) if n > 0) {}
}

#[test]
fn idle_timeout_closes_a_silent_connection() {
    let server = Server::start(black_hole);
    let mut cfg = config(&server.url());
    cfg.keepalive.idle_timeout = Some(Duration::from_millis(200));
    cfg.reconnect.enabled = false;
    let client = Client::connect(cfg).unwrap();
    wait_open(&client);
    let mut timeout_error = false;
    let ev = wait_event(
        &client,
        |e| matches!(e, Event::Closed { .. }),
        |e| {
            timeout_error |= matches!(
                e,
                Event::Error {
                    kind: ErrorKind::Timeout,
                    ..
                }
            );
        },
    );
    assert!(timeout_error);
    assert!(matches!(
        ev,
        Event::Closed {
            code,
            was_clean: false,
            ..
        } if CloseCode(code) == CloseCode::ABNORMAL
    ));
}

// RFC 6455 §7.1.1/§5.5.1: a peer that never answers our Close; the close
// handshake timeout ends the connection, uncleanly.
#[test]
fn close_handshake_times_out() {
    let server = Server::start(black_hole);
    let mut cfg = config(&server.url());
    cfg.close_timeout = Duration::from_millis(200);
    let client = Client::connect(cfg).unwrap();
    wait_open(&client);
    client.close(CloseCode::NORMAL, "").unwrap();
    let ev = wait_event(
        &client,
        |e| matches!(e, Event::Closed { .. }),
        |e| {
            assert!(
                !matches!(e, Event::Reconnecting { .. }),
                "user close is final"
            );
        },
    );
    assert!(
        matches!(
            ev,
            Event::Closed {
                was_clean: false,
                ..
            }
        ),
        "{ev:?}"
    );
}

// "Send a goodbye, then close": everything `send` accepted goes out before
// the Close frame (RFC 6455 §5.5.1: no data after it), in order.
#[test]
fn close_flushes_what_send_accepted_before_the_close_frame() {
    for n in [1usize, 10, 1000] {
        let log = Arc::new(Mutex::new(Vec::new()));
        let server = Server::start(recorder(Arc::clone(&log)));
        let client = Client::connect(config(&server.url())).unwrap();
        wait_open(&client);
        for i in 0..n {
            client.send_text(&format!("m{i}")).unwrap();
        }
        client.close(CloseCode::NORMAL, "bye").unwrap();
        let closed = wait_closed(&client, |_| {});
        assert_eq!(
            (closed.code, closed.was_clean, closed.unsent),
            (CloseCode::NORMAL, true, 0)
        );
        assert_eq!(client.stats().messages_unsent, 0);
        let got: Vec<String> = log.lock().unwrap().iter().map(|(_, t)| t.clone()).collect();
        let want: Vec<String> = (0..n).map(|i| format!("m{i}")).collect();
        assert_eq!(got.len(), n, "server got {} of {n}", got.len());
        assert_eq!(got, want);
        server.kill();
    }
}

// The flush is bounded by the close timeout: against a peer that reads
// nothing, what could not go out is counted, not silently dropped.
#[test]
fn close_against_a_peer_that_never_reads_reports_the_unsent_count() {
    let release = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let server = Server::start(never_reads(Arc::clone(&release)));
    let mut cfg = config(&server.url());
    cfg.close_timeout = Duration::from_millis(500);
    let client = Client::connect(cfg).unwrap();
    wait_open(&client);
    let chunk = vec![7u8; 256 * 1024];
    let mut accepted = 0u64;
    // Fill the socket buffers and the queue.
    while accepted < 64 && client.send(MessageKind::Binary, &chunk).is_ok() {
        accepted += 1;
    }
    // Let the send thread block in a write (it keeps that write's timeout).
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    client.close(CloseCode::NORMAL, "bye").unwrap();
    let closed = wait_closed(&client, |_| {});
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "close took {:?}",
        started.elapsed()
    );
    assert!(
        closed.unsent > 0,
        "some of {accepted} messages must be left over"
    );
    let stats = client.stats();
    assert_eq!(stats.messages_unsent, closed.unsent);
    assert_eq!(stats.messages_sent + closed.unsent, accepted);
    release.store(true, std::sync::atomic::Ordering::SeqCst);
    server.kill();
}

/// Accepts the upgrade, then closes at once with `code`.
fn accept_then_close(code: u16) -> impl Fn(Ws, Seen) + Send + Sync {
    move |mut ws, _| {
        let _ = ws.close(CloseCode(code), "go away");
    }
}

// A server that accepts and drops at once must not keep the attempt count
// at 1 forever: only a connection that stayed open starts it over.
#[test]
fn accept_then_close_server_exhausts_max_attempts() {
    let server = Server::start(accept_then_close(1011));
    let mut cfg = config(&server.url());
    cfg.reconnect.max_attempts = 3;
    let client = Client::connect(cfg).unwrap();
    let mut attempts = Vec::new();
    let closed = wait_closed(&client, |e| {
        if let Event::Reconnecting { attempt, .. } = e {
            attempts.push(attempt);
        }
    });
    assert_eq!(attempts, vec![1, 2, 3]);
    assert_eq!(closed.code, CloseCode(1011));
    server.kill();
}

// A producer faster than the network blocks in `wait_for_room` instead of
// spinning on `Error::Capacity`: it waits while the peer reads nothing,
// wakes as the send thread makes room, and wakes at once when the client
// closes (the send then says why).
#[test]
fn wait_for_room_blocks_while_full_and_wakes_on_room_and_on_close() {
    let release = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let server = Server::start(never_reads(Arc::clone(&release)));
    let mut cfg = config(&server.url());
    cfg.send_queue = devian_ws_engine::QueueLimits::new(4, 1 << 20);
    let client = Arc::new(Client::connect(cfg).unwrap());
    wait_open(&client);
    assert!(client.wait_for_room(16, Duration::ZERO), "empty queue");
    let chunk = vec![7u8; 256 * 1024];
    // Fill the socket buffers, then the queue.
    let deadline = Instant::now() + WAIT;
    loop {
        match client.send(MessageKind::Binary, &chunk) {
            Ok(()) => {}
            Err(devian_ws_engine::Error::Capacity(_)) => break,
            Err(e) => panic!("send: {e}"),
        }
        assert!(Instant::now() < deadline, "the queue never filled");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        !client.wait_for_room(chunk.len(), Duration::from_millis(200)),
        "full: times out"
    );

    // Closing wakes a blocked producer at once.
    let waiter = {
        let client = Arc::clone(&client);
        let len = chunk.len();
        std::thread::spawn(move || {
            let started = Instant::now();
            let room = client.wait_for_room(len, WAIT);
            (room, started.elapsed())
        })
    };
    std::thread::sleep(Duration::from_millis(100));
    client.close(CloseCode::NORMAL, "bye").unwrap();
    let (room, waited) = waiter.join().unwrap();
    assert!(room, "a closed client has nothing to wait for");
    assert!(waited < WAIT, "woken by the close, not the timeout");
    assert!(matches!(
        client.send(MessageKind::Binary, &chunk),
        Err(devian_ws_engine::Error::AlreadyClosed)
    ));
    release.store(true, std::sync::atomic::Ordering::SeqCst);
    server.kill();
}

#[test]
fn wait_for_room_wakes_as_the_send_thread_drains_the_queue() {
    let server = Server::start(echo);
    let mut cfg = config(&server.url());
    cfg.send_queue = devian_ws_engine::QueueLimits::new(2, 1 << 20);
    let client = Client::connect(cfg).unwrap();
    wait_open(&client);
    let chunk = vec![1u8; 64 * 1024];
    // 200 messages through a 2-message queue, with no retry loop: every
    // send after wait_for_room(true) is accepted (one producer).
    let mut received = 0;
    for _ in 0..200 {
        assert!(
            client.wait_for_room(chunk.len(), WAIT),
            "room within {WAIT:?}"
        );
        client.send(MessageKind::Binary, &chunk).unwrap();
        while let Some(ev) = client.poll() {
            if matches!(ev, Event::Message { .. }) {
                received += 1;
            }
        }
    }
    let rest = receive_n(&client, 200 - received);
    assert!(rest.iter().all(|m| m.len() == chunk.len()));
    server.kill();
}
