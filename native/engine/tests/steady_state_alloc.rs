//! In steady state a message costs no allocation on the engine's threads or
//! in `send`/`poll` (seed 004: pooled buffers, no per-message garbage).
//!
//! A counting global allocator counts every allocation except those made on
//! the test server's threads (which are not the engine's business).

mod common;

use common::*;
use devian_ws_engine::{Client, Event, MessageKind};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// Set on threads whose allocations are not counted (the test server).
    static IGNORED: Cell<bool> = const { Cell::new(false) };
}

fn counted() {
    // try_with: thread-locals may be gone while a thread exits.
    if !IGNORED.try_with(|i| i.get()).unwrap_or(true) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        counted();
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        counted();
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// One send and the echo's poll, without allocating in the test itself.
fn round_trip(client: &Client, payload: &[u8]) {
    client.send(MessageKind::Binary, payload).expect("send");
    let deadline = Instant::now() + WAIT;
    loop {
        match client.poll() {
            Some(Event::Message { data, .. }) => {
                assert!(data.as_slice() == payload, "echo differs");
                return; // `data` goes back to the pool here
            }
            Some(other) => panic!("unexpected {other:?}"),
            None => {
                assert!(Instant::now() < deadline, "no echo within {WAIT:?}");
                std::thread::yield_now();
            }
        }
    }
}

#[test]
fn steady_state_messages_do_not_allocate() {
    let server = Server::start(|ws, seen| {
        IGNORED.with(|i| i.set(true));
        echo(ws, seen)
    });
    let client = Client::connect(config(&server.url())).unwrap();
    wait_open(&client);
    let payloads: Vec<Vec<u8>> = (0..8).map(|i| vec![i as u8; 100 + i * 1000]).collect();
    // Warm-up: fills the pools and grows the buffers to their working size.
    for i in 0..200 {
        round_trip(&client, &payloads[i % payloads.len()]);
    }
    // The counter is live (guards against a vacuous pass).
    let probe = ALLOCATIONS.load(Ordering::SeqCst);
    drop(std::hint::black_box(vec![0u8; 64]));
    assert!(
        ALLOCATIONS.load(Ordering::SeqCst) > probe,
        "allocator not counting"
    );
    const N: usize = 2000;
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    for i in 0..N {
        round_trip(&client, &payloads[i % payloads.len()]);
    }
    let during = ALLOCATIONS.load(Ordering::SeqCst) - before;
    eprintln!("{during} allocations during {N} round trips");
    // Not "per message": a handful at most for N messages (e.g. lazily
    // initialised thread state), never one per message.
    assert!(during < 16, "{during} allocations for {N} round trips");
}

// RFC 7692 on: compressing and inflating reuse their buffers too (the
// compressor and the inflater are created once, on the first message).
#[test]
fn steady_state_with_permessage_deflate_does_not_allocate() {
    let server = Server::start(|ws, seen| {
        IGNORED.with(|i| i.set(true));
        echo(ws, seen)
    });
    let mut c = config(&server.url());
    c.permessage_deflate = Some(devian_ws_engine::DeflateConfig::default());
    let client = Client::connect(c).unwrap();
    wait_open(&client);
    // Compressible payloads of several sizes, so buffers trade places.
    let payloads: Vec<Vec<u8>> = (0..8)
        .map(|i| (0..100 + i * 1000).map(|j| (j % 7) as u8).collect())
        .collect();
    for i in 0..200 {
        round_trip(&client, &payloads[i % payloads.len()]);
    }
    const N: usize = 2000;
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    for i in 0..N {
        round_trip(&client, &payloads[i % payloads.len()]);
    }
    let during = ALLOCATIONS.load(Ordering::SeqCst) - before;
    eprintln!("{during} allocations during {N} compressed round trips");
    // Buffers of different sizes trading places in the pools cost a few
    // allocations (9 to 18 seen, more on slow emulated targets); one per
    // message would be 2000.
    assert!(
        during < (N / 50) as u64,
        "{during} allocations for {N} round trips"
    );
}
