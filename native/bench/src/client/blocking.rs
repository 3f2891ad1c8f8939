//! Our blocking client (`devian_websocket::connect`).

use super::{BenchClient, Payload, Received};
use devian_websocket::{CloseCode, MaybeTlsStream, Message, MessageKind, WebSocket};

/// A `devian_websocket` client connection.
pub struct BlockingClient(WebSocket<MaybeTlsStream>);

impl BlockingClient {
    /// Connects and completes the opening handshake.
    pub fn connect(url: &str) -> Result<BlockingClient, String> {
        devian_websocket::connect(url)
            .connect()
            .map(BlockingClient)
            .map_err(|e| format!("connect {url}: {e}"))
    }
}

impl BenchClient for BlockingClient {
    fn send(&mut self, payload: &Payload) -> Result<(), String> {
        self.0
            .send_data(MessageKind::Binary, payload.as_slice())
            .map_err(|e| e.to_string())
    }

    fn send_text(&mut self, text: &str) -> Result<(), String> {
        self.0
            .send_data(MessageKind::Text, text.as_bytes())
            .map_err(|e| e.to_string())
    }

    fn recv(&mut self) -> Result<Received, String> {
        loop {
            match self.0.read().map_err(|e| e.to_string())? {
                Message::Binary(b) => return Ok(Received::Binary(b.len())),
                Message::Text(t) => return Ok(Received::Text(t)),
                Message::Close(code, reason) => {
                    return Err(format!("server closed: {} {reason}", code.0))
                }
                Message::Ping(_) | Message::Pong(_) => {}
            }
        }
    }

    fn close(mut self: Box<Self>) -> Result<(), String> {
        self.0
            .close(CloseCode::NORMAL, "")
            .map_err(|e| e.to_string())
    }
}
