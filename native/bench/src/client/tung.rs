//! tungstenite's blocking client, the peer we compare against.

use super::{BenchClient, Payload, Received};
use std::net::TcpStream;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// A tungstenite client connection.
pub struct TungClient(WebSocket<MaybeTlsStream<TcpStream>>);

impl TungClient {
    /// Connects and completes the opening handshake, with TCP_NODELAY like ours.
    pub fn connect(url: &str) -> Result<TungClient, String> {
        let (ws, _response) =
            tungstenite::connect(url).map_err(|e| format!("connect {url}: {e}"))?;
        if let MaybeTlsStream::Plain(tcp) = ws.get_ref() {
            tcp.set_nodelay(true).map_err(|e| e.to_string())?;
        }
        Ok(TungClient(ws))
    }
}

impl BenchClient for TungClient {
    fn send(&mut self, payload: &Payload) -> Result<(), String> {
        // Its best case: the payload is already `Bytes`, so this is no copy.
        self.0
            .send(Message::Binary(payload.to_bytes()))
            .map_err(|e| e.to_string())
    }

    fn send_text(&mut self, text: &str) -> Result<(), String> {
        self.0
            .send(Message::Text(text.into()))
            .map_err(|e| e.to_string())
    }

    fn recv(&mut self) -> Result<Received, String> {
        loop {
            match self.0.read().map_err(|e| e.to_string())? {
                Message::Binary(b) => return Ok(Received::Binary(b.len())),
                Message::Text(t) => return Ok(Received::Text(t.as_str().to_owned())),
                Message::Close(frame) => return Err(format!("server closed: {frame:?}")),
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
            }
        }
    }

    fn close(mut self: Box<Self>) -> Result<(), String> {
        if let MaybeTlsStream::Plain(tcp) = self.0.get_ref() {
            // Bounds each read below; a silent server then fails the close.
            tcp.set_read_timeout(Some(super::WAIT_LIMIT))
                .map_err(|e| e.to_string())?;
        }
        self.0.close(None).map_err(|e| e.to_string())?;
        // Read until the server's Close completes the handshake (bounded by the server's echo).
        for _ in 0..1024 {
            match self.0.read() {
                Ok(_) => {}
                Err(tungstenite::Error::ConnectionClosed) => return Ok(()),
                Err(e) => return Err(e.to_string()),
            }
        }
        Err("close handshake did not finish".into())
    }
}
