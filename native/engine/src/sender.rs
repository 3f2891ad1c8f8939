//! The send thread's loop for one session: control frames first, then
//! queued data, keep-alive pings, and the pong / close deadlines.
//!
//! It blocks on the outbox condvar with a timeout equal to the next
//! deadline (ping due, pong overdue, close handshake overdue), so an idle
//! connection wakes once per ping interval and otherwise costs nothing.

use crate::delivery::{Delivery, Window};
use crate::direct::{DirectSocket, Unfinished};
use crate::event::{is_timeout, ErrorKind, Event};
use crate::inner::Inner;
use crate::outbox::{Control, OutMsg};
use crate::session::SessionEnd;
use crate::transport::{into_error, WriteHalf};
use devian_ws_policy::State;
use devian_ws_protocol::{CloseCode, Encoder, MessageKind, Opcode, MAX_HEADER_LEN};
use std::io::{self, IoSlice};
use std::sync::atomic::Ordering::SeqCst;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Most messages per vectored write.
const MAX_BATCH: usize = 64;
/// Stop adding to a batch once it holds this many bytes.
const MAX_BATCH_BYTES: usize = 256 * 1024;
/// How often a full at-least-once window looks again for a chance to ping
/// while the consumer is behind (its catching up wakes nobody).
const CONFIRM_RECHECK: Duration = Duration::from_millis(50);

/// One unit of work, taken under the lock and done outside it.
enum Job {
    Control(Control),
    /// The user's close; `bool`: emit the `Closing` event first.
    Close(CloseCode, String, bool),
    /// The messages now in `Sender::batch`.
    Data,
    /// The rest of a frame a caller began (crate::direct).
    Rest(Unfinished),
    Ping,
    /// Shutdown requested: send Close(1001) if we still may, then end.
    Stop {
        send_close: bool,
    },
}

/// Per-session sender state.
pub(crate) struct Sender<'a> {
    inner: &'a Inner,
    writer: &'a mut WriteHalf,
    encoder: &'a mut Encoder,
    /// Reused for control frames.
    scratch: Vec<u8>,
    next_ping: Option<Instant>,
    pong_deadline: Option<Instant>,
    close_deadline: Option<Instant>,
    /// Messages taken from the queue for one vectored write (reused).
    batch: Vec<OutMsg>,
    /// Look for more work briefly before parking (set after a data write).
    spin_next: bool,
    /// How long that look lasts, learnt from how soon data came after it.
    look: crate::spin::Adaptive,
    /// When a look that found nothing began: the next data tells how long
    /// the wait really was.
    failed_look_began: Option<Instant>,
    /// Written messages awaiting the peer's confirmation
    /// ([`Delivery::AtLeastOnce`] only).
    window: Option<Window>,
}

impl<'a> Sender<'a> {
    pub(crate) fn new(
        inner: &'a Inner,
        writer: &'a mut WriteHalf,
        encoder: &'a mut Encoder,
    ) -> Self {
        let next_ping = inner
            .config
            .keepalive
            .ping_interval
            .map(|i| Instant::now() + i);
        inner.ping_outstanding.store(0, SeqCst);
        let window = match (inner.config.delivery, inner.config.reconnect_buffer) {
            (Delivery::AtLeastOnce, Some(limits)) => Some(Window::new(limits)),
            _ => None,
        };
        Sender {
            inner,
            writer,
            encoder,
            scratch: Vec::with_capacity(2 + 4 + 125),
            next_ping,
            pong_deadline: None,
            close_deadline: None,
            // Grows with the first batches (an idle connection has none).
            batch: Vec::new(),
            spin_next: false,
            look: crate::spin::Adaptive::new(),
            failed_look_began: None,
            window,
        }
    }

    /// Writes one text message directly (first-message authentication, sent
    /// before any queued data).
    pub(crate) fn write_text(&mut self, text: &str) -> io::Result<()> {
        self.scratch.clear();
        self.encoder
            .encode_message(MessageKind::Text, text.as_bytes(), &mut self.scratch);
        self.writer.write_all(&self.scratch)
    }

    /// Runs until the session ends; returns why.
    pub(crate) fn run(mut self) -> SessionEnd {
        self.share_socket();
        let end = self.run_session();
        self.reclaim_socket();
        self.settle_window(&end);
        end
    }

    /// Lets callers write while this thread is idle (crate::direct), where
    /// the session allows it: plain TCP, no extension, no window.
    fn share_socket(&self) {
        if self.encoder.has_extension() || self.window.is_some() {
            return;
        }
        if let WriteHalf::Plain(sock) = &*self.writer {
            self.inner.lock_outbox().direct = DirectSocket::new(sock).map(Arc::new);
        }
    }

