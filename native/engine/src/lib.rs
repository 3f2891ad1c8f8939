//! The threaded client engine.
//!
//! Data flows one way: socket → receive thread → pooled buffer → dispatch
//! queue → [`Client::poll`] (the game's main thread). The reverse path:
//! [`Client::send`] → send queue → send thread → socket. One shortcut: a
//! message sent while nothing is queued and the send thread is idle is
//! written by `send` itself, without blocking (`MSG_DONTWAIT`; plain TCP on
//! Linux and Android); what the socket does not take at once, and every
//! message of a burst after the first, goes the queued way (see `direct.rs`).
//!
//! Each connection has exactly two threads. The send thread also runs the
//! lifecycle (connect, authenticate, reconnect with backoff) and starts a
//! receive thread for every TCP connection it opens. Neither ever polls:
//! the send thread sleeps on a condvar until there is work or a keep-alive
//! deadline, the receive thread sleeps in `read`. Right after a write the
//! send thread looks for more for up to 50 µs before it sleeps, and so
//! does [`Client::wait`], so a round trip does not pay a thread wake; each
//! looks only as long as its recent waits show looking pays (`spin.rs`).
//!
//! A game polls once per frame. A program with a thread to spare blocks
//! instead: [`Client::wait`] until an event arrives, [`Client::wait_for_room`]
//! while the send queue is full.
//!
//! With TLS both threads share one rustls session: the receive thread
//! blocks on its own socket clone without any lock, then locks briefly to
//! decrypt; the send thread locks briefly to encrypt and writes unlocked.
//!
//! ```no_run
//! use devian_ws_engine::{Client, Config, Event, MessageKind};
//!
//! let client = Client::connect(Config::new("ws://127.0.0.1:9001/chat"))?;
//! loop {
//!     // Once per frame on the game's main thread.
//!     while let Some(event) = client.poll() {
//!         match event {
//!             Event::Open { .. } => client.send(MessageKind::Text, b"hello")?,
//!             Event::Message { data, .. } => println!("{} bytes", data.len()),
//!             Event::Closed { .. } => return Ok(()),
//!             _ => {}
//!         }
//!     }
//!     # break;
//! }
//! # Ok::<(), devian_ws_engine::Error>(())
//! ```
// One module reads into uninitialized memory (`spare_read`); nothing else may.
#![deny(unsafe_code)]

mod client;
mod config;
mod delivery;
mod direct;
mod dispatch;
mod driver;
mod event;
mod grow_queue;
mod inner;
mod outbox;
mod pool;
mod receiver;
mod registry;
mod sender;
mod session;
mod spare_read;
mod spin;
mod tls_chain;
mod transport;

pub use client::TEARDOWN_WAIT;
pub use client::{Client, Reserved};
pub use config::{Config, KeepAlive, MAX_RECV_QUEUE_MESSAGES};
pub use delivery::Delivery;
/// Connection states: the lifecycle shared with the WebGL build ([`devian_ws_policy::Lifecycle`]).
pub use devian_ws_policy::State;
pub use event::{error_kind, ErrorKind, Event};
pub use pool::PooledBuf;
pub use registry::shutdown_all;

pub use devian_websocket::tls::TlsOptions;
pub use devian_websocket::MAX_CLOSE_REASON;
pub use devian_websocket::{Proxy, ProxySetting};
pub use devian_ws_policy::{Auth, QueueLimits, ReconnectPolicy, Stats};
pub use devian_ws_protocol::deflate::DeflateConfig;
pub use devian_ws_protocol::{CloseCode, Error, MessageKind, Result};
