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
use std::process::{Command, Stdio};
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
    /// Reads back what [`ManyRow::to_json`] wrote.
    pub fn from_json(v: &Value) -> Option<ManyRow> {
        let f = |k: &str| v.get(k).and_then(Value::as_f64);
        Some(ManyRow {
            connections: v.get("connections")?.as_u64()? as usize,
            rss_kib_per_conn: f("rss_kib_per_connection")?,
            threads_per_conn: f("threads_per_connection")?,
            sweep: Duration::from_secs_f64(f("idle_poll_sweep_us")?.max(0.0) / 1e6),
            unexpected_events: v.get("unexpected_events")?.as_u64()?,
            open_time: Duration::from_secs_f64(f("open_all_ms")?.max(0.0) / 1e3),
        })
    }

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

/// Measures each connection count, each in a fresh child process (this
/// binary, `--connections`), so memory freed by earlier work in the same
/// process cannot be reused and hide what the connections cost.
pub fn measure(server: &ChildServer, settings: &Settings) -> Result<Vec<ManyRow>, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let url = server.url("/echo");
    let mut rows = Vec::new();
    for &n in &settings.connection_counts {
        let out = Command::new(&exe)
            .args(["--connections", &n.to_string(), "--url", &url])
            .args(["--sweeps", &settings.poll_sweeps.to_string()])
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("{n} connections: {e}"))?;
        if !out.status.success() {
            return Err(format!("{n} connections: step failed ({})", out.status));
        }
        let row = serde_json::from_slice::<Value>(&out.stdout)
            .ok()
            .as_ref()
            .and_then(ManyRow::from_json)
            .ok_or_else(|| format!("{n} connections: unreadable step output"))?;
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

/// The `--connections` child: measures one step and prints its JSON on stdout.
pub fn run_step(count: usize, url: &str, sweeps: usize) -> Result<(), String> {
    let row = measure_count(url, count, sweeps).map_err(|e| format!("{count} connections: {e}"))?;
    println!("{}", row.to_json());
    Ok(())
}

fn measure_count(url: &str, n: usize, sweeps: usize) -> Result<ManyRow, String> {
    // Let threads of the previous step (and the server's start-up reader) finish exiting.
    std::thread::sleep(SETTLE);
    let before = ProcStat::now().ok_or("/proc/self/status unreadable")?;
    let start = Instant::now();
    let mut clients = Vec::with_capacity(n);
    for _ in 0..n {
        clients.push(EngineClient::start(url)?);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_survive_the_trip_through_a_child_process() {
        let row = ManyRow {
            connections: 100,
            rss_kib_per_conn: 238.5,
            threads_per_conn: 2.0,
            sweep: Duration::from_micros(1450),
            unexpected_events: 0,
            open_time: Duration::from_millis(98),
        };
        let back = ManyRow::from_json(&row.to_json()).expect("complete row");
        assert_eq!(back.connections, 100);
        assert_eq!(back.rss_kib_per_conn, 238.5);
        assert_eq!(back.threads_per_conn, 2.0);
        assert_eq!(back.unexpected_events, 0);
        assert!((back.sweep.as_secs_f64() - 1.45e-3).abs() < 1e-9);
        assert!((back.open_time.as_secs_f64() - 0.098).abs() < 1e-9);
        assert!(ManyRow::from_json(&json!({"connections": 1})).is_none());
    }

    /// One step in-process against a loopback server: every connection opens
    /// and idle polls see nothing. (Memory and threads are not asserted: other
    /// tests run concurrently in this process.)
    #[test]
    fn a_step_opens_every_connection_and_sees_no_events_when_idle() {
        let server =
            crate::server::RunningServer::start(crate::server::ServerKind::Ours, "127.0.0.1:0")
                .expect("bind");
        let url = format!("ws://{}/echo", server.addr());
        let row = measure_count(&url, 5, 10).expect("step");
        assert_eq!(row.connections, 5);
        assert_eq!(row.unexpected_events, 0);
    }
}
