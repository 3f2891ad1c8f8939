//! The outgoing side shared by the API and the send thread: the bounded data
//! queue, the control lane that jumps ahead of it, and the connection phase.
//!
//! Everything the send thread waits on lives behind this one mutex, so a
//! single condvar wakes it for any reason (new data, control frame, close,
//! session end, shutdown) and no wakeup can be lost.

use crate::direct::{DirectSocket, Unfinished};
use crate::pool::PooledBuf;
use crate::session::SessionEnd;
use devian_ws_policy::lifecycle::{Lifecycle, SendRoute};
use devian_ws_policy::{BoundedQueue, QueueLimits};
use devian_ws_protocol::protocol::frame::apply_mask;
use devian_ws_protocol::{CloseCode, ControlPayload, Encoder, MessageKind, Opcode, MAX_HEADER_LEN};
use std::sync::Arc;
use std::time::{Duration, Instant};

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

impl OutMsg {
    /// For a payload `send` already masked: writes the frame header into the
    /// headroom and returns where the frame starts. `None` for a plain
    /// payload, which the send thread's encoder masks.
    pub(crate) fn frame_premasked(&mut self) -> Option<usize> {
        let key = self.masked?;
        Some(Encoder::encode_premasked_in_place(
            Opcode::from(self.kind),
            true,
            self.buf.vec_mut(),
            key,
        ))
    }

    /// Makes the payload plain again after a failed write, so a resend
    /// masks it with a fresh key (§5.3). Masking is its own inverse; the
    /// key is in the header's last four bytes of headroom, where both
    /// framing paths put it.
    pub(crate) fn unmask(&mut self) {
        let buf = self.buf.vec_mut();
        let mut key = [0u8; 4];
        key.copy_from_slice(&buf[MAX_HEADER_LEN - 4..MAX_HEADER_LEN]);
        apply_mask(&mut buf[MAX_HEADER_LEN..], key, 0);
        self.masked = None;
    }

    /// The payload's length.
    pub(crate) fn size(&self) -> usize {
        self.buf.len() - MAX_HEADER_LEN
    }
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

    pub(crate) fn is_empty(&self) -> bool {
        !self.flush_tls && self.pong.is_none() && self.close.is_none()
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
    /// The state and its transitions, shared with the WebGL build; also says
    /// when sends go to the reconnect buffer (bounded by `reconnect_limits`).
    pub(crate) lifecycle: Lifecycle,
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
    /// The session socket, for callers' own writes (crate::direct); `Some`
    /// only while an eligible session is open.
    pub(crate) direct: Option<Arc<DirectSocket>>,
    /// A caller is writing on `direct` now: nobody else may write.
    pub(crate) caller_writing: bool,
    /// The send thread looks for work without the lock (crate::spin), so
    /// it is not writing either.
    pub(crate) sender_spinning: bool,
    /// The send thread waits for `caller_writing` to clear; the caller
    /// notifies `Inner::wake` when it does.
    pub(crate) sender_wants_wire: bool,
    /// A frame a caller wrote in part; the send thread finishes it first.
    pub(crate) unfinished: Option<Unfinished>,
    /// When the last accepted `send` began: a send that begins within
    /// [`BURST_GAP`] of it is queued, so a burst goes out in batches.
    pub(crate) last_send: Option<Instant>,
}

/// Sends that begin closer together than this are a burst (a stream, or
/// several messages of one game frame): the first is written by its
/// caller, the rest are queued and the send thread writes them in
/// batches, one syscall for many, instead of one syscall per message on
/// the caller's thread. A request/response exchange waits a round trip
/// between sends (15-50 µs on loopback), so each of its sends is written
/// at once. Measured from the start, not the end, of the previous send: a
/// caller preempted inside its write (the peer's reply may run first on a
/// shared core) would otherwise look like a burst.
const BURST_GAP: Duration = Duration::from_micros(10);

/// How long after a send a consumer that waits counts as waiting for the
/// reply (see [`Outbox::reply_expected`]).
const REPLY_WINDOW: Duration = Duration::from_millis(1);

impl Outbox {
    pub(crate) fn new(send_limits: QueueLimits, reconnect_limits: Option<QueueLimits>) -> Outbox {
        let mut lifecycle = Lifecycle::new();
        lifecycle.start();
        Outbox {
            lifecycle,
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
            direct: None,
            caller_writing: false,
            sender_spinning: false,
            sender_wants_wire: false,
            unfinished: None,
            last_send: None,
        }
    }

