//! Blocking WebSocket client and server (RFC 6455) over any `Read + Write`
//! stream, with TLS through rustls.
//!
//! The protocol itself (framing, messages, the handshakes) lives in the
//! sans-I/O crate [`protocol`] (`devian-ws-protocol`); this crate adds the
//! I/O: DNS and TCP, TLS, timeouts, and a tungstenite-style [`WebSocket`].
//!
//! - Client: [`connect`]`(url)` → [`ClientBuilder`] → [`WebSocket`]`<`[`MaybeTlsStream`]`>`,
//!   or [`client_handshake`] on a stream you already have.
//! - Server: [`WebSocketUpgrade::read_request`] then [`WebSocketUpgrade::accept`]
//!   (or [`WebSocketUpgrade::handshake`] for both), TLS via [`tls::server_config`]
//!   and [`MaybeTlsStream::server_tls`].
#![forbid(unsafe_code)]

mod client;
mod config;
mod head;
pub mod proxy;
mod server;
mod stream;
pub mod tls;
mod websocket;

pub use client::{
    client_handshake, client_handshake_with, client_upgrade, connect, tcp_connect, ClientBuilder,
};
pub use config::WebSocketConfig;
pub use devian_ws_protocol as protocol;
pub use devian_ws_protocol::deflate::{DeflateConfig, DeflateParams};
pub use devian_ws_protocol::handshake::client::{ClientRequest, ClientResponse};
pub use devian_ws_protocol::handshake::server::UpgradeRequest;
pub use devian_ws_protocol::handshake::HandshakeLimits;
pub use devian_ws_protocol::{CloseCode, Error, Limits, Message, MessageKind, Result, Role};
pub use proxy::{Proxy, ProxySetting};
pub use server::WebSocketUpgrade;
pub use stream::{is_timeout, DeadlineIo, MaybeTlsStream, SocketControl};
pub use tls::TlsOptions;
pub use websocket::{Messages, WebSocket, MAX_CLOSE_REASON};
