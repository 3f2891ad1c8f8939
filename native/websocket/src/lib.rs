//! Blocking WebSocket API over any `Read + Write` stream.
// CONTRACT STUB: only `tls` is fixed so far.
#![warn(missing_docs)]

pub mod tls;
pub use devian_ws_protocol as protocol;
