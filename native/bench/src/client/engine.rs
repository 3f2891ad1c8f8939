//! Our threaded engine (`devian_ws_engine::Client`), driven the way a Rust
//! program drives it: `send` queues, `poll` drains, `wait` blocks while
//! nothing has arrived.

use super::{BenchClient, Payload, Received, WAIT_LIMIT};
use devian_ws_engine::{
    Client, CloseCode, Config, Error, Event, KeepAlive, MessageKind, ReconnectPolicy,
};
use std::time::{Duration, Instant};

/// An engine connection.
pub struct EngineClient(Client);

/// The configuration the bench uses: no keep-alive pings (they would add
/// traffic to the measurement) and no reconnects (a drop is a failure).
pub fn bench_config(url: &str) -> Config {
    let mut config = Config::new(url);
    config.keepalive = KeepAlive {
        ping_interval: None,
        pong_timeout: Duration::from_secs(5),
        idle_timeout: None,
    };
    config.reconnect = ReconnectPolicy::disabled();
    config.reconnect_buffer = None;
    config
}

impl EngineClient {
    /// Connects and waits for the `Open` event.
    pub fn connect(url: &str) -> Result<EngineClient, String> {
        let client = EngineClient(Client::connect(bench_config(url)).map_err(|e| e.to_string())?);
        client.wait_open()?;
        Ok(client)
    }

    /// Starts connecting without waiting (the many-connections run opens
    /// many first and waits for them together).
    pub fn start(url: &str) -> Result<EngineClient, String> {
        Client::connect(bench_config(url))
            .map(EngineClient)
            .map_err(|e| e.to_string())
    }

    /// Polls until `Open`, bounded by [`WAIT_LIMIT`].
    pub fn wait_open(&self) -> Result<(), String> {
        let deadline = Instant::now() + WAIT_LIMIT;
        loop {
            match self.0.poll() {
                Some(Event::Open { .. }) => return Ok(()),
                Some(Event::Error { text, .. }) => return Err(format!("connect: {text}")),
                Some(Event::Closed { code, reason, .. }) => {
                    return Err(format!("closed while connecting: {code} {reason}"))
                }
                Some(_) => {}
                None if Instant::now() > deadline => return Err("connect timed out".into()),
                None => std::thread::yield_now(),
            }
        }
    }

    /// One `poll()`; the many-connections run times a sweep of these.
    pub fn poll_once(&self) -> Option<Event> {
        self.0.poll()
    }

    /// Starts the close handshake without waiting, so many connections
    /// close in parallel before they are dropped (dropping joins threads).
    pub fn begin_close(&self) {
        // Already closed or closing is fine here.
        let _ = self.0.close(CloseCode::NORMAL, "");
    }

    fn enqueue(&self, kind: MessageKind, payload: &[u8]) -> Result<(), String> {
        let deadline = Instant::now() + WAIT_LIMIT;
        loop {
            match self.0.send(kind, payload) {
                Ok(()) => return Ok(()),
                // Backpressure: the bounded queue is full; block while the send thread
                // drains it (a retry loop would take the CPU it needs).
                Err(Error::Capacity(_)) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err("send queue stayed full".into());
                    }
                    self.0.wait_for_room(payload.len(), left);
                }
                Err(e) => return Err(e.to_string()),
            }
        }
    }
}

impl BenchClient for EngineClient {
    fn send(&mut self, payload: &Payload) -> Result<(), String> {
        self.enqueue(MessageKind::Binary, payload.as_slice())
    }

    fn send_text(&mut self, text: &str) -> Result<(), String> {
        self.enqueue(MessageKind::Text, text.as_bytes())
    }

    fn recv(&mut self) -> Result<Received, String> {
        let deadline = Instant::now() + WAIT_LIMIT;
        loop {
            match self.0.poll() {
                Some(Event::Message {
                    kind: MessageKind::Binary,
                    data,
                }) => return Ok(Received::Binary(data.len())),
                Some(Event::Message {
                    kind: MessageKind::Text,
                    data,
                }) => return Ok(Received::Text(String::from_utf8_lossy(&data).into_owned())),
                Some(Event::Error { text, .. }) => return Err(text),
                Some(Event::Closed { code, reason, .. }) => {
                    return Err(format!("closed: {code} {reason}"))
                }
                Some(_) => {}
                None => {
                    // A Rust program with a thread for the connection blocks here; a
                    // game polls once per frame. Either leaves the cores to the engine's
                    // threads and the server, which a poll-and-yield loop would not.
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err("receive timed out".into());
                    }
                    self.0.wait(left);
                }
            }
        }
    }

    fn close(self: Box<Self>) -> Result<(), String> {
        self.0
            .close(CloseCode::NORMAL, "")
            .map_err(|e| e.to_string())?;
        let deadline = Instant::now() + WAIT_LIMIT;
        loop {
            match self.0.poll() {
                Some(Event::Closed { .. }) => return Ok(()),
                Some(_) => {}
                None if Instant::now() > deadline => return Err("close timed out".into()),
                None => std::thread::sleep(Duration::from_millis(1)),
            }
        }
    }
}
