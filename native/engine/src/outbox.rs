//! The outgoing side shared by the API and the send thread: the bounded data
//! queue, the control lane that jumps ahead of it, and the connection phase.
//!
//! Everything the send thread waits on lives behind this one mutex, so a
//! single condvar wakes it for any reason (new data, control frame, close,
//! session end, shutdown) and no wakeup can be lost.

use crate::pool::PooledBuf;
use crate::session::SessionEnd;
use crate::state::State;
use devian_ws_policy::{BoundedQueue, QueueLimits};
use devian_ws_protocol::{CloseCode, ControlPayload, MessageKind};

/// A data message waiting to be sent: [`devian_ws_protocol::MAX_HEADER_LEN`]
/// bytes of headroom followed by the payload.
pub(crate) struct OutMsg {
    pub(crate) kind: MessageKind,
    pub(crate) buf: PooledBuf,
    /// `Some(key)`: `send` copied the payload in already masked with this
    /// fresh key (one pass over memory instead of two); `None`: the payload
    /// is plain and the send thread masks it.
    pub(crate) masked: Option<[u8; 4]>,
}

/// A control frame to send before any queued data.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Control {
    /// Answer to a ping (RFC 6455 §5.5.2).
    Pong(ControlPayload),
    /// Echo of the peer's close (§5.5.1), or our failure close (§7.1.7).
    Close(Option<CloseCode>, ControlPayload),
    /// rustls has records of its own to send (alerts, key updates).
    FlushTls,
}

/// The control frames waiting for the send thread, ahead of queued data.
///
/// Invariant: at most one of each kind is pending, so a peer that floods
/// pings (or anything else that asks for a reply) cannot grow it. RFC 6455
/// §5.5.3 allows answering only the most recent Ping, so a newer Pong
/// replaces an unsent one; one TLS flush covers every record rustls holds;
/// only one Close may be sent per connection (§5.5.1).
#[derive(Debug, Default)]
pub(crate) struct ControlLane {
    flush_tls: bool,
    pong: Option<ControlPayload>,
    close: Option<(Option<CloseCode>, ControlPayload)>,
}

impl ControlLane {
    pub(crate) fn push(&mut self, control: Control) {
        match control {
            Control::FlushTls => self.flush_tls = true,
            Control::Pong(p) => self.pong = Some(p),
            Control::Close(code, reason) => {
                self.close.get_or_insert((code, reason));
            }
        }
    }

    /// The next frame: a TLS flush, then the Pong, then the Close echo.
    pub(crate) fn pop(&mut self) -> Option<Control> {
        if std::mem::take(&mut self.flush_tls) {
            return Some(Control::FlushTls);
        }
        if let Some(p) = self.pong.take() {
            return Some(Control::Pong(p));
        }
        self.close.take().map(|(c, r)| Control::Close(c, r))
    }

    pub(crate) fn clear(&mut self) {
        *self = ControlLane::default();
    }
}

/// The close the user asked for.
#[derive(Debug, Clone)]
pub(crate) struct UserClose {
    pub(crate) code: CloseCode,
    pub(crate) reason: String,
    /// Whether the send thread has put it on the wire yet.
    pub(crate) sent: bool,
    /// Until when data accepted before the close is still sent ahead of the
    /// Close frame (the close timeout after the request); what is left then
    /// is reported as unsent.
    pub(crate) flush_by: std::time::Instant,
}

