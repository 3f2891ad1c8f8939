//! `devian-ws-bench`: the Devian WebSocket engine side by side with
//! tungstenite on the same loopback servers, masking against memcpy, and
//! many idle connections. Prints tables with ratios and writes JSON.
//!
//! ```text
//! cargo run --release -p devian-ws-bench -- [--quick] [--out bench/results/rust.json]
//! ```
//!
//! fastwebsockets and tokio-tungstenite are not measured: both need a tokio
//! runtime, so their figures would mostly compare runtimes, not WebSocket
//! implementations; tungstenite is the same protocol code as
//! tokio-tungstenite without the runtime.
#![forbid(unsafe_code)]

mod child;
mod cli;
mod client;
mod engine_echo;
mod many;
mod masking;
mod procstat;
mod report;
mod server;
mod settings;
mod stats;
mod throughput;

use child::ChildServer;
use cli::{CellFilter, Command, Sections};
use serde_json::{json, Value};
use server::ServerKind;
use settings::Settings;
use std::process::ExitCode;
use throughput::Placement;

/// Peers considered and not measured, with the reason (also in the JSON).
const SKIPPED_PEERS: &str = "fastwebsockets and tokio-tungstenite: async (tokio) only; \
     tungstenite is measured instead, the same protocol code without a runtime";

fn main() -> ExitCode {
    let result = cli::parse(std::env::args().skip(1)).and_then(|cmd| match cmd {
        Command::Serve { kind, addr } => child::serve_until_stdin_closes(kind, &addr),
        Command::Connections { count, url, sweeps } => many::run_step(count, &url, sweeps),
        Command::EngineEcho {
            url,
            payload,
            count,
            runs,
        } => engine_echo::run(&url, payload, count, runs),
        Command::Bench {
            quick,
            out,
            sections,
            cells,
        } => bench(quick, out.as_deref(), sections, cells),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("devian-ws-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn bench(
    quick: bool,
    out: Option<&str>,
    sections: Sections,
    filter: CellFilter,
) -> Result<(), String> {
    if cfg!(debug_assertions) {
        eprintln!("devian-ws-bench: WARNING: debug build; figures are meaningless (use --release)");
    }
    let settings = if quick {
        Settings::quick()
    } else {
        Settings::full()
    };
    let mut results = json!({
        "tool": "devian-ws-bench",
        "quick": quick,
        "release": !cfg!(debug_assertions),
        "runs_per_cell": settings.runs,
        "skipped_peers": SKIPPED_PEERS,
    });

    if sections.throughput {
        let mut cells = Vec::new();
        let placements = Placement::available();
        if placements == [Placement::Unpinned] {
            eprintln!(
                "devian-ws-bench: not pinned to one CPU; run under `taskset -c 0` (scripts/bench \
                 does) to measure the server on the same CPU and on another one"
            );
        }
        for placement in placements {
            for kind in ServerKind::ALL {
                if filter.server.is_some_and(|k| k != kind) {
                    continue;
                }
                eprintln!(
                    "== throughput against the {kind} server ({})",
                    placement.name()
                );
                let server = ChildServer::start(kind, placement.server_cpu())?;
                cells.extend(throughput::measure_server(
                    &server, placement, &settings, &filter,
                )?);
            }
        }
        println!(
            "\nMessages per second (median of {} runs; ratios > 1 mean ours is faster)",
            settings.runs
        );
        println!("{}", report::throughput_table(&cells));
        println!("CPU time per message, µs (the client's threads: user + system; median of runs)");
        println!("{}", report::cpu_table(&cells));
        println!("Round-trip time, 16 B echo (median over runs of each run's percentile)");
        println!("{}", report::rtt_table(&cells));
        results["throughput"] = Value::Array(cells.iter().map(|c| c.to_json()).collect());
    }
    if sections.mask {
        eprintln!("== masking vs memcpy");
        let rows = masking::measure(&settings);
        println!(
            "\nUnmasking vs memcpy (median of {} samples)",
            settings.mask_samples
        );
        println!("{}", report::mask_table(&rows));
        results["masking"] = Value::Array(rows.iter().map(|r| r.to_json()).collect());
    }
    if sections.many {
        eprintln!("== many engine connections");
        let server = ChildServer::start(ServerKind::Ours, None)?;
        let rows = many::measure(&server, &settings)?;
        println!(
            "\nMany idle engine connections (each count in a fresh process; server in another)"
        );
        println!("{}", report::many_table(&rows));
        results["connections"] = Value::Array(rows.iter().map(|r| r.to_json()).collect());
        // Explains most of the per-connection memory: the receive queue is preallocated.
        results["engine_event_bytes"] = json!(std::mem::size_of::<devian_ws_engine::Event>());
        results["engine_default_recv_queue_messages"] = json!(
            devian_ws_engine::Config::new("ws://127.0.0.1/")
                .recv_queue
                .max_messages
        );
    }

    if let Some(path) = out {
        if let Some(dir) = std::path::Path::new(path).parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let text = serde_json::to_string_pretty(&results).map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n").map_err(|e| format!("{path}: {e}"))?;
        eprintln!("wrote {path}");
    }
    Ok(())
}
