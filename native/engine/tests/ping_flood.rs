//! A hostile peer that floods pings and never reads must not grow the
//! client's memory (RFC 6455 §5.5.3: only the most recent Ping needs a Pong).
//!
//! Alone in its test binary: it measures this process's resident memory.

mod common;

use common::*;
use devian_ws_engine::{Client, Event, MessageKind, State};
use std::io::Write;
use std::time::{Duration, Instant};

/// How long the peer floods, as fast as loopback takes it.
const FLOOD: Duration = Duration::from_secs(10);
/// Allowed growth of resident memory over the flood.
const MAX_GROWTH_KIB: u64 = 8 * 1024;

#[test]
#[cfg(target_os = "linux")]
fn rfc6455_5_5_3_ping_flood_from_a_peer_that_never_reads_keeps_memory_bounded() {
    let server = Server::start(|mut ws, seen| {
        // Unmasked empty pings (server to client, §5.2), 32 Ki of them per write,
        // while reading nothing: the client's pongs pile up unsent.
        let burst: Vec<u8> = [0x89u8, 0x00].repeat(32 * 1024);
        let end = Instant::now() + FLOOD;
        while Instant::now() < end {
            if ws.get_mut().write_all(&burst).is_err() {
                return;
            }
        }
        // Then behave: drain the pongs and echo.
        echo(ws, seen);
    });
    let client = Client::connect(config(&server.url())).unwrap();
    wait_open(&client);
    let before = rss_kib();
    let mut peak = before;
    let end = Instant::now() + FLOOD;
    while Instant::now() < end {
        while let Some(ev) = client.poll() {
            assert!(
                !matches!(ev, Event::Closed { .. }),
                "closed during the flood: {ev:?}"
            );
        }
        peak = peak.max(rss_kib());
        std::thread::sleep(Duration::from_millis(20));
    }
    let growth = peak.saturating_sub(before);
    println!(
        "RSS {before} KiB before, peak {peak} KiB during a {FLOOD:?} ping flood (+{growth} KiB)"
    );
    assert!(
        growth < MAX_GROWTH_KIB,
        "RSS grew {growth} KiB under a ping flood"
    );

    // Still usable once the peer reads again.
    assert_eq!(client.state(), State::Open);
    client.send(MessageKind::Text, b"still here").unwrap();
    let got = receive_n(&client, 1);
    assert_eq!(got, vec![b"still here".to_vec()]);
    server.kill();
}
