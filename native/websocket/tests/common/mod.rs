//! Helpers for the integration tests: test servers on 127.0.0.1 that accept
//! a bounded number of connections within a bounded time.
#![allow(dead_code)]

pub mod certs;
pub mod proxies;

use devian_websocket::{
    Error, HandshakeLimits, MaybeTlsStream, Message, WebSocket, WebSocketConfig, WebSocketUpgrade,
};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a test server waits for each expected connection.
pub const ACCEPT_WAIT: Duration = Duration::from_secs(20);

/// A server thread that handles `n` connections, one after another.
pub struct TestServer<T> {
    /// Where it listens.
    pub addr: SocketAddr,
    handle: JoinHandle<Vec<T>>,
}

impl<T> TestServer<T> {
    /// Waits for the server to finish and returns each connection's result.
    pub fn join(self) -> Vec<T> {
        self.handle.join().expect("test server thread panicked")
    }
}

/// Accepts one connection, giving up after [`ACCEPT_WAIT`].
fn accept_bounded(listener: &TcpListener) -> Option<TcpStream> {
    let deadline = Instant::now() + ACCEPT_WAIT;
    listener
        .set_nonblocking(true)
        .expect("nonblocking listener");
    while Instant::now() < deadline {
        match listener.accept() {
            Ok((tcp, _)) => {
                tcp.set_nonblocking(false).expect("blocking stream");
                // Every test read is bounded even if the test itself is wrong.
                tcp.set_read_timeout(Some(ACCEPT_WAIT))
                    .expect("read timeout");
                tcp.set_write_timeout(Some(ACCEPT_WAIT))
                    .expect("write timeout");
                return Some(tcp);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("accept: {e}"),
        }
    }
    None
}

/// A server that hands `n` raw TCP connections to `handler`.
pub fn spawn_raw<T, F>(n: usize, mut handler: F) -> TestServer<T>
where
    T: Send + 'static,
    F: FnMut(TcpStream) -> T + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local addr");
    let handle = std::thread::spawn(move || {
        let mut results = Vec::new();
        for _ in 0..n {
            match accept_bounded(&listener) {
                Some(tcp) => results.push(handler(tcp)),
                None => break,
            }
        }
        results
    });
    TestServer { addr, handle }
}

/// What a WebSocket test server saw on one connection.
pub type Seen = Result<Vec<Message>, String>;

/// A WebSocket server (plain, or TLS with `tls`) supporting `protocols`,
/// that runs `handler` on each of `n` accepted connections.
pub fn spawn_ws<F>(
    n: usize,
    tls: Option<Arc<rustls::ServerConfig>>,
    protocols: &[&str],
    mut handler: F,
) -> TestServer<Seen>
where
    F: FnMut(&mut WebSocket<MaybeTlsStream>) -> Seen + Send + 'static,
{
    let protocols: Vec<String> = protocols.iter().map(|p| p.to_string()).collect();
    spawn_raw(n, move |tcp| {
        let stream = match &tls {
            Some(config) => {
                MaybeTlsStream::server_tls(tcp, config.clone()).map_err(|e| e.to_string())?
            }
            None => MaybeTlsStream::Plain(tcp),
        };
        let limits = HandshakeLimits::default();
        let mut ws =
            WebSocketUpgrade::handshake(stream, &limits, WebSocketConfig::default(), |offered| {
                offered.iter().find(|p| protocols.contains(p)).cloned()
            })
            .map_err(|e| format!("handshake: {e}"))?;
        handler(&mut ws)
    })
}

/// Echoes Text and Binary messages until the close handshake completes;
/// returns every message received, the Close included.
pub fn echo(ws: &mut WebSocket<MaybeTlsStream>) -> Seen {
    let mut seen = Vec::new();
    loop {
        match ws.read() {
            Ok(msg) => {
                if msg.is_data() {
                    ws.send(msg.clone())
                        .map_err(|e| format!("echo send: {e}"))?;
                }
                seen.push(msg);
            }
            Err(Error::ConnectionClosed) => return Ok(seen),
            Err(e) => return Err(format!("server read: {e} (after {} messages)", seen.len())),
        }
    }
}

/// Reads an HTTP head (up to the blank line) from a raw stream.
pub fn read_http_head(tcp: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        match tcp.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// The value of header `name` in a raw HTTP head.
pub fn header_value(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

/// Writes all of `bytes`, ignoring failure (the peer may have hung up).
pub fn write_quietly(tcp: &mut TcpStream, bytes: &[u8]) {
    let _ = tcp.write_all(bytes);
}
