//! Echo client: connects, sends back every message unchanged, answers the
//! close handshake, exits 0 once the peer has closed cleanly.
//!
//! ```text
//! echo_client URL [--protocol P]... [--ca CA.pem] [--insecure] [--max-message BYTES] [--deflate]
//! ```

mod common;

use devian_websocket::{connect, TlsOptions};
use std::process::ExitCode;

const USAGE: &str =
    "usage: echo_client URL [--protocol P]... [--ca CA.pem] [--insecure] [--max-message BYTES] [--deflate]";

fn run() -> Result<(), String> {
    let args = common::parse(&[
        "--protocol",
        "--ca",
        "--insecure",
        "--max-message",
        "--deflate",
    ])?;
    let url = args.target.ok_or_else(|| USAGE.to_string())?;
    let mut tls = TlsOptions {
        dangerous_accept_any_certificate: args.insecure,
        ..TlsOptions::default()
    };
    if let Some(path) = &args.ca {
        tls.extra_roots_pem
            .push(std::fs::read(path).map_err(|e| format!("{path}: {e}"))?);
    }
    let mut builder = connect(url.as_str())
        .protocols(args.protocols)
        .limits(common::limits(args.max_message))
        .tls(tls);
    if let Some(deflate) = common::deflate(args.deflate) {
        builder = builder.permessage_deflate(deflate);
    }
    let mut ws = builder
        .connect()
        .map_err(|e| format!("connect {url}: {e}"))?;
    if let Some(p) = ws.protocol() {
        eprintln!("sub-protocol: {p}");
    }
    if let Some(d) = ws.permessage_deflate() {
        eprintln!("permessage-deflate: {d:?}");
    }
    match common::echo(&mut ws) {
        Ok(Some((code, reason))) => {
            eprintln!("closed by peer: {code} {reason:?}");
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(e) => Err(format!("connection failed: {e}")),
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("echo_client: {msg}");
            ExitCode::FAILURE
        }
    }
}
