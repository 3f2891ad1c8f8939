//! Test harness: a loopback WebSocket server built on devian-websocket's
//! accept path, and helpers that wait for engine events with a bound.
#![allow(dead_code)]

#[path = "../../../websocket/tests/common/certs.rs"]
pub mod certs;

use devian_websocket::{
    HandshakeLimits, MaybeTlsStream, Message, WebSocket, WebSocketConfig, WebSocketUpgrade,
};
use devian_ws_engine::{Client, CloseCode, Config, Event, State};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Longest any test waits for one thing to happen.
pub const WAIT: Duration = Duration::from_secs(20);

/// What the server saw of one upgrade request.
#[derive(Debug, Clone)]
pub struct Seen {
    pub resource: String,
    pub headers: Vec<(String, String)>,
    pub protocols: Vec<String>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub type Ws = WebSocket<MaybeTlsStream>;
type Handler = dyn Fn(Ws, Seen) + Send + Sync;
/// An accepted connection: a socket clone to kill it, and its handler thread.
type Conn = (TcpStream, JoinHandle<()>);

/// A server on 127.0.0.1 running `handler` on a thread per connection.
pub struct Server {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
    conns: Arc<Mutex<Vec<Conn>>>,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

/// Options for [`Server::start_with`].
#[derive(Default, Clone)]
pub struct ServerOptions {
    /// Bind this port (to restart a server where the client expects it).
    pub port: u16,
    /// Serve TLS with this (chain PEM, key PEM).
    pub tls: Option<(String, String)>,
    /// Choose the first offered sub-protocol.
    pub choose_protocol: bool,
}

impl Server {
    pub fn start(handler: impl Fn(Ws, Seen) + Send + Sync + 'static) -> Server {
        Server::start_with(ServerOptions::default(), handler)
    }