    /// The session is over: no caller writes on it any more, and a frame
    /// one left unfinished goes back, whole and plain, to the front of the
    /// queue (for the next session, or the final unsent count).
    fn reclaim_socket(&self) {
        let inner = self.inner;
        let mut ob = inner.lock_outbox();
        ob.direct = None;
        while ob.caller_writing {
            ob.sender_wants_wire = true;
            ob = inner.wait_for_work(ob, None);
        }
        if let Some(Unfinished { msg, .. }) = ob.unfinished.take() {
            ob.requeue(msg);
        }
    }

    /// The session is over: the unconfirmed window is delivered if the peer
    /// answered our Close, and otherwise goes back to the front of the send
    /// queue, in order, for the next session (or the final unsent count).
    fn settle_window(&mut self, end: &SessionEnd) {
        let Some(window) = self.window.as_mut() else {
            return;
        };
        let inner = self.inner;
        let mut ob = inner.lock_outbox();
        if end.clean && ob.close_answered {
            window.confirm_all(|len| inner.record_sent(len));
            return;
        }
        let masked_in_place = !self.encoder.has_extension();
        for mut msg in window.take_all().into_iter().rev() {
            if masked_in_place {
                msg.unmask();
            }
            let size = msg.size();
            ob.data.unpop(msg, size);
        }
    }

    fn run_session(&mut self) -> SessionEnd {
        loop {
            let job = match self.next_job() {
                Ok(job) => job,
                Err(end) => return end,
            };
            let result = match job {
                Job::Control(c) => self.control(c),
                Job::Close(code, reason, emit_closing) => {
                    if emit_closing {
                        self.inner.emit(Event::Closing);
                    }
                    self.close(Some(code), &reason)
                }
                Job::Data => {
                    if let Some(began) = self.failed_look_began.take() {
                        self.look.waited(began.elapsed());
                    }
                    self.spin_next = true;
                    self.data()
                }
                Job::Rest(rest) => self.rest(rest),
                Job::Ping => self.ping(),
                Job::Stop { send_close } => {
                    if send_close {
                        // Bounded: a peer that does not read cannot hold us.
                        let _ = self
                            .writer
                            .socket()
                            .set_write_timeout(Some(self.inner.config.close_timeout));
                        let _ = self.close(Some(CloseCode::GOING_AWAY), "shutdown");
                    }
                    return SessionEnd {
                        code: CloseCode::GOING_AWAY,
                        reason: "shut down".into(),
                        clean: false,
                        error: None,
                    };
                }
            };
            if let Err(e) = result {
                let end = if is_timeout(&e) {
                    SessionEnd::abnormal(ErrorKind::Timeout, "write stalled: peer not reading")
                } else {
                    SessionEnd::from_error(&into_error(e))
                };
                // The receive thread may already have a better reason (e.g. the
                // peer's Close); the first one recorded wins.
                self.inner.end_session(end);
                return self.take_end();
            }
        }
    }

    fn take_end(&self) -> SessionEnd {
        let mut ob = self.inner.lock_outbox();
        ob.end
            .take()
            .unwrap_or_else(|| SessionEnd::abnormal(ErrorKind::Other, "session ended"))
    }

