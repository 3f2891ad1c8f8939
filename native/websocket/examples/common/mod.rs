//! Command-line parsing and the echo loop shared by the example tools.
#![allow(dead_code)]

use devian_websocket::protocol::deflate::DeflateConfig;
use devian_websocket::{Error, Limits, Message, WebSocket};
use std::io::{Read, Write};

/// Options the echo tools understand.
#[derive(Debug, Default)]
pub struct Args {
    /// The one positional argument (URL or listen address).
    pub target: Option<String>,
    /// `--protocol P`, repeatable.
    pub protocols: Vec<String>,
    /// `--ca FILE`.
    pub ca: Option<String>,
    /// `--tls-cert FILE`.
    pub tls_cert: Option<String>,
    /// `--tls-key FILE`.
    pub tls_key: Option<String>,
    /// `--max-message BYTES`.
    pub max_message: Option<usize>,
    /// `--insecure`: accept any server certificate.
    pub insecure: bool,
    /// `--deflate`: offer (client) or accept (server) permessage-deflate.
    pub deflate: bool,
}

/// Parses `std::env::args`, accepting the options listed in `allowed`.
pub fn parse(allowed: &[&str]) -> Result<Args, String> {
    let mut args = Args::default();
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let name = arg.as_str();
        if name.starts_with("--") && !allowed.contains(&name) {
            return Err(format!("unknown option {name}"));
        }
        let mut value = || it.next().ok_or_else(|| format!("{name} needs a value"));
        match name {
            "--protocol" => args.protocols.push(value()?),
            "--ca" => args.ca = Some(value()?),
            "--tls-cert" => args.tls_cert = Some(value()?),
            "--tls-key" => args.tls_key = Some(value()?),
            "--max-message" => {
                let v = value()?;
                let n = v
                    .parse()
                    .map_err(|_| format!("--max-message: {v:?} is not a byte count"))?;
                args.max_message = Some(n);
            }
            "--insecure" => args.insecure = true,
            "--deflate" => args.deflate = true,
            _ if args.target.is_none() => args.target = Some(arg),
            _ => return Err(format!("unexpected argument {arg:?}")),
        }
    }
    Ok(args)
}

/// Limits for `--max-message`: frames no larger than messages.
pub fn limits(max_message: Option<usize>) -> Limits {
    let mut limits = Limits::default();
    if let Some(max) = max_message {
        limits.max_message_size = max;
        limits.max_frame_size = limits.max_frame_size.min(max);
    }
    limits
}

/// Sends every Text and Binary message back unchanged until the close
/// handshake completes (the Close itself is echoed by the WebSocket).
/// Returns the peer's close code and reason.
pub fn echo<S: Read + Write>(ws: &mut WebSocket<S>) -> Result<Option<(u16, String)>, Error> {
    let mut closed = None;
    loop {
        match ws.read() {
            Ok(msg @ (Message::Text(_) | Message::Binary(_))) => {
                // The peer may have closed meanwhile; then the echo is moot.
                match ws.send(msg) {
                    Ok(()) | Err(Error::AlreadyClosed) => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(Message::Close(code, reason)) => closed = Some((code.0, reason)),
            Ok(Message::Ping(_) | Message::Pong(_)) => {}
            Err(Error::ConnectionClosed) => return Ok(closed),
            Err(e) => return Err(e),
        }
    }
}

/// permessage-deflate settings for `--deflate` (RFC 7692 defaults), or off.
pub fn deflate(on: bool) -> Option<DeflateConfig> {
    on.then(DeflateConfig::default)
}
