//! A minimal RFC 6455 echo server on 127.0.0.1 built from the sans-I/O
//! protocol crate: it accepts up to `max_connections`, echoes every data
//! message, answers pings (auto-pong) and echoes the close (§5.5.1).

use devian_ws_protocol::handshake::server::UpgradeRequest;
use devian_ws_protocol::handshake::HandshakeLimits;
use devian_ws_protocol::protocol::Reply;
use devian_ws_protocol::{Decoded, Decoder, Encoder, Limits, Role};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{channel, Receiver};
use std::thread::JoinHandle;
use std::time::Duration;

/// The running server; joined on drop.
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
                let Ok((stream, _)) = listener.accept() else {
                    break;
                };
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

fn serve(mut stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut head = Vec::new();
    // Opening handshake (RFC 6455 §4.2).
    let (request, used) = loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
        match UpgradeRequest::parse(&head, &HandshakeLimits::default()) {
            Ok(Some(r)) => break r,
            Ok(None) if head.len() < 16 * 1024 => continue,
            _ => return Ok(()),
        }
    };
    let protocol = request.protocols().into_iter().next();
    let response = request
        .accept(protocol.as_deref(), &[])
        .map_err(std::io::Error::other)?;
    stream.write_all(&response)?;

    let mut decoder = Decoder::new(Role::Server, Limits::default());
    let mut encoder = Encoder::new(Role::Server);
    let mut pending = head.split_off(used);
    let mut message = Vec::new();
    let mut out = Vec::new();
    loop {
        let mut input = &pending[..];
        while !input.is_empty() {
            let (n, event) = decoder
                .decode(input, &mut message)
                .map_err(std::io::Error::other)?;
            input = &input[n..];
            if let Some(Decoded::Message(kind)) = event {
                encoder.encode_message(kind, &message, &mut out);
                message.clear();
            }
            match decoder.take_reply() {
                Some(Reply::Pong(p)) => {
                    let _ = encoder.encode_control(
                        devian_ws_protocol::Opcode::Pong,
                        p.as_slice(),
                        &mut out,
                    );
                }
                Some(Reply::Close(code, reason)) => {
                    let reason = std::str::from_utf8(reason.as_slice()).unwrap_or("");
                    let _ = encoder.encode_close(code, reason, &mut out);
                }
                None => {}
            }
            if !out.is_empty() {
                stream.write_all(&out)?;
                out.clear();
            }
        }
        if decoder.close_received() {
            return Ok(());
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        pending.clear();
        pending.extend_from_slice(&buf[..n]);
    }
}
