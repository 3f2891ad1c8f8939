//! Many open engine connections in one process: memory and threads per
//! connection, and the cost of one idle `poll()` sweep over all of them
//! (what a game's `Update()` pays every frame when nothing arrived).

use crate::child::ChildServer;
use crate::client::EngineClient;
use crate::procstat::ProcStat;
use crate::settings::Settings;
use crate::stats::median;
use serde_json::{json, Value};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Time given to freshly opened connections to finish their setup before
/// memory is read (threads park, first buffers are allocated).
const SETTLE: Duration = Duration::from_millis(300);

/// The figures for one connection count.
#[derive(Debug, Clone)]
pub struct ManyRow {
    /// Open connections.
    pub connections: usize,
    /// RSS growth per connection, KiB.
    pub rss_kib_per_conn: f64,
    /// Thread growth per connection.
    pub threads_per_conn: f64,
    /// Median time of one idle sweep over all connections.
    pub sweep: Duration,
    /// Events seen during the sweeps (an idle connection should have none).
    pub unexpected_events: u64,
    /// Time to open all connections (connect + handshake).
    pub open_time: Duration,
}

impl ManyRow {
    /// Machine-readable form.
    pub fn to_json(&self) -> Value {
        json!({
            "connections": self.connections,
            "rss_kib_per_connection": self.rss_kib_per_conn,
            "threads_per_connection": self.threads_per_conn,
            "idle_poll_sweep_us": self.sweep.as_secs_f64() * 1e6,
            "idle_poll_ns_per_connection": self.sweep.as_secs_f64() * 1e9 / self.connections.max(1) as f64,
            "unexpected_events": self.unexpected_events,
            "open_all_ms": self.open_time.as_secs_f64() * 1e3,
        })
    }
}

/// Measures each connection count in turn, closing all connections in between.
pub fn measure(server: &ChildServer, settings: &Settings) -> Result<Vec<ManyRow>, String> {
    let mut rows = Vec::new();
    for &n in &settings.connection_counts {
        let row = measure_count(server, n, settings.poll_sweeps)
            .map_err(|e| format!("{n} connections: {e}"))?;
        eprintln!(
            "  {:>5} conns  {:>8.1} KiB/conn  {:>4.1} threads/conn  idle sweep {:>9.2} us",
            n,
            row.rss_kib_per_conn,
            row.threads_per_conn,
            row.sweep.as_secs_f64() * 1e6
        );
        rows.push(row);
    }
    Ok(rows)
}

fn measure_count(server: &ChildServer, n: usize, sweeps: usize) -> Result<ManyRow, String> {
    // Let threads of the previous step (and the server's start-up reader) finish exiting.
    std::thread::sleep(SETTLE);
    let before = ProcStat::now().ok_or("/proc/self/status unreadable")?;
    let url = server.url("/echo");
    let start = Instant::now();
    let mut clients = Vec::with_capacity(n);
    for _ in 0..n {
        clients.push(EngineClient::start(&url)?);
    }
    for c in &clients {
        c.wait_open()?;
    }
    let open_time = start.elapsed();
    std::thread::sleep(SETTLE);
    let after = ProcStat::now().ok_or("/proc/self/status unreadable")?;

    let mut times = Vec::with_capacity(sweeps);
    let mut unexpected = 0u64;
    for _ in 0..sweeps {
        let t = Instant::now();
        for c in &clients {
            if black_box(c.poll_once()).is_some() {
                unexpected += 1;
            }
        }
        times.push(t.elapsed().as_secs_f64());
    }
    // Close all at once, then drop: each drop joins that connection's threads.
    for c in &clients {
        c.begin_close();
    }
    drop(clients);

    let per = |a: u64, b: u64| (a as f64 - b as f64) / n as f64;
    Ok(ManyRow {
        connections: n,
        rss_kib_per_conn: per(after.rss_kib, before.rss_kib),
        threads_per_conn: per(after.threads, before.threads),
        sweep: Duration::from_secs_f64(median(&times).unwrap_or(0.0)),
        unexpected_events: unexpected,
        open_time,
    })
}
