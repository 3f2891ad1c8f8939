//! A game that stops calling `poll` (a paused `Update()`) while the server
//! sends at full speed: memory stays within the configured receive bounds,
//! TCP pushes back on the server, and nothing is lost once polling resumes.
//!
//! Alone in its test binary: it measures this process's resident memory.

mod common;

use common::*;
use devian_websocket::Message;
use devian_ws_engine::{Client, Event, QueueLimits};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long the consumer pauses.
const PAUSE: Duration = Duration::from_secs(30);
/// Payload per message: a 4-byte sequence number and padding.
const MESSAGE: usize = 1024;
/// Receive bounds for the test: small, so the bound is what shows in memory.
const RECV_MESSAGES: usize = 512;
const RECV_BYTES: usize = 256 * 1024;

#[test]
#[cfg(target_os = "linux")]
fn paused_consumer_keeps_memory_within_the_receive_bounds_and_loses_nothing() {
    let sent = Arc::new(AtomicU64::new(0));
    let server = {
        let sent = Arc::clone(&sent);
        Server::start(move |mut ws, _| {
            // Numbered messages as fast as the client takes them, until it goes away.
            let mut payload = vec![0x5a; MESSAGE];
            for n in 0u32.. {
                payload[..4].copy_from_slice(&n.to_be_bytes());
                if ws.send(Message::Binary(payload.clone())).is_err() {
                    return;
                }
                sent.store(u64::from(n) + 1, Ordering::SeqCst);
            }
        })
    };
    let mut cfg = config(&server.url());
    cfg.recv_queue = QueueLimits::new(RECV_MESSAGES, RECV_BYTES);
    // Measured before connecting: the stream starts as soon as the connection opens.
    let before = rss_kib();
    let client = Client::connect(cfg).unwrap();
    wait_open(&client);

    let mut peak = before;
    let end = Instant::now() + PAUSE;
    while Instant::now() < end {
        peak = peak.max(rss_kib());
        std::thread::sleep(Duration::from_millis(100));
    }
    let queued = client.stats().recv_queue_depth;
    let sent_during_pause = sent.load(Ordering::SeqCst);
    let growth = peak.saturating_sub(before);
    println!(
        "paused {PAUSE:?}: server sent {sent_during_pause} messages (TCP buffers included), \
         {queued} queued, RSS +{growth} KiB (bound {RECV_BYTES} B / {RECV_MESSAGES} messages)"
    );
    assert!(queued <= RECV_MESSAGES as u64);
    // The queue's bytes plus the connection's own buffers, never the stream itself.
    assert!(growth < 8 * 1024, "RSS grew {growth} KiB while paused");

    // Resume: everything arrives, in order, without a gap.
    let mut expect = 0u32;
    let target = sent_during_pause as u32 + 2_000;
    let deadline = Instant::now() + WAIT;
    while expect < target {
        assert!(
            Instant::now() < deadline,
            "only {expect} of {target} after resuming"
        );
        match client.poll() {
            Some(Event::Message { data, .. }) => {
                let n = u32::from_be_bytes(data[..4].try_into().unwrap());
                assert_eq!(n, expect, "gap or reorder after the pause");
                assert_eq!(data.len(), MESSAGE);
                expect += 1;
            }
            Some(Event::Closed { .. }) => panic!("closed after {expect} messages"),
            Some(_) => {}
            None => std::thread::sleep(Duration::from_millis(1)),
        }
    }
    server.kill();
}
