//! Connection states (seed 002 / seed 000).

/// Connection states (seed 002 / seed 000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum State {
    /// Not connected (initial, or after the final close).
    Closed = 0,
    /// TCP, TLS and upgrade handshake under way.
    Connecting = 1,
    /// Open, waiting for authentication to complete.
    Authenticating = 2,
    /// Open and usable.
    Open = 3,
    /// Close handshake under way.
    Closing = 4,
    /// Waiting to reconnect.
    Reconnecting = 5,
}
