//! Connection statistics.
// CONTRACT STUB.

/// A snapshot of a connection's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(C)]
pub struct Stats {
    /// Data messages sent.
    pub messages_sent: u64,
    /// Data messages received.
    pub messages_received: u64,
    /// Payload bytes sent.
    pub bytes_sent: u64,
    /// Payload bytes received.
    pub bytes_received: u64,
    /// Successful reconnects.
    pub reconnects: u64,
    /// Round-trip time of the last answered ping, microseconds (0: none yet).
    pub last_rtt_us: u64,
    /// Messages waiting in the send queue.
    pub send_queue_depth: u64,
    /// Events waiting in the dispatch (receive) queue.
    pub recv_queue_depth: u64,
}
