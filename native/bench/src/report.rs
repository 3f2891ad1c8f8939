//! The human-readable tables, with ratios of ours over the peer.

use crate::client::ClientKind;
use crate::many::ManyRow;
use crate::masking::MaskRow;
use crate::server::ServerKind;
use crate::throughput::{Cell, Placement, Scenario, PAYLOADS};
use std::fmt::Write;

/// `ours / peer`, or `None` when the peer measured nothing.
pub fn ratio(ours: f64, peer: f64) -> Option<f64> {
    (peer > 0.0).then(|| ours / peer)
}

fn fmt_ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "-".into(), |r| format!("{r:.2}x"))
}

fn find<'a>(
    cells: &'a [Cell],
    placement: &str,
    server: ServerKind,
    client: ClientKind,
    scenario: Scenario,
    payload: usize,
) -> Option<&'a Cell> {
    cells.iter().find(|c| {
        c.placement == placement
            && c.server == server.name()
            && c.client == client
            && c.scenario == scenario
            && c.payload == payload
    })
}

/// Messages per second per client, and ours / tungstenite.
pub fn throughput_table(cells: &[Cell]) -> String {
    client_table(cells, |c| Some(c.msgs_per_sec), 0)
}

/// CPU microseconds per message of each client (lower is better; a ratio
/// below 1 means ours costs less).
pub fn cpu_table(cells: &[Cell]) -> String {
    client_table(cells, |c| c.cpu_us_per_msg, 2)
}

/// One row per (server, scenario, payload): each client's `value`, and the
/// ratios to tungstenite's.
fn client_table(cells: &[Cell], value: impl Fn(&Cell) -> Option<f64>, decimals: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<13} {:<17} {:<11} {:>8} | {:>11} {:>11} {:>11} | {:>11} {:>11}",
        "placement",
        "server",
        "scenario",
        "payload",
        "engine",
        "blocking",
        "tungstenite",
        "engine/tung",
        "block/tung"
    );
    for placement in Placement::NAMES {
        for server in ServerKind::ALL {
            for scenario in Scenario::ALL {
                for payload in PAYLOADS {
                    let get =
                        |k| find(cells, placement, server, k, scenario, payload).and_then(&value);
                    let (e, b, t) = (
                        get(ClientKind::Engine),
                        get(ClientKind::Blocking),
                        get(ClientKind::Tungstenite),
                    );
                    if e.is_none() && b.is_none() && t.is_none() {
                        continue;
                    }
                    // A cell filter (--client) may leave some clients out: "-".
                    let num = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.decimals$}"));
                    let vs_tung = |v: Option<f64>| match (v, t) {
                        (Some(v), Some(t)) => fmt_ratio(ratio(v, t)),
                        _ => "-".into(),
                    };
                    let _ = writeln!(
                        out,
                        "{:<13} {:<17} {:<11} {:>8} | {:>11} {:>11} {:>11} | {:>11} {:>11}",
                        placement,
                        server.name(),
                        scenario.name(),
                        human_size(payload),
                        num(e),
                        num(b),
                        num(t),
                        vs_tung(e),
                        vs_tung(b)
                    );
                }
            }
        }
    }
    out
}

/// Small-message round-trip percentiles.
pub fn rtt_table(cells: &[Cell]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<13} {:<17} {:<17} {:>10} {:>10}",
        "placement", "server", "client", "p50 us", "p99 us"
    );
    for c in cells.iter().filter(|c| c.scenario == Scenario::Echo) {
        if let (Some(p50), Some(p99)) = (c.rtt_p50, c.rtt_p99) {
            let _ = writeln!(
                out,
                "{:<13} {:<17} {:<17} {:>10.1} {:>10.1}",
                c.placement,
                c.server,
                c.client.name(),
                p50.as_secs_f64() * 1e6,
                p99.as_secs_f64() * 1e6
            );
        }
    }
    out
}

/// Unmask vs memcpy.
pub fn mask_table(rows: &[MaskRow]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>8} {:>14} {:>14} {:>8}",
        "size", "unmask GiB/s", "memcpy GiB/s", "ratio"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{:>8} {:>14.2} {:>14.2} {:>7.2}x",
            human_size(r.size),
            r.mask_gib_s,
            r.memcpy_gib_s,
            r.ratio()
        );
    }
    out
}

/// Many connections.
pub fn many_table(rows: &[ManyRow]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>6} {:>10} {:>12} {:>14} {:>12} {:>10}",
        "conns", "KiB/conn", "threads/conn", "idle sweep us", "ns/conn", "open ms"
    );
    for r in rows {
        let sweep_us = r.sweep.as_secs_f64() * 1e6;
        let _ = writeln!(
            out,
            "{:>6} {:>10.1} {:>12.2} {:>14.2} {:>12.1} {:>10.1}",
            r.connections,
            r.rss_kib_per_conn,
            r.threads_per_conn,
            sweep_us,
            sweep_us * 1e3 / r.connections.max(1) as f64,
            r.open_time.as_secs_f64() * 1e3
        );
    }
    out
}

/// 16 B, 1 KiB, 64 KiB, 1 MiB, ...
pub fn human_size(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes % (1 << 20) == 0 {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes % (1 << 10) == 0 {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human_size(16), "16 B");
        assert_eq!(human_size(1024), "1 KiB");
        assert_eq!(human_size(64 << 10), "64 KiB");
        assert_eq!(human_size(16 << 20), "16 MiB");
        assert_eq!(human_size(1500), "1500 B");
    }

    #[test]
    fn ratios_need_a_peer_figure() {
        assert_eq!(ratio(3.0, 2.0), Some(1.5));
        assert_eq!(ratio(3.0, 0.0), None);
        assert_eq!(fmt_ratio(Some(0.5)), "0.50x");
        assert_eq!(fmt_ratio(None), "-");
    }
}
