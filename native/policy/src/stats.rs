//! Connection statistics.

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
    /// Data messages accepted by `send` that were never sent: still queued
    /// when the connection ended for good (e.g. the close timeout ran out
    /// while flushing before the Close frame).
    pub messages_unsent: u64,
    /// Messages waiting in the send queue.
    pub send_queue_depth: u64,
    /// Events waiting in the dispatch (receive) queue.
    pub recv_queue_depth: u64,
}

impl Stats {
    /// Counts one sent data message of `bytes` payload bytes.
    pub fn record_sent(&mut self, bytes: usize) {
        self.messages_sent = self.messages_sent.saturating_add(1);
        self.bytes_sent = self.bytes_sent.saturating_add(bytes as u64);
    }

    /// Counts one received data message of `bytes` payload bytes.
    pub fn record_received(&mut self, bytes: usize) {
        self.messages_received = self.messages_received.saturating_add(1);
        self.bytes_received = self.bytes_received.saturating_add(bytes as u64);
    }

    /// Counts one successful reconnect.
    pub fn record_reconnect(&mut self) {
        self.reconnects = self.reconnects.saturating_add(1);
    }

    /// Records the RTT of an answered ping, given when it was sent and when
    /// the pong arrived (microseconds on any monotonic clock).
    /// A pong "before" its ping (clock misuse) records nothing.
    pub fn record_rtt(&mut self, ping_sent_us: u64, pong_received_us: u64) {
        if let Some(rtt) = pong_received_us.checked_sub(ping_sent_us) {
            // 0 means "none yet", so a sub-microsecond RTT is reported as 1.
            self.last_rtt_us = rtt.max(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_accumulate() {
        let mut s = Stats::default();
        s.record_sent(10);
        s.record_sent(5);
        s.record_received(7);
        s.record_reconnect();
        assert_eq!((s.messages_sent, s.bytes_sent), (2, 15));
        assert_eq!((s.messages_received, s.bytes_received), (1, 7));
        assert_eq!(s.reconnects, 1);
    }

    #[test]
    fn rtt_ignores_clock_going_backwards() {
        let mut s = Stats::default();
        s.record_rtt(1000, 1250);
        assert_eq!(s.last_rtt_us, 250);
        s.record_rtt(2000, 1000);
        assert_eq!(s.last_rtt_us, 250);
        s.record_rtt(5, 5);
        assert_eq!(s.last_rtt_us, 1);
    }

    #[test]
    fn counters_saturate() {
        let mut s = Stats {
            bytes_sent: u64::MAX - 1,
            ..Stats::default()
        };
        s.record_sent(10);
        assert_eq!(s.bytes_sent, u64::MAX);
    }
}