    /// The socket on which the caller may write `msg` itself, now, instead
    /// of queueing it (crate::direct): the session is open and eligible,
    /// nothing is queued or half written, no control frame or close waits,
    /// the send thread is idle (parked, or looking without the lock) and the
    /// last send was not just now (a burst). An empty queue admits any one
    /// message, so the bounds need no check.
    /// The caller then sets `caller_writing` before it lets go of the lock.
    pub(crate) fn direct_for(&self, msg: &OutMsg, now: Instant) -> Option<Arc<DirectSocket>> {
        let burst = self
            .last_send
            .is_some_and(|t| now.saturating_duration_since(t) < BURST_GAP);
        let idle = !burst
            && (self.sender_waiting || self.sender_spinning)
            && !self.caller_writing
            && self.unfinished.is_none()
            && self.data.is_empty()
            && self.control.is_empty();
        let open = self.route() == SendRoute::Now
            && !self.close_sent
            && self.end.is_none()
            && self.user_close.is_none();
        if idle && open && msg.masked.is_some() {
            self.direct.clone()
        } else {
            None
        }
    }

    /// Whether the application sent data within [`REPLY_WINDOW`] of `now`: a
    /// consumer waiting now is likely waiting for a reply, which may come
    /// within a look before parking. A consumer of a stream it did not ask
    /// for message by message is not, and its look would only take the
    /// core from the receive thread (measured with the client's threads on
    /// one core and the server on the other, 16 B streamed down: 106k msg/s
    /// looking 50 µs, 232k parking at once).
    pub(crate) fn reply_expected(&self, now: Instant) -> bool {
        self.last_send
            .is_some_and(|t| now.saturating_duration_since(t) <= REPLY_WINDOW)
    }

    /// Puts a message whose frame may have reached the peer in part back at
    /// the front of the queue, whole and plain, so the next session (or the
    /// final unsent count) has it and a resend masks it afresh (§5.3).
    pub(crate) fn requeue(&mut self, mut msg: OutMsg) {
        msg.unmask();
        let size = msg.size();
        self.data.unpop(msg, size);
    }

    /// Whether the connection is finished or finishing at the user's request.
    pub(crate) fn closing_for_good(&self) -> bool {
        self.stop || self.user_close.is_some()
    }

    /// Whether [`Outbox::admit`] would not refuse a message of `size` bytes
    /// for lack of room: it fits, or the message would be refused for
    /// another reason (not open, closed), which `admit` then reports.
    pub(crate) fn has_room(&self, size: usize) -> bool {
        let limits = match self.route() {
            SendRoute::Now => Some(self.data.limits()),
            SendRoute::Buffer => self.reconnect_limits,
            SendRoute::NotOpen | SendRoute::Closed => None,
        };
        limits.is_none_or(|l| l.admits(self.data.len(), self.data.bytes(), size))
    }

    /// Where a send goes now. Unlike the WebGL build, sends made before the
    /// first open are refused: only a dropped connection buffers.
    fn route(&self) -> SendRoute {
        if self.stop {
            return SendRoute::Closed;
        }
        self.lifecycle
            .route_send(self.reconnect_limits.is_some(), false)
    }