    pub fn start_with(
        opts: ServerOptions,
        handler: impl Fn(Ws, Seen) + Send + Sync + 'static,
    ) -> Server {
        let listener = bind(opts.port);
        let addr = listener.local_addr().expect("local addr");
        let stop = Arc::new(AtomicBool::new(false));
        let conns = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let tls = opts.tls.as_ref().map(|(chain, key)| {
            devian_websocket::tls::server_config(chain.as_bytes(), key.as_bytes())
                .expect("server TLS config")
        });
        let accept = {
            let (stop, conns, seen) = (Arc::clone(&stop), Arc::clone(&conns), Arc::clone(&seen));
            let choose = opts.choose_protocol;
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let Ok(control) = stream.try_clone() else {
                        continue;
                    };
                    let (handler, seen, tls) =
                        (Arc::clone(&handler), Arc::clone(&seen), tls.clone());
                    let h = std::thread::spawn(move || {
                        let stream = match tls {
                            Some(cfg) => match MaybeTlsStream::server_tls(stream, cfg) {
                                Ok(s) => s,
                                Err(_) => return,
                            },
                            None => MaybeTlsStream::Plain(stream),
                        };
                        serve(stream, choose, &seen, &*handler);
                    });
                    conns.lock().unwrap().push((control, h));
                }
            })
        };
        Server {
            addr,
            stop,
            accept: Some(accept),
            conns,
            seen,
        }
    }

    pub fn url(&self) -> String {
        format!("ws://{}/", self.addr)
    }

    /// Kills the server: stops accepting, drops the listener and every
    /// connection without a close handshake, joins all threads.
    pub fn kill(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept().
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(a) = self.accept.take() {
            let _ = a.join();
        }
        let conns: Vec<_> = std::mem::take(&mut *self.conns.lock().unwrap());
        for (sock, _) in &conns {
            let _ = sock.shutdown(Shutdown::Both);
        }
        for (_, h) in conns {
            let _ = h.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn bind(port: u16) -> TcpListener {
    // A restarted server may race the old socket's teardown; retry a bounded number of times.
    let mut last = None;
    for _ in 0..100 {
        match TcpListener::bind(("127.0.0.1", port)) {
            Ok(l) => return l,
            Err(e) => last = Some(e),
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("bind 127.0.0.1:{port}: {last:?}");
}

fn serve(stream: MaybeTlsStream, choose: bool, seen: &Mutex<Vec<Seen>>, handler: &Handler) {
    let mut stream = stream;
    let Ok((request, leftover)) =
        WebSocketUpgrade::read_request(&mut stream, &HandshakeLimits::default())
    else {
        return;
    };
    let s = Seen {
        resource: request.resource.clone(),
        headers: request.headers.clone(),
        protocols: request.protocols(),
    };
    seen.lock().unwrap().push(s.clone());
    let config = WebSocketConfig {
        limits: devian_websocket::Limits {
            max_frame_size: 32 << 20,
            max_message_size: 64 << 20,
        },
        // Accepted only when a client offers it; tests without it are unaffected.
        permessage_deflate: Some(devian_websocket::protocol::deflate::DeflateConfig::default()),
        ..WebSocketConfig::default()
    };
    let ws = WebSocketUpgrade::accept_with_config(
        request,
        leftover,
        stream,
        |offered| {
            if choose {
                offered.first().cloned()
            } else {
                None
            }
        },
        config,
    );
    if let Ok(ws) = ws {
        handler(ws, s);
    }
}

/// Echoes every data message until the connection ends.
pub fn echo(mut ws: Ws, _: Seen) {
    loop {
        match ws.read() {
            Ok(m @ (Message::Text(_) | Message::Binary(_))) => {
                if ws.send(m).is_err() {
                    return;
                }
            }
            Ok(_) => {}
            Err(e) if is_timeout(&e) => {}
            Err(_) => return,
        }
    }
}

/// This process's resident memory, KiB (Linux: `VmRSS` of /proc/self/status).
pub fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// A peer that never reads: holds the connection, reading nothing, until
/// `release` is set (or [`WAIT`] passes), so the test can end it promptly.
pub fn never_reads(release: Arc<AtomicBool>) -> impl Fn(Ws, Seen) + Send + Sync {
    move |ws, _| {
        let end = Instant::now() + WAIT;
        while !release.load(Ordering::SeqCst) && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(10));
        }
        drop(ws);
    }
}

fn is_timeout(e: &devian_websocket::Error) -> bool {
    matches!(e, devian_websocket::Error::Io(io) if devian_websocket::is_timeout(io))
}

/// A config for `url` with fast reconnects and keep-alive off (tests opt in).
pub fn config(url: &str) -> Config {
    let mut c = Config::new(url);
    c.keepalive.ping_interval = None;
    c.reconnect.initial_delay = Duration::from_millis(20);
    c.reconnect.max_delay = Duration::from_millis(200);
    c.reconnect.jitter = false;
    c.reconnect.max_attempts = 0;
    c.connect_timeout = Duration::from_secs(5);
    c.close_timeout = Duration::from_secs(2);
    c
}

/// Polls until `want` accepts an event (returned) or [`WAIT`] passes (panics,
/// listing what was seen). Events before it are handed to `other`.
pub fn wait_event(
    client: &Client,
    mut want: impl FnMut(&Event) -> bool,
    mut other: impl FnMut(Event),
) -> Event {
    let deadline = Instant::now() + WAIT;
    let mut log = Vec::new();
    while Instant::now() < deadline {
        match client.poll() {
            Some(ev) if want(&ev) => return ev,
            Some(ev @ Event::Closed { .. }) => {
                panic!("closed instead; saw {log:?} then {ev:?}")
            }
            Some(ev) => {
                log.push(format!("{ev:?}"));
                other(ev);
            }
            None => std::thread::sleep(Duration::from_millis(1)),
        }
    }
    panic!(
        "event not seen within {WAIT:?}; state {:?}; saw {log:?}",
        client.state()
    );
}

/// What a `Closed` event says.
#[derive(Debug, PartialEq, Eq)]
pub struct Closed {
    pub code: CloseCode,
    pub reason: String,
    pub was_clean: bool,
    pub unsent: u64,
}

/// Waits for the final `Closed` event (events before it go to `other`).
pub fn wait_closed(client: &Client, other: impl FnMut(Event)) -> Closed {
    match wait_event(client, |e| matches!(e, Event::Closed { .. }), other) {
        Event::Closed {
            code,
            reason,
            was_clean,
            unsent,
        } => Closed {
            code: CloseCode(code),
            reason,
            was_clean,
            unsent,
        },
        _ => unreachable!("wait_event returns what the predicate accepted"),
    }
}

/// Waits for the Open event (and for the state to be Open).
pub fn wait_open(client: &Client) {
    wait_event(client, |e| matches!(e, Event::Open { .. }), |_| {});
    wait_until(|| client.state() == State::Open);
}

/// Waits until `cond` holds, at most [`WAIT`].
pub fn wait_until(mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "condition not met within {WAIT:?}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Message payloads received, in order, until `n` arrived.
pub fn receive_n(client: &Client, n: usize) -> Vec<Vec<u8>> {
    let mut got = Vec::with_capacity(n);
    let deadline = Instant::now() + WAIT;
    while got.len() < n {
        assert!(
            Instant::now() < deadline,
            "only {} of {n} messages within {WAIT:?}",
            got.len()
        );
        match client.poll() {
            Some(Event::Message { data, .. }) => got.push(data.to_vec()),
            Some(Event::Closed { code, reason, .. }) => panic!("closed early: {code:?} {reason}"),
            Some(_) => {}
            None => std::thread::sleep(Duration::from_millis(1)),
        }
    }
    got
}
