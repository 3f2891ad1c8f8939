//! Echo server: accepts any number of connections (a thread each), picks the
//! first offered sub-protocol it supports, echoes every message unchanged.
//! Prints `listening on ADDR` once bound, for scripts to wait for.
//!
//! ```text
//! echo_server 127.0.0.1:PORT [--protocol P]... [--tls-cert CERT.pem --tls-key KEY.pem] [--max-message BYTES] [--deflate]
//! ```

mod common;

use devian_websocket::{HandshakeLimits, MaybeTlsStream, WebSocketConfig, WebSocketUpgrade};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const USAGE: &str = "usage: echo_server ADDR [--protocol P]... [--tls-cert CERT.pem --tls-key KEY.pem] [--max-message BYTES] [--deflate]";

/// Connections served at once; more are closed at accept, so a flood of
/// clients cannot exhaust threads.
const MAX_CONNECTIONS: usize = 1024;

/// Longest a single write may block on a client that does not read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

struct Server {
    protocols: Vec<String>,
    tls: Option<Arc<rustls::ServerConfig>>,
    config: WebSocketConfig,
    limits: HandshakeLimits,
}

impl Server {
    fn serve(&self, tcp: TcpStream) -> Result<(), String> {
        let peer = tcp
            .peer_addr()
            .map(|a| a.to_string())
            .unwrap_or_else(|_| "?".into());
        tcp.set_nodelay(true).map_err(|e| format!("{peer}: {e}"))?;
        // A client that stops reading must not pin this thread forever.
        tcp.set_write_timeout(Some(WRITE_TIMEOUT))
            .map_err(|e| format!("{peer}: {e}"))?;
        let stream = match &self.tls {
            Some(config) => MaybeTlsStream::server_tls(tcp, config.clone()),
            None => Ok(MaybeTlsStream::Plain(tcp)),
        }
        .map_err(|e| format!("{peer}: {e}"))?;
        let supported = &self.protocols;
        let mut ws = WebSocketUpgrade::handshake(stream, &self.limits, self.config, |offered| {
            offered.iter().find(|p| supported.contains(p)).cloned()
        })
        .map_err(|e| format!("{peer}: handshake: {e}"))?;
        common::echo(&mut ws)
            .map(|_| ())
            .map_err(|e| format!("{peer}: {e}"))
    }
}

fn run() -> Result<(), String> {
    let args = common::parse(&[
        "--protocol",
        "--tls-cert",
        "--tls-key",
        "--max-message",
        "--deflate",
    ])?;
    let addr = args.target.ok_or_else(|| USAGE.to_string())?;
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            let cert = std::fs::read(cert).map_err(|e| format!("{cert}: {e}"))?;
            let key = std::fs::read(key).map_err(|e| format!("{key}: {e}"))?;
            Some(devian_websocket::tls::server_config(&cert, &key).map_err(|e| e.to_string())?)
        }
        (None, None) => None,
        _ => return Err("--tls-cert and --tls-key go together".into()),
    };
    let config = WebSocketConfig {
        limits: common::limits(args.max_message),
        permessage_deflate: common::deflate(args.deflate),
        ..WebSocketConfig::default()
    };
    let server = Arc::new(Server {
        protocols: args.protocols,
        tls,
        config,
        limits: HandshakeLimits::default(),
    });

    let listener = TcpListener::bind(&addr).map_err(|e| format!("bind {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let mut out = std::io::stdout();
    writeln!(out, "listening on {local}")
        .and_then(|()| out.flush())
        .map_err(|e| e.to_string())?;

    let active = Arc::new(AtomicUsize::new(0));
    for conn in listener.incoming() {
        let tcp = match conn {
            Ok(tcp) => tcp,
            Err(e) => {
                // Out of descriptors and the like: back off instead of spinning.
                eprintln!("echo_server: accept: {e}");
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        if active.fetch_add(1, Ordering::AcqRel) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::AcqRel);
            drop(tcp);
            continue;
        }
        let (server, counter) = (server.clone(), active.clone());
        let spawned = std::thread::Builder::new()
            .name("echo-conn".into())
            .spawn(move || {
                if let Err(msg) = server.serve(tcp) {
                    eprintln!("echo_server: {msg}");
                }
                counter.fetch_sub(1, Ordering::AcqRel);
            });
        if let Err(e) = spawned {
            eprintln!("echo_server: spawn: {e}");
            active.fetch_sub(1, Ordering::AcqRel);
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("echo_server: {msg}");
            ExitCode::FAILURE
        }
    }
}