pub(crate) struct Outbox {
    pub(crate) state: State,
    /// The connection was open once and is being re-established: sends are
    /// buffered (bounded by `reconnect_limits`) instead of refused.
    pub(crate) reconnecting: bool,
    pub(crate) data: BoundedQueue<OutMsg>,
    pub(crate) reconnect_limits: Option<QueueLimits>,
    pub(crate) control: ControlLane,
    pub(crate) user_close: Option<UserClose>,
    /// Tear everything down now (shutdown / drop / shutdown_all).
    pub(crate) stop: bool,
    /// Why the current session ended; the first reason wins.
    pub(crate) end: Option<SessionEnd>,
    /// A Close frame went out on the current session (§5.5.1: only one may).
    pub(crate) close_sent: bool,
    /// The `Closing` event for the current session was queued.
    pub(crate) closing_emitted: bool,
    /// The peer's Close arrived on the current session: the clean end to
    /// report if the server does not close TCP within the close timeout.
    pub(crate) peer_close: Option<SessionEnd>,
    /// That Close came after ours: the peer has read all we sent (§5.5.1).
    pub(crate) close_answered: bool,
    /// The connection thread has finished (final events queued).
    pub(crate) finished: bool,
    /// The send thread is blocked on `Inner::wake`. Senders notify only
    /// then, so a busy send thread costs no futex wake per message.
    pub(crate) sender_waiting: bool,
    /// Producers blocked in `Client::wait_for_room` on `Inner::room`; the
    /// send thread notifies after taking data only then.
    pub(crate) room_waiters: usize,
}

impl Outbox {
    pub(crate) fn new(send_limits: QueueLimits, reconnect_limits: Option<QueueLimits>) -> Outbox {
        Outbox {
            state: State::Connecting,
            reconnecting: false,
            data: BoundedQueue::new(send_limits),
            reconnect_limits,
            control: ControlLane::default(),
            user_close: None,
            stop: false,
            end: None,
            close_sent: false,
            closing_emitted: false,
            peer_close: None,
            close_answered: false,
            finished: false,
            sender_waiting: false,
            room_waiters: 0,
        }
    }

    /// Whether the connection is finished or finishing at the user's request.
    pub(crate) fn closing_for_good(&self) -> bool {
        self.stop || self.user_close.is_some()
    }

    /// Whether [`Outbox::admit`] would not refuse a message of `size` bytes
    /// for lack of room: it fits, or the message would be refused for
    /// another reason (not open, closed), which `admit` then reports.
    pub(crate) fn has_room(&self, size: usize) -> bool {
        let limits = if self.closing_for_good() || self.state == State::Closed {
            None
        } else if self.reconnecting && self.state != State::Open {
            self.reconnect_limits
        } else if self.state == State::Open {
            Some(self.data.limits())
        } else {
            None
        };
        limits.is_none_or(|l| l.admits(self.data.len(), self.data.bytes(), size))
    }

