//! The application on this project's blocking server (`devian-websocket`).

use super::{run_app, AppConn, Incoming, Mode};
use devian_websocket::{
    Error, HandshakeLimits, MaybeTlsStream, Message, MessageKind, WebSocket, WebSocketConfig,
    WebSocketUpgrade,
};
use std::net::TcpStream;

/// Serves one accepted TCP connection until the client leaves.
pub fn serve_conn(tcp: TcpStream) -> Result<(), String> {
    // Frames go out whole; Nagle would only add latency to small echoes.
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut stream = MaybeTlsStream::Plain(tcp);
    let limits = HandshakeLimits::default();
    let (request, leftover) =
        WebSocketUpgrade::read_request(&mut stream, &limits).map_err(|e| e.to_string())?;
    let mode = Mode::from_path(&request.resource);
    let ws = WebSocketUpgrade::accept_with_config(
        request,
        leftover,
        stream,
        |_| None,
        WebSocketConfig::default(),
    )
    .map_err(|e| format!("handshake: {e}"))?;
    run_app(mode, &mut Conn(ws))
}

struct Conn(WebSocket<MaybeTlsStream>);

impl AppConn for Conn {
    type Data = Vec<u8>;

    fn recv(&mut self) -> Result<Incoming<Vec<u8>>, String> {
        loop {
            return match self.0.read() {
                Ok(Message::Binary(b)) => Ok(Incoming::Data(b)),
                Ok(Message::Text(t)) => Ok(Incoming::Text(t)),
                // Pings were answered by read(); the Close was echoed by it.
                Ok(Message::Ping(_) | Message::Pong(_) | Message::Close(..)) => continue,
                Err(Error::ConnectionClosed | Error::AlreadyClosed) => Ok(Incoming::Closed),
                // A client that drops TCP without a close handshake (RFC 6455 §7.1.5, 1006)
                // has just left: the bench checks its own counts, so this is no server failure.
                Err(Error::Io(_)) => Ok(Incoming::Closed),
                Err(e) => Err(e.to_string()),
            };
        }
    }

    fn send_data(&mut self, data: &Vec<u8>) -> Result<(), String> {
        self.0
            .send_data(MessageKind::Binary, data)
            .map_err(|e| e.to_string())
    }

    fn make_data(&self, payload: Vec<u8>) -> Vec<u8> {
        payload
    }

    fn send_text(&mut self, text: &str) -> Result<(), String> {
        self.0
            .send_data(MessageKind::Text, text.as_bytes())
            .map_err(|e| e.to_string())
    }
}
