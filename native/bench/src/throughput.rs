//! Messages per second on one connection: echo round trips, one-way
//! streaming in both directions, and round-trip times of small messages.

use crate::child::ChildServer;
use crate::cli::CellFilter;
use crate::client::{BenchClient, ClientKind, Payload, Received};
use crate::procstat::{self, cpu_time};
use crate::server::{source_command, Mode, SINK_DONE};
use crate::settings::Settings;
use crate::stats::{median, percentile, rate};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Payload sizes of the issue: 16 B, 1 KiB, 64 KiB, 1 MiB.
pub const PAYLOADS: [usize; 4] = [16, 1 << 10, 64 << 10, 1 << 20];

/// Round-trip percentiles are reported for payloads up to this size.
const SMALL_PAYLOAD: usize = 16;

/// How a connection is exercised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// Send one message, wait for its echo, repeat.
    Echo,
    /// Client → server without waiting; timed until the server confirms the count.
    Upload,
    /// Server → client; timed from the request until the last message arrived.
    Download,
}

impl Scenario {
    /// All scenarios.
    pub const ALL: [Scenario; 3] = [Scenario::Echo, Scenario::Upload, Scenario::Download];

    /// Short name used in tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Echo => "echo",
            Scenario::Upload => "stream-up",
            Scenario::Download => "stream-down",
        }
    }

    fn mode(self) -> Mode {
        match self {
            Scenario::Echo => Mode::Echo,
            Scenario::Upload => Mode::Sink,
            Scenario::Download => Mode::Source,
        }
    }
}

impl std::str::FromStr for Scenario {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Scenario::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| {
                format!("unknown scenario {s:?} (expected echo, stream-up or stream-down)")
            })
    }
}

/// Where the server runs relative to the client (issue 16: a game shares
/// its cores, so both are measured).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Client and server pinned to the same CPU.
    SameCpu(usize),
    /// The client pinned to one CPU, the server to another.
    SeparateCpus {
        /// The client's CPU.
        client: usize,
        /// The server's CPU.
        server: usize,
    },
    /// Nothing pinned: the scheduler decides.
    Unpinned,
}

impl Placement {
    /// Every placement, in table order.
    pub const NAMES: [&'static str; 3] = ["same CPU", "separate CPUs", "unpinned"];

    /// Short name used in tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Placement::SameCpu(_) => Self::NAMES[0],
            Placement::SeparateCpus { .. } => Self::NAMES[1],
            Placement::Unpinned => Self::NAMES[2],
        }
    }

    /// The CPU to pin the server to.
    pub fn server_cpu(self) -> Option<usize> {
        match self {
            Placement::SameCpu(cpu) => Some(cpu),
            Placement::SeparateCpus { server, .. } => Some(server),
            Placement::Unpinned => None,
        }
    }

    /// What this process can measure: pinned to one CPU (scripts/bench runs
    /// it under `taskset -c 0`), the server on that CPU and on another one;
    /// otherwise unpinned only.
    pub fn available() -> Vec<Placement> {
        let (Some(mine), Some(online)) = (procstat::allowed_cpus(), procstat::online_cpus()) else {
            return vec![Placement::Unpinned];
        };
        let [client] = mine[..] else {
            return vec![Placement::Unpinned];
        };
        let mut all = vec![Placement::SameCpu(client)];
        if let Some(&server) = online.iter().find(|&&c| c != client) {
            all.push(Placement::SeparateCpus { client, server });
        }
        all
    }
}

/// The medians of one (placement, server, client, scenario, payload) cell.
#[derive(Debug, Clone)]
pub struct Cell {
    /// Where the server ran ([`Placement::name`]).
    pub placement: &'static str,
    /// Server implementation name.
    pub server: &'static str,
    /// Client implementation.
    pub client: ClientKind,
    /// Scenario.
    pub scenario: Scenario,
    /// Payload bytes.
    pub payload: usize,
    /// Messages per run.
    pub count: u64,
    /// Messages per second of each run.
    pub runs: Vec<f64>,
    /// Median messages per second.
    pub msgs_per_sec: f64,
    /// Median CPU time (user + system, every thread of this process: the
    /// client's own and its engine threads; the server runs elsewhere) per
    /// message, in microseconds.
    pub cpu_us_per_msg: Option<f64>,
    /// Median round-trip percentiles (echo of small payloads only).
    pub rtt_p50: Option<Duration>,
    /// See `rtt_p50`.
    pub rtt_p99: Option<Duration>,
}

