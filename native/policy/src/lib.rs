//! I/O-free connection policy shared by the native engine and the WebGL build.
//!
//! Nothing here reads a clock, a socket or a random source: time and
//! randomness are passed in, so the same code runs on native threads, in the
//! browser (wasm32-unknown-unknown) and in deterministic tests.
#![forbid(unsafe_code)]

pub mod abi;
pub mod auth;
pub mod buffer;
mod escape;
pub mod event;
pub mod lifecycle;
pub mod reconnect;
pub mod stats;

pub use auth::Auth;
pub use buffer::{BoundedQueue, QueueLimits};
pub use event::{ErrorKind, Event};
pub use lifecycle::{AfterEnd, Lifecycle, SendRoute, State, UserClose};
pub use reconnect::ReconnectPolicy;
pub use stats::Stats;
