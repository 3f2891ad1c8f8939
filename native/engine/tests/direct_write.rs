//! `send` writes on the caller's thread while the send thread is idle
//! (src/direct.rs). What the socket does not take at once is finished by
//! the send thread before anything else; these tests make the socket take
//! only part of a large frame by not reading at first.

mod common;

use common::*;
use devian_websocket::Message;
use devian_ws_engine::{Client, CloseCode, MessageKind, QueueLimits, State};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Larger than loopback's socket buffers together, within the 16 MiB frame limit.
const BIG: usize = 12 << 20;

fn big_payload() -> Vec<u8> {
    (0..BIG).map(|i| (i % 251) as u8).collect()
}

/// What the server read: a binary message's length and whether its bytes
/// were the pattern, or a text message.
#[derive(Debug, PartialEq)]
enum Got {
    Binary { len: usize, intact: bool },
    Text(String),
}

/// Reads nothing until `release`, then records every data message.
fn gated_recorder(
    release: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<Got>>>,
) -> impl Fn(Ws, Seen) + Send + Sync {
    move |mut ws, _| {
        let end = Instant::now() + WAIT;
        while !release.load(Ordering::SeqCst) && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(5));
        }
        while let Ok(m) = ws.read() {
            let got = match m {
                Message::Binary(b) => Got::Binary {
                    len: b.len(),
                    intact: b.iter().enumerate().all(|(i, &x)| x == (i % 251) as u8),
                },
                Message::Text(t) => Got::Text(t),
                _ => continue,
            };
            log.lock().unwrap().push(got);
        }
    }
}

fn expected(texts: usize) -> Vec<Got> {
    let mut want = vec![Got::Binary {
        len: BIG,
        intact: true,
    }];
    want.extend((0..texts).map(|i| Got::Text(format!("after {i}"))));
    want
}

// RFC 6455 §5.4: control frames may come between the frames of a message,
// never inside one. With keep-alive pings due every 5 ms while the peer
// reads nothing, the rest of the caller's frame still goes out first, then
// the queued messages, in order.
#[test]
fn rfc6455_5_4_a_frame_written_in_part_is_finished_before_any_other_frame() {
    let release = Arc::new(AtomicBool::new(false));
    let log = Arc::new(Mutex::new(Vec::new()));
    let server = Server::start(gated_recorder(Arc::clone(&release), Arc::clone(&log)));
    let mut cfg = config(&server.url());
    cfg.keepalive.ping_interval = Some(Duration::from_millis(5));
    cfg.keepalive.pong_timeout = Duration::from_secs(15);
    let client = Client::connect(cfg).unwrap();
    wait_open(&client);

    client.send(MessageKind::Binary, &big_payload()).unwrap();
    for i in 0..20 {
        client
            .send(MessageKind::Text, format!("after {i}").as_bytes())
            .unwrap();
    }
    std::thread::sleep(Duration::from_millis(200));
    release.store(true, Ordering::SeqCst);

    wait_until(|| log.lock().unwrap().len() >= 21);
    assert_eq!(*log.lock().unwrap(), expected(20));
    assert_eq!(client.state(), State::Open);
    wait_until(|| client.stats().messages_sent == 21);
    client.close(CloseCode::NORMAL, "").unwrap();
    assert!(wait_closed(&client, |_| {}).was_clean);
}

// A session that ends with a frame half written: the message is not lost
// and not cut; the next session sends it whole, ahead of what followed it.
#[test]
fn a_frame_written_in_part_goes_whole_to_the_next_session() {
    let stuck = Arc::new(AtomicBool::new(false));
    let server = Server::start(never_reads(Arc::clone(&stuck)));
    let port = server.addr.port();
    let mut cfg = config(&server.url());
    cfg.reconnect_buffer = Some(QueueLimits::new(64, 64 << 20));
    let client = Client::connect(cfg).unwrap();
    wait_open(&client);

    client.send(MessageKind::Binary, &big_payload()).unwrap();
    client.send(MessageKind::Text, b"after 0").unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(client.stats().messages_sent, 0, "the peer read nothing");
    server.kill();

    let release = Arc::new(AtomicBool::new(true));
    let log = Arc::new(Mutex::new(Vec::new()));
    let _server = Server::start_with(
        ServerOptions {
            port,
            ..Default::default()
        },
        gated_recorder(release, Arc::clone(&log)),
    );
    wait_until(|| log.lock().unwrap().len() >= 2);
    assert_eq!(*log.lock().unwrap(), expected(1));
    assert!(client.stats().reconnects >= 1);
    stuck.store(true, Ordering::SeqCst);
}
