//! The application on tungstenite's server, the peer we compare against.

use super::{run_app, AppConn, Incoming, Mode};
use std::net::TcpStream;
use tungstenite::error::ProtocolError;
use tungstenite::handshake::server::{Callback, ErrorResponse, Request, Response};
use tungstenite::{Bytes, Error, Message, WebSocket};

/// Serves one accepted TCP connection until the client leaves.
pub fn serve_conn(tcp: TcpStream) -> Result<(), String> {
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut mode = Mode::Echo;
    let ws = tungstenite::accept_hdr(tcp, PathCallback(&mut mode))
        .map_err(|e| format!("handshake: {e}"))?;
    run_app(mode, &mut Conn(ws))
}

/// Records the request path's mode during the handshake.
struct PathCallback<'a>(&'a mut Mode);

impl Callback for PathCallback<'_> {
    // The signature, with its large error type, is tungstenite's.
    #[allow(clippy::result_large_err)]
    fn on_request(self, request: &Request, response: Response) -> Result<Response, ErrorResponse> {
        *self.0 = Mode::from_path(request.uri().path());
        Ok(response)
    }
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
                // A client that drops TCP without a close handshake (RFC 6455 §7.1.5) has left.
                Err(
                    Error::Io(_) | Error::Protocol(ProtocolError::ResetWithoutClosingHandshake),
                ) => Ok(Incoming::Closed),
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
