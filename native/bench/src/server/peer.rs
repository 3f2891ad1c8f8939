//! The application on tungstenite's server, the peer we compare against.

use super::{run_app, AppConn, Incoming, Mode};
use std::net::TcpStream;
use tungstenite::handshake::server::{Request, Response};
use tungstenite::{Bytes, Error, Message, WebSocket};

/// Serves one accepted TCP connection until the client leaves.
pub fn serve_conn(tcp: TcpStream) -> Result<(), String> {
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut mode = Mode::Echo;
    let ws = tungstenite::accept_hdr(tcp, |req: &Request, resp: Response| {
        mode = Mode::from_path(req.uri().path());
        Ok(resp)
    })
    .map_err(|e| format!("handshake: {e}"))?;
    run_app(mode, &mut Conn(ws))
}

struct Conn(WebSocket<TcpStream>);

impl AppConn for Conn {
    type Data = Bytes;

    fn recv(&mut self) -> Result<Incoming<Bytes>, String> {
        loop {
            return match self.0.read() {
                Ok(Message::Binary(b)) => Ok(Incoming::Data(b)),
                Ok(Message::Text(t)) => Ok(Incoming::Text(t.as_str().to_owned())),
                // tungstenite queues the Pong / Close reply; it goes out with the next write or read.
                Ok(Message::Ping(_) | Message::Pong(_) | Message::Close(_) | Message::Frame(_)) => {
                    continue
                }
                Err(Error::ConnectionClosed | Error::AlreadyClosed) => Ok(Incoming::Closed),
                Err(e) => Err(e.to_string()),
            };
        }
    }

    fn send_data(&mut self, data: &Bytes) -> Result<(), String> {
        // Cloning `Bytes` bumps a reference count; no copy.
        self.0
            .send(Message::Binary(data.clone()))
            .map_err(|e| e.to_string())
    }

    fn make_data(&self, payload: Vec<u8>) -> Bytes {
        Bytes::from(payload)
    }

    fn send_text(&mut self, text: &str) -> Result<(), String> {
        self.0
            .send(Message::Text(text.into()))
            .map_err(|e| e.to_string())
    }
}
