//! Teardown returns within a bounded time whatever the network does: a game
//! or an editor reload must never wait on a peer.
//! Its own test binary: it calls `shutdown_all`.

mod common;

use common::*;
use devian_ws_engine::{shutdown_all, Client, MessageKind, State, TEARDOWN_WAIT};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What "returns at once" allows on a loaded 2-core machine.
const BOUND: Duration = Duration::from_millis(600);

/// A loopback address whose TCP handshake never completes: a listener that
/// never accepts, its accept queue filled, so the kernel drops further SYNs.
/// Keep the returned connections (and listener) alive while it is used.
fn syn_black_hole() -> (SocketAddr, TcpListener, Vec<TcpStream>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut held = Vec::new();
    for _ in 0..4096 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
            Ok(s) => held.push(s),
            Err(_) => return (addr, listener, held),
        }
    }
    panic!("the accept queue never filled");
}

fn connecting_client(addr: SocketAddr) -> Client {
    let mut cfg = config(&format!("ws://{addr}/"));
    cfg.connect_timeout = Duration::from_secs(15);
    let client = Client::connect(cfg).unwrap();
    assert_eq!(client.state(), State::Connecting);
    client
}

#[test]
fn teardown_is_bounded_during_connect_against_a_stuck_peer_and_in_shutdown_all() {
    let (addr, _listener, _held) = syn_black_hole();

    // Dropped while its TCP connect hangs (before: the whole connect timeout).
    let client = connecting_client(addr);
    std::thread::sleep(Duration::from_millis(50));
    let t = Instant::now();
    drop(client);
    let drop_connecting = t.elapsed();

    // Dropped while its send thread is blocked writing to a peer that never reads.
    let release = Arc::new(AtomicBool::new(false));
    let server = Server::start(never_reads(Arc::clone(&release)));
    let mut cfg = config(&server.url());
    cfg.close_timeout = Duration::from_secs(10);
    let client = Client::connect(cfg).unwrap();
    wait_open(&client);
    let chunk = vec![1u8; 1 << 20];
    for _ in 0..32 {
        if client.send(MessageKind::Binary, &chunk).is_err() {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(100));
    let t = Instant::now();
    drop(client);
    let drop_stuck_writer = t.elapsed();
    release.store(true, Ordering::SeqCst);
    server.kill();

    // shutdown_all with several connecting clients: stopped together, waited once.
    let clients: Vec<Client> = (0..8).map(|_| connecting_client(addr)).collect();
    std::thread::sleep(Duration::from_millis(50));
    let t = Instant::now();
    shutdown_all();
    let all = t.elapsed();
    for c in &clients {
        assert_eq!(c.state(), State::Closed);
    }
    let t = Instant::now();
    drop(clients);
    let drop_after = t.elapsed();

    println!(
        "teardown: drop while connecting {drop_connecting:?}, drop with a stuck writer \
         {drop_stuck_writer:?}, shutdown_all of 8 connecting {all:?}, then dropping them {drop_after:?} \
         (TEARDOWN_WAIT {TEARDOWN_WAIT:?})"
    );
    assert!(
        drop_connecting < BOUND,
        "drop while connecting took {drop_connecting:?}"
    );
    assert!(
        drop_stuck_writer < BOUND,
        "drop with a stuck writer took {drop_stuck_writer:?}"
    );
    assert!(all < BOUND, "shutdown_all took {all:?}");
    assert!(
        drop_after < BOUND,
        "dropping stopped clients took {drop_after:?}"
    );
}