impl Cell {
    /// Machine-readable form.
    pub fn to_json(&self) -> Value {
        let us = |d: Option<Duration>| d.map(|d| d.as_secs_f64() * 1e6);
        json!({
            "placement": self.placement,
            "server": self.server,
            "client": self.client.name(),
            "scenario": self.scenario.name(),
            "payload_bytes": self.payload,
            "messages_per_run": self.count,
            "runs_msgs_per_sec": self.runs,
            "msgs_per_sec": self.msgs_per_sec,
            "mib_per_sec": self.msgs_per_sec * self.payload as f64 / (1 << 20) as f64,
            "cpu_us_per_msg": self.cpu_us_per_msg,
            "rtt_p50_us": us(self.rtt_p50),
            "rtt_p99_us": us(self.rtt_p99),
        })
    }
}

/// Measures every client against `server` in every scenario and payload size.
pub fn measure_server(
    server: &ChildServer,
    placement: Placement,
    settings: &Settings,
    filter: &CellFilter,
) -> Result<Vec<Cell>, String> {
    let mut cells = Vec::new();
    let clients: Vec<ClientKind> = ClientKind::ALL
        .into_iter()
        .filter(|k| filter.client.is_none_or(|c| c == *k))
        .collect();
    for scenario in Scenario::ALL {
        if filter.scenario.is_some_and(|s| s != scenario) {
            continue;
        }
        for payload in PAYLOADS {
            if filter.payload.is_some_and(|p| p != payload) {
                continue;
            }
            let group = measure_group(server, placement, scenario, payload, settings, &clients)
                .map_err(|e| {
                    format!(
                        "{} server, {} {payload} B: {e}",
                        server.kind(),
                        scenario.name()
                    )
                })?;
            for cell in &group {
                eprintln!(
                    "  {:<11} {:>8} B  {:<16} {:>12.0} msg/s",
                    scenario.name(),
                    payload,
                    cell.client.name(),
                    cell.msgs_per_sec
                );
            }
            cells.extend(group);
        }
    }
    Ok(cells)
}

/// All clients for one (scenario, payload). The clients take turns run by
/// run, so a burst of load from elsewhere on the machine hits all of them
/// alike instead of skewing one client's whole series.
fn measure_group(
    server: &ChildServer,
    placement: Placement,
    scenario: Scenario,
    payload: usize,
    settings: &Settings,
    kinds: &[ClientKind],
) -> Result<Vec<Cell>, String> {
    let count = settings.messages_for(payload);
    let data = Payload::new(payload);
    let url = server.url(scenario.mode().path());
    let mut clients = Vec::with_capacity(kinds.len());
    for &kind in kinds {
        let mut client = kind.connect(&url).map_err(|e| format!("{kind}: {e}"))?;
        // Warm-up: connection buffers, pools and caches reach their steady state.
        run_once(
            client.as_mut(),
            scenario,
            &data,
            settings.warmup_for(payload),
        )
        .map_err(|e| format!("{kind}: {e}"))?;
        clients.push(Series {
            kind,
            client,
            rates: Vec::new(),
            cpu_us: Vec::new(),
            p50s: Vec::new(),
            p99s: Vec::new(),
        });
    }
    for _ in 0..settings.runs {
        for s in clients.iter_mut() {
            let cpu_before = cpu_time();
            let (elapsed, rtts) = run_once(s.client.as_mut(), scenario, &data, count)
                .map_err(|e| format!("{}: {e}", s.kind))?;
            s.rates.push(rate(count, elapsed));
            if let (Some(before), Some(after)) = (cpu_before, cpu_time()) {
                s.cpu_us
                    .push((after.saturating_sub(before)).as_secs_f64() * 1e6 / count as f64);
            }
            if payload <= SMALL_PAYLOAD && !rtts.is_empty() {
                s.p50s
                    .extend(percentile(&rtts, 50.0).map(|d| d.as_secs_f64()));
                s.p99s
                    .extend(percentile(&rtts, 99.0).map(|d| d.as_secs_f64()));
            }
        }
    }
    let secs = |v: &[f64]| median(v).map(Duration::from_secs_f64);
    let mut cells = Vec::with_capacity(clients.len());
    for s in clients {
        s.client
            .close()
            .map_err(|e| format!("{}: close: {e}", s.kind))?;
        cells.push(Cell {
            placement: placement.name(),
            server: server.kind().name(),
            client: s.kind,
            scenario,
            payload,
            count,
            msgs_per_sec: median(&s.rates).unwrap_or(0.0),
            cpu_us_per_msg: median(&s.cpu_us),
            rtt_p50: secs(&s.p50s),
            rtt_p99: secs(&s.p99s),
            runs: s.rates,
        });
    }
    Ok(cells)
}

