//! The threaded client engine.
//!
//! Data flows one way: socket → receive thread → pooled buffer → dispatch
//! queue → [`Client::poll`] (the game's main thread). The reverse path:
//! [`Client::send`] → send queue → send thread → socket.
//!
//! Each connection has exactly two threads. The send thread also runs the
//! lifecycle (connect, authenticate, reconnect with backoff) and starts a
//! receive thread for every TCP connection it opens. Neither ever polls:
//! the send thread sleeps on a condvar until there is work or a keep-alive
//! deadline, the receive thread sleeps in `read`.
#![warn(missing_docs)]

mod client;
mod config;
mod dispatch;
mod driver;
mod event;
mod inner;
mod outbox;
mod pool;
mod receiver;
mod registry;
mod sender;
mod session;
mod state;
mod transport;

pub use client::Client;
pub use config::{Config, KeepAlive, MAX_RECV_QUEUE_MESSAGES};
pub use event::{ErrorKind, Event};
pub use pool::PooledBuf;
pub use registry::shutdown_all;
pub use state::State;

pub use devian_websocket::tls::TlsOptions;
pub use devian_ws_policy::{Auth, QueueLimits, ReconnectPolicy, Stats};
pub use devian_ws_protocol::{CloseCode, Error, MessageKind, Result};
