//! Devian.Network WebSocket for Unity WebGL: the browser's `WebSocket`, driven by the same
//! connection policy as the native engine ([`devian_ws_policy`]: reconnect with backoff and
//! jitter, buffering while reconnecting, authentication, statistics).
//!
//! Layers, bottom up:
//! - [`session`]: the I/O-free state machine (testable with plain `cargo test`);
//! - [`browser`]: the `WebSocket` object, its handlers and the reconnect timer;
//! - [`api`]: the `ws_*` functions exported through wasm-bindgen for the Unity bridge
//!   `unity-package/Runtime/Plugins/WebGL/devian-ws.jslib`, which implements the native
//!   library's `dws_*` C functions over them, so C# calls the same functions on every platform.
//!
//! What a browser cannot do is refused with [`ErrorKind::NotSupported`]: custom request
//! headers, custom TLS roots, protocol-level ping (the browser answers pings itself but
//! never sends them).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod api;
pub mod browser;
pub mod close;
pub mod error;
pub mod event;
pub mod options;
mod registry;
pub mod session;

pub use error::{Error, ErrorKind, Result};
pub use event::{Event, MessageKind, Received};
pub use options::Options;
pub use session::{Session, State};