/// One client's connection and its measurements so far.
struct Series {
    kind: ClientKind,
    client: Box<dyn BenchClient>,
    /// Messages per second of each run.
    rates: Vec<f64>,
    /// CPU microseconds per message of each run.
    cpu_us: Vec<f64>,
    /// Each run's round-trip percentiles, in seconds.
    p50s: Vec<f64>,
    p99s: Vec<f64>,
}

/// One run of `count` messages; returns the elapsed time and, for echo,
/// every round-trip time.
fn run_once(
    client: &mut dyn BenchClient,
    scenario: Scenario,
    data: &Payload,
    count: u64,
) -> Result<(Duration, Vec<Duration>), String> {
    match scenario {
        Scenario::Echo => echo(client, data, count),
        Scenario::Upload => upload(client, data, count).map(|d| (d, Vec::new())),
        Scenario::Download => download(client, data.len(), count).map(|d| (d, Vec::new())),
    }
}

/// `count` round trips one at a time: the elapsed time and each round trip's.
pub fn echo(
    client: &mut dyn BenchClient,
    data: &Payload,
    count: u64,
) -> Result<(Duration, Vec<Duration>), String> {
    let mut rtts = Vec::with_capacity(count as usize);
    let start = Instant::now();
    for _ in 0..count {
        let t = Instant::now();
        client.send(data)?;
        expect_binary(client.recv()?, data.len())?;
        rtts.push(t.elapsed());
    }
    Ok((start.elapsed(), rtts))
}

fn upload(client: &mut dyn BenchClient, data: &Payload, count: u64) -> Result<Duration, String> {
    let start = Instant::now();
    for _ in 0..count {
        client.send(data)?;
    }
    client.send_text(SINK_DONE)?;
    match client.recv()? {
        Received::Text(n) if n == count.to_string() => Ok(start.elapsed()),
        other => Err(format!("server counted {other:?}, expected {count}")),
    }
}

fn download(client: &mut dyn BenchClient, size: usize, count: u64) -> Result<Duration, String> {
    let start = Instant::now();
    client.send_text(&source_command(count, size))?;
    for _ in 0..count {
        expect_binary(client.recv()?, size)?;
    }
    Ok(start.elapsed())
}

/// `Ok` if `got` is a Binary message of `len` bytes.
pub fn expect_binary(got: Received, len: usize) -> Result<(), String> {
    match got {
        Received::Binary(n) if n == len => Ok(()),
        other => Err(format!("expected {len} binary bytes, got {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::{RunningServer, ServerKind};

    /// Every client against every server in every scenario, in-process on
    /// 127.0.0.1, with payloads on both sides of the 16-bit/64-bit length
    /// boundary (RFC 6455 §5.2: 65535 uses the 16-bit form, 65536 the 64-bit one):
    /// the harness must move the right number of messages of the right size.
    #[test]
    fn every_client_and_server_pair_completes_each_scenario() {
        for server_kind in ServerKind::ALL {
            let server = RunningServer::start(server_kind, "127.0.0.1:0").expect("bind");
            for client_kind in ClientKind::ALL {
                for scenario in Scenario::ALL {
                    let url = format!("ws://{}{}", server.addr(), scenario.mode().path());
                    let mut client = client_kind.connect(&url).expect("connect");
                    for size in [0, 16, 65535, 65536] {
                        let data = Payload::new(size);
                        let (elapsed, rtts) = run_once(client.as_mut(), scenario, &data, 5)
                            .unwrap_or_else(|e| {
                                panic!("{client_kind} vs {server_kind}, {scenario:?} {size} B: {e}")
                            });
                        assert!(elapsed > Duration::ZERO);
                        let expected_rtts = if scenario == Scenario::Echo { 5 } else { 0 };
                        assert_eq!(rtts.len(), expected_rtts);
                    }
                    client.close().expect("close handshake");
                }
            }
        }
    }

    /// A sink that counts differently from what was sent is an error, not a figure.
    #[test]
    fn wrong_binary_length_is_reported() {
        assert!(expect_binary(Received::Binary(3), 4).is_err());
        assert!(expect_binary(Received::Text("x".into()), 0).is_err());
        assert!(expect_binary(Received::Binary(4), 4).is_ok());
    }
}
