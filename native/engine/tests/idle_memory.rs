//! An idle connection stays small (issue 12: at most 32 KiB in all).
//!
//! Two thread stacks take about 20 KiB of that whatever the engine does (a
//! bare Rust thread is ~10 KiB resident), so the heap an idle connection
//! keeps must stay near 10 KiB. A global allocator tracks the live bytes
//! allocated by the engine's threads (named `devian-ws-*`) and by the test
//! thread, leaving out the in-process server's unnamed threads. The
//! resident figure for 1, 100 and 1,000 connections is in `scripts/bench`.

mod common;

use common::*;
use devian_ws_engine::{Client, CloseCode};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicI64, Ordering::Relaxed};
use std::time::Duration;

struct Tracking;

static LIVE_BYTES: AtomicI64 = AtomicI64::new(0);

thread_local! {
    /// 0: not known yet, 1: counted, 2: not counted, 3: being worked out.
    static COUNTED: Cell<u8> = const { Cell::new(0) };
}

fn counted() -> bool {
    // try_with: thread-locals may be gone while a thread exits.
    COUNTED
        .try_with(|c| {
            if c.get() == 0 {
                c.set(3); // what `current()` allocates meanwhile is not counted
                let named = std::thread::current().name().is_some();
                c.set(if named { 1 } else { 2 });
            }
            c.get() == 1
        })
        .unwrap_or(false)
}

fn track(delta: i64) {
    if counted() {
        LIVE_BYTES.fetch_add(delta, Relaxed);
    }
}

unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        track(layout.size() as i64);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        track(layout.size() as i64);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // A block freed on another thread than its allocator's is rare here
        // (the test thread frees what it took from `poll`), and none is idle.
        track(-(layout.size() as i64));
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        track(new_size as i64 - layout.size() as i64);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Tracking = Tracking;

#[test]
fn an_idle_connection_keeps_little_heap() {
    const N: usize = 100;
    const HEAP_BUDGET: i64 = 12 * 1024;
    let server = Server::start(black_hole_reader);
    let before = LIVE_BYTES.load(Relaxed);
    let clients: Vec<Client> = (0..N)
        .map(|_| Client::connect(config(&server.url())).unwrap())
        .collect();
    for c in &clients {
        wait_open(c);
    }
    std::thread::sleep(Duration::from_millis(200));
    let per_conn = (LIVE_BYTES.load(Relaxed) - before) / N as i64;
    eprintln!("{per_conn} heap bytes per idle connection");
    assert!(per_conn > 0, "the allocator is not tracking");
    assert!(
        per_conn <= HEAP_BUDGET,
        "{per_conn} heap bytes per idle connection (budget {HEAP_BUDGET})"
    );
    for c in &clients {
        let _ = c.close(CloseCode::NORMAL, "");
    }
}

/// Holds the connection and reads whatever comes (the close), sending nothing.
fn black_hole_reader(mut ws: Ws, _: Seen) {
    while ws.read().is_ok() {}
}