    /// Accepts a data message, or says why not. Never drops silently.
    pub(crate) fn admit(&mut self, msg: OutMsg, size: usize) -> devian_ws_protocol::Result<()> {
        use devian_ws_protocol::Error;
        if self.closing_for_good() || self.state == State::Closed {
            return Err(Error::AlreadyClosed);
        }
        let buffering = self.reconnecting && self.state != State::Open;
        if buffering {
            let Some(limits) = self.reconnect_limits else {
                return Err(Error::Usage(
                    "not open (reconnecting, reconnect buffer disabled)",
                ));
            };
            if !limits.admits(self.data.len(), self.data.bytes(), size) {
                return Err(Error::Capacity("reconnect buffer"));
            }
        } else if self.state != State::Open {
            return Err(Error::Usage("not open"));
        }
        self.data
            .push(msg, size)
            .map_err(|_| Error::Capacity("send queue"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use devian_ws_protocol::Error;

    fn msg() -> OutMsg {
        OutMsg {
            kind: MessageKind::Text,
            buf: PooledBuf::unpooled(vec![0; 20]),
            masked: None,
        }
    }

    // RFC 6455 §5.5.3: only the most recent Ping needs its Pong, so a ping
    // flood leaves at most one Pong (the newest) pending, whatever its size.
    #[test]
    fn rfc6455_5_5_3_control_lane_keeps_only_the_newest_pong() {
        let mut lane = ControlLane::default();
        for i in 0..100_000u32 {
            lane.push(Control::Pong(
                ControlPayload::new(&i.to_be_bytes()).unwrap(),
            ));
            lane.push(Control::FlushTls);
        }
        lane.push(Control::Close(
            Some(CloseCode::NORMAL),
            ControlPayload::EMPTY,
        ));
        lane.push(Control::Close(
            Some(CloseCode::PROTOCOL_ERROR),
            ControlPayload::EMPTY,
        ));
        assert!(matches!(lane.pop(), Some(Control::FlushTls)));
        match lane.pop() {
            Some(Control::Pong(p)) => assert_eq!(p.as_slice(), 99_999u32.to_be_bytes()),
            other => panic!("expected the newest pong, got {other:?}"),
        }
        // The first Close stands (§5.5.1: one Close per connection).
        assert!(matches!(
            lane.pop(),
            Some(Control::Close(Some(CloseCode::NORMAL), _))
        ));
        assert!(lane.pop().is_none());
    }

    #[test]
    fn send_before_open_is_a_usage_error() {
        let mut o = Outbox::new(QueueLimits::new(4, 100), Some(QueueLimits::new(2, 100)));
        assert!(matches!(o.admit(msg(), 6), Err(Error::Usage(_))));
        o.state = State::Authenticating;
        assert!(matches!(o.admit(msg(), 6), Err(Error::Usage(_))));
    }

    #[test]
    fn open_queue_is_bounded() {
        let mut o = Outbox::new(QueueLimits::new(2, 100), None);
        o.state = State::Open;
        o.admit(msg(), 6).unwrap();
        o.admit(msg(), 6).unwrap();
        assert!(matches!(
            o.admit(msg(), 6),
            Err(Error::Capacity("send queue"))
        ));
        assert_eq!(o.data.len(), 2);
    }

    #[test]
    fn reconnecting_buffers_within_their_own_bound() {
        let mut o = Outbox::new(QueueLimits::new(10, 100), Some(QueueLimits::new(2, 100)));
        o.reconnecting = true;
        o.state = State::Reconnecting;
        o.admit(msg(), 6).unwrap();
        o.admit(msg(), 6).unwrap();
        assert!(matches!(
            o.admit(msg(), 6),
            Err(Error::Capacity("reconnect buffer"))
        ));
        // Still buffering while the new connection authenticates.
        o.state = State::Authenticating;
        assert!(matches!(
            o.admit(msg(), 6),
            Err(Error::Capacity("reconnect buffer"))
        ));
    }

    #[test]
    fn reconnecting_without_buffer_refuses() {
        let mut o = Outbox::new(QueueLimits::new(10, 100), None);
        o.reconnecting = true;
        o.state = State::Reconnecting;
        assert!(matches!(o.admit(msg(), 6), Err(Error::Usage(_))));
    }

    #[test]
    fn has_room_agrees_with_admit() {
        let mut o = Outbox::new(QueueLimits::new(2, 100), Some(QueueLimits::new(1, 100)));
        assert!(o.has_room(6), "not open: admit refuses for another reason");
        o.state = State::Open;
        assert!(o.has_room(6));
        o.admit(msg(), 6).unwrap();
        o.admit(msg(), 6).unwrap();
        assert!(!o.has_room(6), "full");
        o.data.pop();
        assert!(o.has_room(6));
        assert!(!o.has_room(95), "over the byte bound");
        o.reconnecting = true;
        o.state = State::Reconnecting;
        assert!(!o.has_room(6), "the reconnect buffer's own bound");
        o.state = State::Closed;
        assert!(o.has_room(6), "closed: send says so");
    }

    #[test]
    fn send_after_close_is_already_closed() {
        let mut o = Outbox::new(QueueLimits::new(10, 100), None);
        o.state = State::Open;
        o.user_close = Some(UserClose {
            code: CloseCode::NORMAL,
            reason: String::new(),
            sent: false,
            flush_by: std::time::Instant::now(),
        });
        assert!(matches!(o.admit(msg(), 6), Err(Error::AlreadyClosed)));
    }
}