    /// Waits for the next job; `Err` when the session is over.
    fn next_job(&mut self) -> Result<Job, SessionEnd> {
        let inner = self.inner;
        let mut ob = inner.lock_outbox();
        loop {
            // A caller is writing a frame (crate::direct): no byte of ours
            // may go between its bytes. It notifies when done.
            if ob.caller_writing {
                ob.sender_wants_wire = true;
                ob = inner.wait_for_work(ob, None);
                continue;
            }
            // And what it could not finish goes first, before any frame.
            if let Some(rest) = ob.unfinished.take() {
                return Ok(Job::Rest(rest));
            }
            if let Some(window) = self.window.as_mut() {
                let outstanding = inner.ping_outstanding.load(SeqCst);
                let answered = inner.ping_answered.load(SeqCst);
                window.check(outstanding, answered, |len| inner.record_sent(len));
            }
            if ob.stop {
                let send_close =
                    !ob.close_sent && ob.end.is_none() && ob.lifecycle.state() == State::Open;
                ob.close_sent = true;
                return Ok(Job::Stop { send_close });
            }
            // Control replies first: a pong or close echo jumps the data queue.
            if let Some(c) = ob.control.pop() {
                match c {
                    Control::Close(..) if ob.close_sent => continue,
                    Control::Close(..) => ob.close_sent = true,
                    Control::Pong(_) if ob.close_sent => continue,
                    _ => {}
                }
                return Ok(Job::Control(c));
            }
            if let Some(end) = ob.end.take() {
                return Err(end);
            }
            let already_sent = ob.close_sent;
            // What was accepted before the user's close goes out before the
            // Close frame, while the close timeout allows.
            let open = matches!(ob.lifecycle.state(), State::Open | State::Closing);
            let flushing = !already_sent
                && open
                && !ob.data.is_empty()
                && ob
                    .user_close
                    .as_ref()
                    .is_some_and(|uc| !uc.sent && Instant::now() < uc.flush_by);
            if let Some(uc) = ob.user_close.as_mut().filter(|uc| !uc.sent && !flushing) {
                uc.sent = true;
                if !already_sent {
                    let (code, reason) = (uc.code, uc.reason.clone());
                    let emit_closing = !std::mem::replace(&mut ob.closing_emitted, true);
                    ob.close_sent = true;
                    let job = Job::Close(code, reason, emit_closing);
                    return Ok(job);
                }
            }
            if !ob.close_sent && (ob.lifecycle.state() == State::Open || flushing) {
                // Take a batch, so many small messages cost one write.
                // With at-least-once delivery, only as much as the window holds.
                let mut bytes = 0;
                while self.batch.len() < MAX_BATCH && bytes < MAX_BATCH_BYTES {
                    let Some(size) = ob.data.peek().map(|m| m.size()) else {
                        break;
                    };
                    if let Some(w) = &self.window {
                        if !w.has_room(self.batch.len(), bytes, size) {
                            break;
                        }
                    }
                    let Some(msg) = ob.data.pop() else { break };
                    bytes += size;
                    self.batch.push(msg);
                }
                if !self.batch.is_empty() {
                    if ob.room_waiters > 0 {
                        drop(ob);
                        inner.room.notify_all();
                    }
                    return Ok(Job::Data);
                }
            }
            let now = Instant::now();
            if self.close_deadline.is_some_and(|d| now >= d) {
                // Both Close frames went across; only the server's TCP close
                // (§7.1.1) is late. That is still a clean close.
                if let Some(end) = ob.peer_close.take() {
                    return Err(end);
                }
                drop(ob);
                return Err(SessionEnd::abnormal(
                    ErrorKind::Timeout,
                    "close handshake timed out",
                ));
            }
            if self.pong_deadline.is_some() && inner.ping_outstanding.load(SeqCst) == 0 {
                self.pong_deadline = None; // answered
            }
            // While the receive thread is parked by backpressure (the game is
            // not polling), pongs cannot be read: that is not a dead peer.
            let consumer_behind = inner.dispatch.producer_parked();
            if consumer_behind {
                self.pong_deadline = None;
                inner.ping_outstanding.store(0, SeqCst);
            }
            if self.pong_deadline.is_some_and(|d| now >= d) {
                drop(ob);
                return Err(SessionEnd::abnormal(
                    ErrorKind::Timeout,
                    "pong timeout: peer stopped answering pings",
                ));
            }
            let may_ping = !ob.close_sent && self.pong_deadline.is_none() && !consumer_behind;
            let confirm = self.window.as_ref().is_some_and(Window::needs_ping);
            if may_ping && (confirm || self.next_ping.is_some_and(|t| now >= t)) {
                return Ok(Job::Ping);
            }
            let mut next_ping = self.next_ping.filter(|_| may_ping);
            if confirm && consumer_behind {
                // Nothing wakes us when the consumer catches up; look again soon.
                next_ping = Some(now + CONFIRM_RECHECK);
            }
            let flush_by = ob
                .user_close
                .as_ref()
                .filter(|uc| !uc.sent)
                .map(|uc| uc.flush_by);
            let wake_at = [self.close_deadline, self.pong_deadline, next_ping, flush_by]
                .into_iter()
                .flatten()
                .min();
            if std::mem::take(&mut self.spin_next) {
                // Just finished a write: a send that follows within the spin
                // costs no futex wake (see crate::spin).
                let seen = inner.enqueued.load(SeqCst);
                ob.sender_spinning = true;
                drop(ob);
                let began = Instant::now();
                let found = self.look.look(
                    || inner.enqueued.load(SeqCst) != seen,
                    crate::spin::BEFORE_PARK,
                );
                if !found {
                    self.failed_look_began = Some(began);
                }
                ob = inner.lock_outbox();
                ob.sender_spinning = false;
                continue;
            }
            ob = inner.wait_for_work(ob, wake_at.map(|t| t.saturating_duration_since(now)));
        }
    }

    fn control(&mut self, c: Control) -> io::Result<()> {
        self.scratch.clear();
        match c {
            Control::Pong(p) => self
                .encoder
                .encode_control(Opcode::Pong, p.as_slice(), &mut self.scratch)
                .map_err(usage)?,
            Control::Close(code, reason) => {
                let reason = std::str::from_utf8(reason.as_slice()).unwrap_or("");
                self.encoder
                    .encode_close(code, reason, &mut self.scratch)
                    .map_err(usage)?;
                self.close_deadline = Some(Instant::now() + self.inner.config.close_timeout);
                self.pong_deadline = None;
            }
            Control::FlushTls => return self.writer.flush_tls(),
        }
        self.writer.write_all(&self.scratch)
    }

