//! The server accept path: read the upgrade request, then accept or reject
//! it (RFC 6455 §4.2).

use crate::config::WebSocketConfig;
use crate::head::{read_head, SetTimeout};
use crate::stream::SocketControl;
use crate::websocket::WebSocket;
use devian_ws_protocol::deflate::negotiation;
use devian_ws_protocol::error::HandshakeError;
use devian_ws_protocol::handshake::server::{self, UpgradeRequest};
use devian_ws_protocol::handshake::HandshakeLimits;
use devian_ws_protocol::{Error, Result, Role};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// Server side of the opening handshake, after seed 001's `WebSocketUpgrade`.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebSocketUpgrade;

impl WebSocketUpgrade {
    /// Reads one HTTP request head from `stream`. Returns the request and
    /// any bytes the client sent after it.
    ///
    /// Safe against slow and huge requests: the head is limited to
    /// `limits.max_head_bytes` and `limits.max_headers`, and the whole read
    /// to `limits.timeout` (each read gets the time left as its timeout, so
    /// trickling bytes does not extend it). The stream's read timeout is
    /// restored afterwards.
    pub fn read_request<S>(
        stream: &mut S,
        limits: &HandshakeLimits,
    ) -> Result<(UpgradeRequest, Vec<u8>)>
    where
        S: Read + SocketControl,
    {
        let saved = stream.read_timeout()?;
        let deadline = Instant::now() + limits.timeout;
        let set: SetTimeout<'_, S> = &|s, t| s.set_read_timeout(t);
        let result = read_head(stream, limits, deadline, Some(set), |buf| {
            UpgradeRequest::parse(buf, limits)
        });
        stream.set_read_timeout(saved)?;
        result
    }

    /// Whether `request` is a valid WebSocket upgrade (GET, Upgrade:
    /// websocket, Connection: upgrade, version 13, a proper key).
    pub fn is_upgrade_request(request: &UpgradeRequest) -> bool {
        request.is_upgrade_request()
    }

    /// Accepts the upgrade: `choose` gets the offered sub-protocols (in the
    /// client's order) and returns the one to use, if any; it must be one of
    /// them. Writes the 101 response and returns the server-side WebSocket.
    /// A request that is not a valid upgrade is answered with 400, or 426
    /// when only the WebSocket version differs (§4.4).
    pub fn accept<S, F>(request: UpgradeRequest, stream: S, choose: F) -> Result<WebSocket<S>>
    where
        S: Read + Write + SocketControl,
        F: FnOnce(&[String]) -> Option<String>,
    {
        Self::accept_with_config(
            request,
            Vec::new(),
            stream,
            choose,
            WebSocketConfig::default(),
        )
    }

    /// [`WebSocketUpgrade::accept`] with connection settings, and the bytes
    /// that followed the request head (from [`WebSocketUpgrade::read_request`]).
    pub fn accept_with_config<S, F>(
        request: UpgradeRequest,
        leftover: Vec<u8>,
        mut stream: S,
        choose: F,
        config: WebSocketConfig,
    ) -> Result<WebSocket<S>>
    where
        S: Read + Write + SocketControl,
        F: FnOnce(&[String]) -> Option<String>,
    {
        if let Err(why) = request.check() {
            // §4.2.2 / §4.4: 426 with our version for a version mismatch,
            // 400 for anything else.
            stream
                .write_all(&server::rejection_for(&why))
                .and_then(|()| stream.flush())
                .map_err(crate::tls::map_io_error)?;
            return Err(Error::Handshake(why));
        }
        let offered = request.protocols();
        let chosen = choose(&offered);
        if let Some(p) = &chosen {
            if !offered.iter().any(|o| o == p) {
                return Err(Error::Usage(
                    "the chosen sub-protocol was not offered by the client",
                ));
            }
        }
        // RFC 7692 §5: accept the first deflate offer we can honour, if
        // deflate is on; otherwise the answer leaves extensions out.
        let deflate = config
            .permessage_deflate
            .and_then(|d| negotiation::server_accept(&d, &request.extensions()));
        let extra: Vec<(String, String)> = deflate
            .iter()
            .map(|(_, answer)| ("Sec-WebSocket-Extensions".to_string(), answer.clone()))
            .collect();
        let response = request.accept(chosen.as_deref(), &extra)?;
        stream
            .write_all(&response)
            .map_err(crate::tls::map_io_error)?;
        stream.flush().map_err(crate::tls::map_io_error)?;
        let ws = WebSocket::from_raw_socket(stream, Role::Server, config, chosen, leftover)
            .with_socket_control();
        Ok(match deflate {
            Some((params, _)) => ws.with_permessage_deflate(params),
            None => ws,
        })
    }

    /// Reads the request and accepts it in one go. Anything that is not a
    /// valid upgrade gets an HTTP error (400; 426 for another WebSocket
    /// version; 431 for a head over the limits) and is returned as an error.
    pub fn handshake<S, F>(
        mut stream: S,
        limits: &HandshakeLimits,
        config: WebSocketConfig,
        choose: F,
    ) -> Result<WebSocket<S>>
    where
        S: Read + Write + SocketControl,
        F: FnOnce(&[String]) -> Option<String>,
    {
        let (request, leftover) = match Self::read_request(&mut stream, limits) {
            Ok(read) => read,
            Err(e) => {
                // Best effort (the client may be gone): 431 for a head over
                // the limits, 400 for one that is not HTTP. A slow client
                // gets nothing: it would not read it either.
                if let Error::Handshake(
                    why @ (HandshakeError::TooLarge | HandshakeError::Malformed(_)),
                ) = &e
                {
                    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
                    let _ = stream
                        .write_all(&server::rejection_for(why))
                        .and_then(|()| stream.flush());
                }
                return Err(e);
            }
        };
        Self::accept_with_config(request, leftover, stream, choose, config)
    }

    /// Answers the upgrade with an HTTP error `status` and `body`.
    pub fn reject<S: Write>(stream: &mut S, status: u16, body: &[u8]) -> Result<()> {
        stream
            .write_all(&server::reject(status, body))
            .map_err(crate::tls::map_io_error)?;
        stream.flush().map_err(crate::tls::map_io_error)
    }
}
