//! At-least-once delivery: the window of written but unconfirmed messages.
//!
//! WebSocket has no acknowledgements, and a write that succeeded only means
//! the operating system took the bytes. But a peer reads frames in order and
//! answers a Ping only once it has read it (RFC 6455 §5.5.2), so the Pong
//! for a Ping written after message N proves that the peer's WebSocket
//! layer read messages 1..=N. Until such a Pong arrives, a written message
//! stays here; if the session ends first, it goes back to the front of the
//! send queue and is sent again after the reconnect. The peer may therefore
//! see the last window's worth of messages twice, never a gap.
//!
//! The window is bounded (the reconnect buffer's limits): when it is full
//! the send thread waits for the Pong, so a peer that stops answering holds
//! at most that much, and the pong timeout then ends the session.

use crate::outbox::OutMsg;
use devian_ws_policy::QueueLimits;
use devian_ws_protocol::MAX_HEADER_LEN;
use std::collections::VecDeque;

/// How messages accepted by `send` survive a lost connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Delivery {
    /// A message counts as sent once written to the socket. If the
    /// connection drops, what the operating system had accepted but the
    /// peer never read is lost without notice. No extra traffic.
    #[default]
    AtMostOnce,
    /// A message counts as sent once the peer answered a Ping written after
    /// it (one Ping per round trip while data flows). Until then it is kept
    /// and, after a reconnect, sent again: the peer may see a message twice
    /// but never misses one. If no reconnect follows, the final `Closed`
    /// counts the unconfirmed messages as unsent. Needs the reconnect
    /// buffer, whose limits bound the window. A peer that answers Pings
    /// before its application has handled earlier messages (some servers
    /// queue messages in user space) can still lose those in a crash; only
    /// an application-level acknowledgement covers that.
    AtLeastOnce,
}

/// Messages written on the current session and not yet confirmed, oldest
/// first. Invariant: entry `i` was the `first_seq() + i`-th message written
/// on the session, and `ping.covers` never exceeds `written`.
pub(crate) struct Window {
    limits: QueueLimits,
    entries: VecDeque<OutMsg>,
    bytes: usize,
    /// Messages written on this session.
    written: u64,
    /// The Ping in flight that confirms the window: its payload and the
    /// count of messages written before it.
    ping: Option<(u64, u64)>,
}

impl Window {
    pub(crate) fn new(limits: QueueLimits) -> Window {
        Window {
            limits,
            entries: VecDeque::new(),
            bytes: 0,
            written: 0,
            ping: None,
        }
    }

    /// Whether a batch of `batch_len` messages / `batch_bytes` may grow by
    /// one of `size` bytes without overflowing the window.
    pub(crate) fn has_room(&self, batch_len: usize, batch_bytes: usize, size: usize) -> bool {
        self.limits.admits(
            self.entries.len() + batch_len,
            self.bytes + batch_bytes,
            size,
        )
    }

    /// Keeps a written message until a Pong confirms it.
    pub(crate) fn retain(&mut self, msg: OutMsg) {
        self.written += 1;
        self.bytes += payload_len(&msg);
        self.entries.push_back(msg);
    }

    /// Whether written messages wait for a Ping that would confirm them.
    pub(crate) fn needs_ping(&self) -> bool {
        let covered = self.ping.map_or(0, |(_, covers)| covers);
        covered < self.written && !self.entries.is_empty()
    }

    /// A Ping with `payload` was written: it confirms everything written so far.
    pub(crate) fn ping_sent(&mut self, payload: u64) {
        self.ping = Some((payload, self.written));
    }

    /// Confirms through the Ping in flight if the peer answered it
    /// (`answered`: payload of the latest matched Pong), or forgets that Ping
    /// if it is no longer outstanding (`outstanding`: payload of the Ping still
    /// awaited, 0 for none) so that a new one is sent. Calls `confirmed`
    /// with each confirmed message's payload length.
    pub(crate) fn check(
        &mut self,
        outstanding: u64,
        answered: u64,
        mut confirmed: impl FnMut(usize),
    ) {
        let Some((payload, covers)) = self.ping else {
            return;
        };
        if answered == payload {
            let first_seq = self.written - self.entries.len() as u64 + 1;
            let n = covers.saturating_sub(first_seq - 1) as usize;
            for msg in self.entries.drain(..n.min(self.entries.len())) {
                let len = payload_len(&msg);
                self.bytes -= len;
                confirmed(len);
            }
            self.ping = None;
        } else if outstanding != payload {
            self.ping = None; // abandoned (e.g. the consumer fell behind)
        }
    }

    /// Everything unconfirmed as of now counts as delivered: the peer
    /// answered our Close, which it read after every earlier frame (§5.5.1).
    pub(crate) fn confirm_all(&mut self, mut confirmed: impl FnMut(usize)) {
        for msg in self.entries.drain(..) {
            confirmed(payload_len(&msg));
        }
        self.bytes = 0;
        self.ping = None;
    }

    /// The unconfirmed messages, oldest first, for the send queue's front.
    pub(crate) fn take_all(&mut self) -> VecDeque<OutMsg> {
        self.bytes = 0;
        self.ping = None;
        std::mem::take(&mut self.entries)
    }
}

fn payload_len(msg: &OutMsg) -> usize {
    msg.buf.len() - MAX_HEADER_LEN
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pool::PooledBuf;
    use devian_ws_protocol::MessageKind;

    fn msg(len: usize) -> OutMsg {
        OutMsg {
            kind: MessageKind::Binary,
            buf: PooledBuf::unpooled(vec![0; MAX_HEADER_LEN + len]),
            masked: None,
        }
    }

    #[test]
    fn a_pong_confirms_what_was_written_before_its_ping_only() {
        let mut w = Window::new(QueueLimits::new(100, 1000));
        w.retain(msg(1));
        w.retain(msg(2));
        assert!(w.needs_ping());
        w.ping_sent(7);
        assert!(!w.needs_ping());
        w.retain(msg(3));
        // Not answered yet, still outstanding: nothing changes.
        let mut got = Vec::new();
        w.check(7, 0, |n| got.push(n));
        assert!(got.is_empty());
        w.check(0, 7, |n| got.push(n));
        assert_eq!(got, [1, 2], "the third was written after the ping");
        assert!(w.needs_ping());
        let rest: Vec<usize> = w.take_all().iter().map(payload_len).collect();
        assert_eq!(rest, [3]);
    }

    #[test]
    fn an_abandoned_ping_is_forgotten_so_a_new_one_is_sent() {
        let mut w = Window::new(QueueLimits::new(100, 1000));
        w.retain(msg(1));
        w.ping_sent(5);
        assert!(!w.needs_ping());
        w.check(0, 0, |_| panic!("nothing was answered"));
        assert!(w.needs_ping());
        // A late Pong for another ping confirms nothing.
        w.ping_sent(9);
        w.check(9, 5, |_| panic!("pong 5 does not answer ping 9"));
    }

    #[test]
    fn the_window_is_bounded_by_its_limits() {
        let mut w = Window::new(QueueLimits::new(2, 10));
        assert!(
            w.has_room(0, 0, 50),
            "one message of any size fits an empty window"
        );
        w.retain(msg(4));
        assert!(w.has_room(0, 0, 6));
        assert!(!w.has_room(0, 0, 7));
        assert!(!w.has_room(1, 0, 1), "two messages at most");
        w.confirm_all(|_| {});
        assert!(w.has_room(1, 0, 10));
    }
}