    fn close(&mut self, code: Option<CloseCode>, reason: &str) -> io::Result<()> {
        // From here the close timeout bounds the wait, not the keep-alive.
        self.pong_deadline = None;
        self.scratch.clear();
        self.encoder
            .encode_close(code, reason, &mut self.scratch)
            .map_err(usage)?;
        self.close_deadline = Some(Instant::now() + self.inner.config.close_timeout);
        self.writer.write_all(&self.scratch)
    }

    /// Zero-copy: each header goes into its buffer's headroom and the
    /// payload is masked in place; the frames go out in one vectored write.
    /// With permessage-deflate the payload changes size, so the frames are
    /// built in the reused scratch buffer instead.
    fn data(&mut self) -> io::Result<()> {
        if self.encoder.has_extension() {
            return self.data_transformed();
        }
        let mut starts = [0usize; MAX_BATCH];
        for (msg, start) in self.batch.iter_mut().zip(starts.iter_mut()) {
            *start = match msg.frame_premasked() {
                Some(start) => start,
                None => self
                    .encoder
                    .encode_in_place(msg.kind.into(), true, msg.buf.vec_mut()),
            };
        }
        let mut slices = [IoSlice::new(&[]); MAX_BATCH];
        for ((slice, msg), start) in slices.iter_mut().zip(&self.batch).zip(starts) {
            *slice = IoSlice::new(&msg.buf[start..]);
        }
        let n = self.batch.len();
        let result = self.writer.write_batch(&mut slices[..n]);
        if result.is_err() {
            // Restore the payloads so the batch can be requeued whole.
            self.batch.iter_mut().for_each(OutMsg::unmask);
        }
        self.finish_batch(&result);
        result
    }

    /// Counts a written batch as sent. A batch whose write failed may have
    /// reached the peer in part; it goes back to the front of the queue, in
    /// order, so a reconnect sends it again (at-least-once) or the final
    /// `Closed` counts it as unsent. Nothing accepted vanishes.
    /// With at-least-once delivery a written batch waits in the window
    /// until the peer confirms it.
    fn finish_batch(&mut self, result: &io::Result<()>) {
        if result.is_ok() {
            for msg in self.batch.drain(..) {
                match self.window.as_mut() {
                    Some(window) => window.retain(msg),
                    None => self.inner.record_sent(msg.size()),
                }
            }
            return;
        }
        let mut ob = self.inner.lock_outbox();
        for msg in self.batch.drain(..).rev() {
            let size = msg.size();
            ob.data.unpop(msg, size);
        }
    }

    /// The batch through the negotiated extension (RFC 7692 §7.2.1), as
    /// one write of frames built in `scratch`.
    fn data_transformed(&mut self) -> io::Result<()> {
        self.scratch.clear();
        for msg in &self.batch {
            let payload = msg.buf.get(MAX_HEADER_LEN..).unwrap_or_default();
            self.encoder
                .encode_message(msg.kind, payload, &mut self.scratch);
        }
        let result = self.writer.write_all(&self.scratch);
        // The payloads were not touched: requeued as they are on failure.
        self.finish_batch(&result);
        // A batch of large messages must not pin its size in memory.
        if self.scratch.capacity() > MAX_BATCH_BYTES {
            self.scratch = Vec::with_capacity(2 + 4 + 125);
        }
        result
    }

    /// Finishes a frame a caller began; requeued whole and plain if the
    /// write fails, like a batch.
    fn rest(&mut self, rest: Unfinished) -> io::Result<()> {
        let Unfinished { msg, from } = rest;
        let result = self.writer.write_all(&msg.buf[from..]);
        match &result {
            Ok(()) => self.inner.record_sent(msg.size()),
            Err(_) => self.inner.lock_outbox().requeue(msg),
        }
        result
    }

    fn ping(&mut self) -> io::Result<()> {
        // The payload is the send time, so the pong carries its own RTT.
        let sent = self.inner.now_us().max(1);
        self.scratch.clear();
        self.encoder
            .encode_control(Opcode::Ping, &sent.to_be_bytes(), &mut self.scratch)
            .map_err(usage)?;
        self.inner.ping_outstanding.store(sent, SeqCst);
        if let Some(window) = self.window.as_mut() {
            window.ping_sent(sent);
        }
        let now = Instant::now();
        self.pong_deadline = Some(now + self.inner.config.keepalive.pong_timeout);
        self.next_ping = self.inner.config.keepalive.ping_interval.map(|i| now + i);
        self.writer.write_all(&self.scratch)
    }
}

/// Our own encoder refusing our own frame is a bug, reported as an I/O error
/// so the session ends instead of panicking.
fn usage(e: devian_ws_protocol::Error) -> io::Error {
    io::Error::other(e.to_string())
}