    /// Accepts a data message, or says why not. Never drops silently.
    pub(crate) fn admit(&mut self, msg: OutMsg, size: usize) -> devian_ws_protocol::Result<()> {
        use devian_ws_protocol::Error;
        match self.route() {
            SendRoute::Closed => return Err(Error::AlreadyClosed),
            SendRoute::NotOpen if self.lifecycle.resuming() => {
                return Err(Error::Usage(
                    "not open (reconnecting, reconnect buffer disabled)",
                ))
            }
            SendRoute::NotOpen => return Err(Error::Usage("not open")),
            SendRoute::Buffer => {
                let (n, bytes) = (self.data.len(), self.data.bytes());
                if !self
                    .reconnect_limits
                    .is_some_and(|l| l.admits(n, bytes, size))
                {
                    return Err(Error::Capacity("reconnect buffer"));
                }
            }
            SendRoute::Now => {}
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

    use devian_ws_policy::{AfterEnd, ReconnectPolicy, State};
    use std::time::Duration;

    /// Dials and opens (`authenticating`: a first message must go out first).
    fn open(o: &mut Outbox, authenticating: bool) {
        assert!(o.lifecycle.dial());
        assert!(o.lifecycle.opened(Duration::ZERO, authenticating).is_some());
    }

    /// The open connection drops and a reconnect is scheduled.
    fn drop_it(o: &mut Outbox) {
        let after = o
            .lifecycle
            .ended(&ReconnectPolicy::default(), 1006, Duration::ZERO, 0.0);
        assert!(matches!(after, AfterEnd::Reconnect { .. }));
        assert_eq!(o.lifecycle.state(), State::Reconnecting);
    }

    #[test]
    fn send_before_open_is_a_usage_error() {
        let mut o = Outbox::new(QueueLimits::new(4, 100), Some(QueueLimits::new(2, 100)));
        assert!(matches!(o.admit(msg(), 6), Err(Error::Usage(_))));
        open(&mut o, true);
        assert!(matches!(o.admit(msg(), 6), Err(Error::Usage(_))));
    }

    #[test]
    fn open_queue_is_bounded() {
        let mut o = Outbox::new(QueueLimits::new(2, 100), None);
        open(&mut o, false);
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
        open(&mut o, false);
        drop_it(&mut o);
        o.admit(msg(), 6).unwrap();
        o.admit(msg(), 6).unwrap();
        assert!(matches!(
            o.admit(msg(), 6),
            Err(Error::Capacity("reconnect buffer"))
        ));
        // Still buffering while the new connection authenticates.
        open(&mut o, true);
        assert!(matches!(
            o.admit(msg(), 6),
            Err(Error::Capacity("reconnect buffer"))
        ));
    }

    #[test]
    fn reconnecting_without_buffer_refuses() {
        let mut o = Outbox::new(QueueLimits::new(10, 100), None);
        open(&mut o, false);
        drop_it(&mut o);
        assert!(matches!(o.admit(msg(), 6), Err(Error::Usage(_))));
    }

    #[test]
    fn has_room_agrees_with_admit() {
        let mut o = Outbox::new(QueueLimits::new(2, 100), Some(QueueLimits::new(1, 100)));
        assert!(o.has_room(6), "not open: admit refuses for another reason");
        open(&mut o, false);
        assert!(o.has_room(6));
        o.admit(msg(), 6).unwrap();
        o.admit(msg(), 6).unwrap();
        assert!(!o.has_room(6), "full");
        o.data.pop();
        assert!(o.has_room(6));
        assert!(!o.has_room(95), "over the byte bound");
        drop_it(&mut o);
        assert!(!o.has_room(6), "the reconnect buffer's own bound");
        o.lifecycle.finished();
        assert!(o.has_room(6), "closed: send says so");
    }

    #[test]
    fn a_caller_writes_itself_only_while_idle_open_and_not_in_a_burst() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let sock = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let Some(direct) = DirectSocket::new(&Arc::new(sock)) else {
            return; // no per-call non-blocking writes on this platform
        };
        let mut o = Outbox::new(QueueLimits::new(4, 100), None);
        open(&mut o, false);
        o.direct = Some(Arc::new(direct));
        let masked = OutMsg {
            masked: Some([1, 2, 3, 4]),
            ..msg()
        };
        let t0 = Instant::now();
        assert!(o.direct_for(&masked, t0).is_none(), "send thread busy");
        o.sender_waiting = true;
        assert!(o.direct_for(&masked, t0).is_some());
        assert!(o.direct_for(&msg(), t0).is_none(), "not masked by send");

        o.last_send = Some(t0);
        let soon = t0 + BURST_GAP / 2;
        assert!(o.direct_for(&masked, soon).is_none(), "a burst");
        let later = t0 + BURST_GAP;
        assert!(o.direct_for(&masked, later).is_some());

        o.admit(msg(), 6).unwrap();
        assert!(o.direct_for(&masked, later).is_none(), "queued first");
        o.data.pop();
        o.control.push(Control::FlushTls);
        assert!(o.direct_for(&masked, later).is_none(), "control first");
        o.control.clear();
        o.caller_writing = true;
        assert!(o.direct_for(&masked, later).is_none(), "another caller");
        o.caller_writing = false;
        o.sender_waiting = false;
        o.sender_spinning = true;
        assert!(
            o.direct_for(&masked, later).is_some(),
            "looking, not writing"
        );

        o.lifecycle.user_close();
        o.user_close = Some(UserClose {
            code: CloseCode::NORMAL,
            reason: String::new(),
            sent: false,
            flush_by: Instant::now(),
        });
        assert!(o.direct_for(&masked, later).is_none(), "closing");
    }

    #[test]
    fn send_after_close_is_already_closed() {
        let mut o = Outbox::new(QueueLimits::new(10, 100), None);
        open(&mut o, false);
        o.lifecycle.user_close();
        o.user_close = Some(UserClose {
            code: CloseCode::NORMAL,
            reason: String::new(),
            sent: false,
            flush_by: std::time::Instant::now(),
        });
        assert!(matches!(o.admit(msg(), 6), Err(Error::AlreadyClosed)));
    }
}
