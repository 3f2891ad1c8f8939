//! The clients under test behind one blocking interface, so every
//! scenario drives them the same way.

mod blocking;
mod engine;
mod tung;

use std::fmt;
use std::time::Duration;

pub use engine::EngineClient;

/// Bound on any single wait (connect, one receive, a full send queue), so a
/// broken peer fails the measurement instead of hanging the bench.
pub const WAIT_LIMIT: Duration = Duration::from_secs(30);

/// Which client implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// `devian_ws_engine::Client`: send/receive threads, `poll()` on ours.
    Engine,
    /// `devian_websocket` blocking client.
    Blocking,
    /// `tungstenite` blocking client, the peer.
    Tungstenite,
}

impl std::str::FromStr for ClientKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ClientKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                format!("unknown client {s:?} (expected engine, devian-websocket or tungstenite)")
            })
    }
}

impl ClientKind {
    /// All clients, ours first.
    pub const ALL: [ClientKind; 3] = [
        ClientKind::Engine,
        ClientKind::Blocking,
        ClientKind::Tungstenite,
    ];

    /// Short name used in tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            ClientKind::Engine => "engine",
            ClientKind::Blocking => "devian-websocket",
            ClientKind::Tungstenite => "tungstenite",
        }
    }

    /// Connects to `url` and waits until the connection is open.
    pub fn connect(self, url: &str) -> Result<Box<dyn BenchClient>, String> {
        Ok(match self {
            ClientKind::Engine => Box::new(EngineClient::connect(url)?),
            ClientKind::Blocking => Box::new(blocking::BlockingClient::connect(url)?),
            ClientKind::Tungstenite => Box::new(tung::TungClient::connect(url)?),
        })
    }
}

impl fmt::Display for ClientKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An outgoing payload, prepared once per run in every form a client can
/// take without copying, so no client pays for a conversion the bench forced
/// on it (tungstenite owns outgoing payloads as `Bytes`; cloning one is a
/// reference-count bump).
#[derive(Debug, Clone)]
pub struct Payload(tungstenite::Bytes);

impl Payload {
    /// `len` bytes of filler.
    pub fn new(len: usize) -> Payload {
        Payload(tungstenite::Bytes::from(vec![0x5Au8; len]))
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The payload as tungstenite's owned type, without copying.
    pub fn to_bytes(&self) -> tungstenite::Bytes {
        self.0.clone()
    }
}

/// What one receive returned.
#[derive(Debug, PartialEq, Eq)]
pub enum Received {
    /// A Binary message of this many bytes.
    Binary(usize),
    /// A Text message (the bench's commands and answers).
    Text(String),
}

/// A connected client, driven synchronously by the bench.
pub trait BenchClient {
    /// Sends one Binary message (for the engine: queues it, waiting while the queue is full).
    fn send(&mut self, payload: &Payload) -> Result<(), String>;
    /// Sends one Text message.
    fn send_text(&mut self, text: &str) -> Result<(), String>;
    /// Waits for the next data message.
    fn recv(&mut self) -> Result<Received, String>;
    /// Closes the connection (close handshake, bounded).
    fn close(self: Box<Self>) -> Result<(), String>;
}
