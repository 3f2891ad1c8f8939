//! `DwsStats`: the C mirror of the engine's counters.

use devian_ws_engine::Stats;
use interoptopus::ffi_type;

/// A snapshot of a connection's counters (copied out; no pointers).
#[ffi_type]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DwsStats {
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
    /// Events waiting in the receive (dispatch) queue.
    pub recv_queue_depth: u64,
    /// Messages accepted by a send that were never sent (the connection ended first).
    pub messages_unsent: u64,
}

impl From<Stats> for DwsStats {
    fn from(s: Stats) -> Self {
        DwsStats {
            messages_sent: s.messages_sent,
            messages_received: s.messages_received,
            bytes_sent: s.bytes_sent,
            bytes_received: s.bytes_received,
            reconnects: s.reconnects,
            last_rtt_us: s.last_rtt_us,
            send_queue_depth: s.send_queue_depth,
            recv_queue_depth: s.recv_queue_depth,
            messages_unsent: s.messages_unsent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_counter_is_copied_to_its_own_field() {
        let s = Stats {
            messages_sent: 1,
            messages_received: 2,
            bytes_sent: 3,
            bytes_received: 4,
            reconnects: 5,
            last_rtt_us: 6,
            send_queue_depth: 7,
            recv_queue_depth: 8,
            messages_unsent: 9,
        };
        let d = DwsStats::from(s);
        let fields = [
            d.messages_sent,
            d.messages_received,
            d.bytes_sent,
            d.bytes_received,
            d.reconnects,
            d.last_rtt_us,
            d.send_queue_depth,
            d.recv_queue_depth,
            d.messages_unsent,
        ];
        assert_eq!(fields, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(std::mem::size_of::<DwsStats>(), 72);
    }
}
