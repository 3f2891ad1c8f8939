//! An echo server on 127.0.0.1 built on devian-websocket's accept path:
//! it accepts up to `max_connections`, echoes every data message, answers
//! pings and echoes the close (§5.5.1).

use devian_websocket::{HandshakeLimits, Message, WebSocketConfig, WebSocketUpgrade};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{channel, Receiver};
use std::thread::JoinHandle;
use std::time::Duration;

/// The running server; joined on drop.
/// The first message a client that negotiated permessage-deflate receives.
pub const DEFLATE_GREETING: &str = "permessage-deflate";

pub struct EchoServer {
    /// Port on 127.0.0.1.
    pub port: u16,
    /// One message per connection that ended (peer closed or stream ended).
    pub finished: Receiver<()>,
    thread: Option<JoinHandle<()>>,
}

/// Every blocking read or write gives up after this; bounds each test.
const IO_TIMEOUT: Duration = Duration::from_secs(10);

impl EchoServer {
    /// Starts serving up to `max_connections` connections, each on its own thread.
    pub fn start(max_connections: usize) -> EchoServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("addr").port();
        let (done, finished) = channel();
        let thread = std::thread::spawn(move || {
            let mut workers = Vec::new();
            for _ in 0..max_connections {
                // Retried when a signal interrupts it (libFuzzer's timers do).
                let accepted = loop {
                    match listener.accept() {
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        other => break other,
                    }
                };
                let Ok((stream, _)) = accepted else {
                    break;
                };
                // Let go of the workers that ended: a JoinHandle kept keeps its thread's
                // stack mapped, and the fuzz target's server lives for the whole campaign
                // (it ran out of mappings, vm.max_map_count, after ~30 minutes).
                workers.retain(|w: &JoinHandle<()>| !w.is_finished());
                let done = done.clone();
                workers.push(std::thread::spawn(move || {
                    // A failing connection ends only itself; the test sees the effect.
                    let _ = serve(stream);
                    let _ = done.send(());
                }));
            }
            for w in workers {
                let _ = w.join();
            }
        });
        EchoServer {
            port,
            finished,
            thread: Some(thread),
        }
    }

    /// `ws://127.0.0.1:port/path`.
    pub fn url(&self, path: &str) -> String {
        format!("ws://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for EchoServer {
    fn drop(&mut self) {
        // Unblock a pending accept so the thread can finish (workers end
        // by EOF or their I/O timeout).
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    // Opening handshake (RFC 6455 §4.2), choosing the first offered sub-protocol.
    // permessage-deflate (RFC 7692) is accepted when a client offers it,
    // which clients only do when asked to; such a client is greeted with
    // one text message saying so, so tests can see the negotiation.
    let config = WebSocketConfig {
        permessage_deflate: Some(devian_websocket::DeflateConfig::default()),
        ..WebSocketConfig::default()
    };
    let mut ws =
        WebSocketUpgrade::handshake(stream, &HandshakeLimits::default(), config, |offered| {
            offered.first().cloned()
        })
        .map_err(std::io::Error::other)?;
    if ws.permessage_deflate().is_some() {
        ws.send(Message::text(DEFLATE_GREETING))
            .map_err(std::io::Error::other)?;
    }
    // read() answers pings and echoes the close (§5.5.1); after the close
    // handshake it ends TCP (the server closes first, §7.1.1) and errs.
    loop {
        match ws.read() {
            Ok(m @ (Message::Text(_) | Message::Binary(_))) => {
                ws.send(m).map_err(std::io::Error::other)?
            }
            Ok(_) => {}
            Err(_) => return Ok(()),
        }
    }
}
