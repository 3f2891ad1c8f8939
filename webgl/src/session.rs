//! A connection's session in the browser: the shared lifecycle
//! ([`devian_ws_policy::Lifecycle`], which the native engine uses too) plus what only the
//! browser build keeps here: the send buffer, the event queue and the statistics. Free of
//! I/O, so it runs in plain `cargo test`.
//!
//! The browser layer ([`crate::browser`]) owns the WebSocket and the timer and reports what
//! happened (`opened`, `received`, `closed`, ...); the lifecycle decides what follows
//! (reconnect or not and after how long, buffer or send) and this type queues the events the
//! game polls. `In` is a received message handle and `Out` a buffered outgoing one; tests use
//! byte vectors for both.

use core::time::Duration;
use std::collections::VecDeque;

use devian_ws_policy::lifecycle::{AfterEnd, Lifecycle, SendRoute, UserClose};
use devian_ws_policy::{Auth, BoundedQueue, Stats};

pub use devian_ws_policy::State;

use crate::close;
use crate::error::{Error, ErrorKind, Result};
use crate::event::{ErrorKind as EventErrorKind, Event, MessageKind, Received};
use crate::options::Options;

/// Where to dial: the URL with authentication applied and the sub-protocols to offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dial {
    /// URL for `new WebSocket`.
    pub url: String,
    /// Sub-protocols for `new WebSocket`.
    pub protocols: Vec<String>,
}

/// What to do with a send of the caller's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Hand it to the open socket now (the browser copies it once).
    Now,
    /// Copy it into the send buffer with [`Session::enqueue`]; it goes out after (re)open.
    Queue,
}

/// A message to write on open: the authentication message or a buffered send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing<Out> {
    /// Text rendered by first-message authentication.
    Text(String),
    /// A send buffered while (re)connecting.
    Buffered(Out),
}

/// What follows a close event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterClose {
    /// Dial again after this delay ([`Session::reconnect_due`]).
    Reconnect(Duration),
    /// Nothing: closed for good, or a stale event.
    Done,
}

/// What the browser layer must do for an application close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseAction {
    /// Call `WebSocket.close(code, reason)`; the close event finishes it.
    CloseSocket,
    /// Cancel the pending reconnect timer; the session is already closed.
    CancelTimer,
    /// Nothing to do (never connected, or already closing/closed).
    Nothing,
}

/// One connection's lifecycle, send buffer, event queue and statistics.
#[derive(Debug)]
pub struct Session<In, Out> {
    options: Options,
    lifecycle: Lifecycle,
    /// `connect` was called at least once (a send before that is a usage error, after the
    /// close a closed connection).
    started: bool,
    events: VecDeque<Event<In>>,
    /// Sends buffered while (re)connecting, with their sizes (the shared bounded queue:
    /// full is an error, never a silent drop).
    queue: BoundedQueue<(Out, usize)>,
    stats: Stats,
    protocol: String,
    /// The application closed while the socket was still connecting: its code and reason
    /// are what `Closed` reports, as natively.
    aborted_with: Option<(u16, String)>,
}

impl<In, Out> Session<In, Out> {
    /// A session that was never connected ([`State::Closed`]) with `options`.
    pub fn new(options: Options) -> Self {
        let queue = BoundedQueue::new(options.send_queue);
        Self {
            options,
            lifecycle: Lifecycle::new(),
            started: false,
            events: VecDeque::new(),
            queue,
            stats: Stats::default(),
            protocol: String::new(),
            aborted_with: None,
        }
    }

    /// Current state.
    pub fn state(&self) -> State {
        self.lifecycle.state()
    }

    /// Whether the application asked to close (the socket's own `error` event is then news
    /// to nobody).
    pub fn user_closed(&self) -> bool {
        self.lifecycle.user_closed()
    }

    /// The options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The options, for changes; only before connecting or after the close.
    pub fn options_mut(&mut self) -> Result<&mut Options> {
        match self.state() {
            State::Closed => Ok(&mut self.options),
            _ => Err(Error::new(
                ErrorKind::InvalidState,
                "options can only change before Connect or after the connection closed",
            )),
        }
    }

    /// The sub-protocol the server chose on the last open (empty when none).
    pub fn protocol(&self) -> &str {
        &self.protocol
    }

    /// Starts connecting: checks the options and returns where to dial.
    pub fn connect(&mut self) -> Result<Dial> {
        if self.state() != State::Closed {
            return Err(Error::new(
                ErrorKind::InvalidState,
                "already connecting or connected",
            ));
        }
        self.options.validate()?;
        self.queue = BoundedQueue::new(self.options.send_queue);
        self.aborted_with = None;
        self.started = true;
        self.lifecycle.start();
        self.lifecycle.dial();
        Ok(self.dial())
    }

    /// The first dial could not even start (the browser refused the URL): back to
    /// [`State::Closed`] without events, since the caller gets the error directly.
    pub fn abort_connect(&mut self) {
        if self.state() == State::Connecting {
            self.lifecycle.finished();
        }
    }

    /// The reconnect timer fired: returns where to dial, or `None` if the session moved on
    /// (the application closed it meanwhile).
    pub fn reconnect_due(&mut self) -> Option<Dial> {
        if self.state() != State::Reconnecting || !self.lifecycle.dial() {
            return None;
        }
        Some(self.dial())
    }

    fn dial(&self) -> Dial {
        Dial {
            url: self.options.dial_url(),
            protocols: self.options.dial_protocols(),
        }
    }

    /// The socket opened with `protocol`. Queues the events in the native engine's order
    /// (`Open`, `Authenticated` when authentication is configured, `Reconnected` after a
    /// drop) and returns, in order, what to write now: the first-message authentication,
    /// then every buffered send (seed 002: queued messages are flushed after reconnection).
    /// `now_ms` is the shell's clock (the browser's `Date.now()`).
    pub fn opened(&mut self, protocol: String, now_ms: f64) -> Vec<(Outgoing<Out>, usize)> {
        // The authentication message is handed to the browser in this same call, ahead of
        // the buffer, so the browser build is never observably Authenticating.
        let Some(opened) = self.lifecycle.opened(millis(now_ms), false) else {
            return Vec::new();
        };
        self.events.push_back(Event::Open {
            protocol: (!protocol.is_empty()).then(|| protocol.clone()),
        });
        self.protocol = protocol;
        if self.options.auth != Auth::None {
            self.events.push_back(Event::Authenticated);
        }
        if opened.reconnect {
            self.stats.reconnects += 1;
            self.events.push_back(Event::Reconnected);
        }
        let mut out = Vec::with_capacity(self.queue.len() + 1);
        if let Some(auth) = self.options.auth.first_message() {
            let len = auth.len();
            out.push((Outgoing::Text(auth), len));
        }
        out.extend(
            self.queue
                .drain()
                .map(|(item, len)| (Outgoing::Buffered(item), len)),
        );
        for (_, len) in &out {
            self.count_sent(*len);
        }
        out
    }

    /// A data message arrived.
    pub fn received(&mut self, data: In, len: usize, text: bool) {
        // Browsers deliver messages while closing (RFC 6455 §7.1.4: data may arrive until the
        // peer's Close frame), so accept them in both states.
        if !matches!(self.state(), State::Open | State::Closing) {
            return;
        }
        self.stats.messages_received += 1;
        self.stats.bytes_received += len as u64;
        let kind = if text {
            MessageKind::Text
        } else {
            MessageKind::Binary
        };
        self.events.push_back(Event::Message {
            kind,
            data: Received { data, len },
        });
    }

    /// Something failed (the browser's `error` event has no details; the text says what).
    pub fn failed(&mut self, kind: EventErrorKind, text: impl Into<String>) {
        self.events.push_back(Event::Error {
            kind,
            text: text.into(),
        });
    }

    /// The socket closed with `code` and `reason`, `clean` if the close handshake completed.
    /// `random01` is a uniform sample in [0, 1) for the reconnect jitter; `now_ms` the
    /// shell's clock, as given to [`opened`](Self::opened).
    pub fn closed(
        &mut self,
        code: u16,
        reason: String,
        clean: bool,
        random01: f64,
        now_ms: f64,
    ) -> AfterClose {
        if matches!(self.state(), State::Closed | State::Reconnecting) {
            return AfterClose::Done; // a stale event
        }
        match self
            .lifecycle
            .ended(&self.options.reconnect, code, millis(now_ms), random01)
        {
            AfterEnd::Reconnect { attempt, delay } => {
                self.events
                    .push_back(Event::Reconnecting { attempt, delay });
                AfterClose::Reconnect(delay)
            }
            AfterEnd::Finish => {
                match self.aborted_with.take() {
                    Some((code, reason)) => self.finish(code, reason, false),
                    None => self.finish(code, reason, clean),
                }
                AfterClose::Done
            }
        }
    }

    fn finish(&mut self, code: u16, reason: String, clean: bool) {
        self.lifecycle.finished();
        let dropped = self.queue.len();
        self.queue.clear();
        self.stats.messages_unsent += dropped as u64;
        if dropped > 0 {
            self.failed(
                EventErrorKind::Other,
                format!(
                    "{dropped} buffered send(s) were dropped: the connection closed before \
                     they could be written"
                ),
            );
        }
        self.events.push_back(Event::Closed {
            code,
            reason,
            was_clean: clean,
            unsent: dropped as u64,
        });
    }

    /// Decides where a send of `len` bytes goes; counts it as sent when it goes now.
    /// `writable` is false when the browser socket already left OPEN (the peer started
    /// closing) but its close event has not arrived: `send` would silently discard the data
    /// then, so it is buffered for a reconnect or refused, like before an open.
    pub fn route_send(&mut self, len: usize, writable: bool) -> Result<Route> {
        if self.state() == State::Open && !writable {
            return if self.options.buffer_while_connecting && self.options.reconnect.enabled {
                self.admit(len)
            } else {
                Err(Error::new(ErrorKind::Closed, "the connection is closing"))
            };
        }
        // Unlike the native engine, sends made before the first open are buffered too.
        match self
            .lifecycle
            .route_send(self.options.buffer_while_connecting, true)
        {
            SendRoute::Now => {
                self.count_sent(len);
                Ok(Route::Now)
            }
            SendRoute::Buffer => self.admit(len),
            SendRoute::NotOpen => Err(Error::new(
                ErrorKind::InvalidState,
                "not open, and buffering while (re)connecting is disabled",
            )),
            SendRoute::Closed if !self.started => Err(Error::new(
                ErrorKind::InvalidState,
                "not connected: call Connect first",
            )),
            SendRoute::Closed => Err(Error::new(ErrorKind::Closed, "the connection is closed")),
        }
    }

    fn admit(&self, len: usize) -> Result<Route> {
        let q = &self.queue;
        if q.limits().admits(q.len(), q.bytes(), len) {
            Ok(Route::Queue)
        } else {
            Err(queue_full())
        }
    }

    /// Buffers a send that [`Session::route_send`] routed to the queue.
    pub fn enqueue(&mut self, item: Out, len: usize) -> Result<()> {
        self.queue.push((item, len), len).map_err(|_| queue_full())
    }

    /// The application closes with `code` and `reason` (checked per RFC 6455 §7.4/§5.5).
    pub fn close(&mut self, code: u16, reason: &str) -> Result<CloseAction> {
        close::validate(code, reason)?;
        Ok(match self.lifecycle.user_close() {
            UserClose::Handshake => {
                // The close handshake starts here, as the native engine reports it.
                self.events.push_back(Event::Closing);
                CloseAction::CloseSocket
            }
            UserClose::AbortDial => {
                self.aborted_with = Some((code, reason.to_owned()));
                CloseAction::CloseSocket
            }
            UserClose::CancelReconnect => {
                // No socket to close: the application's own code and reason end it.
                self.finish(code, reason.to_owned(), true);
                CloseAction::CancelTimer
            }
            UserClose::AlreadyClosing | UserClose::Refused => CloseAction::Nothing,
        })
    }

    /// The next event, left in the queue.
    pub fn peek(&self) -> Option<&Event<In>> {
        self.events.front()
    }

    /// Removes and returns the next event.
    pub fn pop(&mut self) -> Option<Event<In>> {
        self.events.pop_front()
    }

    /// A snapshot of the counters, with the current queue depths.
    pub fn stats(&self) -> Stats {
        Stats {
            send_queue_depth: self.queue.len() as u64,
            recv_queue_depth: self.events.len() as u64,
            ..self.stats
        }
    }

    fn count_sent(&mut self, len: usize) {
        self.stats.messages_sent += 1;
        self.stats.bytes_sent += len as u64;
    }
}

/// The browser's millisecond clock as the lifecycle's `Duration` (negative clamps to 0).
fn millis(ms: f64) -> Duration {
    Duration::from_secs_f64((ms / 1000.0).max(0.0))
}

fn queue_full() -> Error {
    Error::new(
        ErrorKind::QueueFull,
        "send buffer full while (re)connecting: raise the queue limits or send less",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use devian_ws_policy::{abi, QueueLimits};

    type S = Session<Vec<u8>, Vec<u8>>;

    fn session(reconnect: bool) -> S {
        let mut o = Options::new("ws://127.0.0.1:1/echo").unwrap();
        o.reconnect.enabled = reconnect;
        o.reconnect.max_attempts = 3;
        o.reconnect.initial_delay = Duration::from_millis(100);
        o.reconnect.jitter = false;
        Session::new(o)
    }

    fn drain(s: &mut S) -> Vec<Event<Vec<u8>>> {
        std::iter::from_fn(|| s.pop()).collect()
    }

    #[test]
    fn open_send_receive_close() {
        let mut s = session(false);
        let dial = s.connect().unwrap();
        assert_eq!(dial.url, "ws://127.0.0.1:1/echo");
        assert_eq!(s.state(), State::Connecting);
        assert!(s.opened("chat".into(), 0.0).is_empty());
        assert_eq!(s.protocol(), "chat");
        assert_eq!(s.route_send(5, true).unwrap(), Route::Now);
        s.received(vec![1, 2], 2, false);
        assert_eq!(s.close(4001, "bye").unwrap(), CloseAction::CloseSocket);
        assert_eq!(
            s.closed(4001, "bye".into(), false, 0.5, 0.0),
            AfterClose::Done
        );
        assert_eq!(
            drain(&mut s),
            vec![
                Event::Open {
                    protocol: Some("chat".into())
                },
                Event::Message {
                    kind: MessageKind::Binary,
                    data: Received {
                        data: vec![1, 2],
                        len: 2
                    },
                },
                Event::Closing,
                Event::Closed {
                    code: 4001,
                    reason: "bye".into(),
                    was_clean: false,
                    unsent: 0
                },
            ]
        );
        let st = s.stats();
        assert_eq!((st.messages_sent, st.bytes_sent), (1, 5));
        assert_eq!((st.messages_received, st.bytes_received), (1, 2));
    }

    #[test]
    fn sends_before_open_are_buffered_then_flushed_in_order() {
        let mut s = session(false);
        s.connect().unwrap();
        for i in 0..3u8 {
            assert_eq!(s.route_send(1, true).unwrap(), Route::Queue);
            s.enqueue(vec![i], 1).unwrap();
        }
        assert_eq!(s.stats().send_queue_depth, 3);
        let out = s.opened(String::new(), 0.0);
        let bytes: Vec<_> = out
            .into_iter()
            .map(|(o, _)| match o {
                Outgoing::Buffered(b) => b[0],
                Outgoing::Text(_) => 255,
            })
            .collect();
        assert_eq!(bytes, [0, 1, 2]);
        assert_eq!(s.stats().messages_sent, 3);
        assert_eq!(s.stats().send_queue_depth, 0);
    }

    #[test]
    fn full_send_buffer_is_an_error_not_a_drop() {
        let mut s = session(false);
        s.options_mut().unwrap().send_queue = QueueLimits {
            max_messages: 1,
            max_bytes: 10,
        };
        s.connect().unwrap();
        assert_eq!(s.route_send(4, true).unwrap(), Route::Queue);
        s.enqueue(vec![0; 4], 4).unwrap();
        assert_eq!(
            s.route_send(4, true).unwrap_err().kind(),
            ErrorKind::QueueFull
        );
        assert_eq!(
            s.enqueue(vec![0; 4], 4).unwrap_err().kind(),
            ErrorKind::QueueFull
        );
    }

    #[test]
    fn send_outside_a_connection_is_refused() {
        let mut s = session(false);
        assert_eq!(
            s.route_send(1, true).unwrap_err().kind(),
            ErrorKind::InvalidState
        );
        s.connect().unwrap();
        s.opened(String::new(), 0.0);
        s.close(1000, "").unwrap();
        assert_eq!(s.route_send(1, true).unwrap_err().kind(), ErrorKind::Closed);
    }

    #[test]
    fn sends_while_the_socket_is_closing_are_buffered_or_refused() {
        // The peer's Close frame arrived (browser readyState CLOSING) but the close event has
        // not: RFC 6455 §5.5.1 forbids data after Close, and browsers drop it silently.
        let mut s = session(false);
        s.connect().unwrap();
        s.opened(String::new(), 0.0);
        assert_eq!(
            s.route_send(1, false).unwrap_err().kind(),
            ErrorKind::Closed
        );
        assert_eq!(s.stats().messages_sent, 0);
        let mut r = session(true);
        r.connect().unwrap();
        r.opened(String::new(), 0.0);
        assert_eq!(r.route_send(1, false).unwrap(), Route::Queue);
    }

    #[test]
    fn buffering_can_be_disabled() {
        let mut s = session(false);
        s.options_mut().unwrap().buffer_while_connecting = false;
        s.connect().unwrap();
        assert_eq!(
            s.route_send(1, true).unwrap_err().kind(),
            ErrorKind::InvalidState
        );
    }

    #[test]
    fn first_message_auth_goes_before_buffered_sends() {
        let mut s = session(false);
        s.options_mut().unwrap().auth = Auth::FirstMessage {
            template: r#"{"type":"{{type}}","token":"{{token}}"}"#.into(),
            token: "t0k".into(),
            message_type: "authenticate".into(),
        };
        s.connect().unwrap();
        s.route_send(1, true).unwrap();
        s.enqueue(vec![7], 1).unwrap();
        let out = s.opened(String::new(), 0.0);
        assert_eq!(out.len(), 2);
        match &out[0] {
            (Outgoing::Text(t), len) => {
                assert!(t.contains("t0k") && t.contains("authenticate"), "{t}");
                assert_eq!(*len, t.len());
            }
            other => panic!("auth message must go first, got {other:?}"),
        }
        assert_eq!(out[1], (Outgoing::Buffered(vec![7]), 1));
        let kinds: Vec<_> = drain(&mut s).iter().map(Event::wire_kind).collect();
        assert_eq!(kinds, [abi::event::OPEN, abi::event::AUTHENTICATED]);
    }

    #[test]
    fn query_and_subprotocol_auth_shape_the_dial() {
        let mut s = session(false);
        s.options_mut().unwrap().set_protocols_csv("chat").unwrap();
        s.options_mut().unwrap().auth = Auth::Subprotocol {
            token: "tok123".into(),
        };
        assert_eq!(s.connect().unwrap().protocols, ["chat", "tok123"]);

        let mut q = session(false);
        q.options_mut().unwrap().auth = Auth::QueryParam {
            name: "token".into(),
            token: "a b".into(),
        };
        let url = q.connect().unwrap().url;
        assert!(url.starts_with("ws://127.0.0.1:1/echo?token="), "{url}");
        assert!(!url.contains(' '), "token must be percent-encoded: {url}");
    }

    #[test]
    fn drop_reconnects_buffers_and_flushes() {
        let mut s = session(true);
        s.connect().unwrap();
        s.opened(String::new(), 0.0);
        // 1006: abnormal closure (RFC 6455 §7.4.1), the server went away without a Close.
        let after = s.closed(1006, String::new(), false, 0.0, 0.0);
        let AfterClose::Reconnect(delay) = after else {
            panic!("1006 must reconnect, got {after:?}")
        };
        assert_eq!(delay, Duration::from_millis(100));
        assert_eq!(s.state(), State::Reconnecting);
        assert_eq!(s.route_send(3, true).unwrap(), Route::Queue);
        s.enqueue(b"abc".to_vec(), 3).unwrap();
        // A failed attempt (server still down) schedules the next one, longer.
        s.reconnect_due().unwrap();
        let AfterClose::Reconnect(second) = s.closed(1006, String::new(), false, 0.0, 0.0) else {
            panic!("second attempt must be scheduled")
        };
        assert!(second >= delay, "{second:?} < {delay:?}");
        s.reconnect_due().unwrap();
        let out = s.opened(String::new(), 0.0);
        assert_eq!(out, vec![(Outgoing::Buffered(b"abc".to_vec()), 3)]);
        let events = drain(&mut s);
        assert!(matches!(events[0], Event::Open { .. }));
        assert!(matches!(events[1], Event::Reconnecting { attempt: 1, .. }));
        assert!(matches!(events[2], Event::Reconnecting { attempt: 2, .. }));
        // Native order on a reconnect: Open, then Reconnected.
        assert!(matches!(events[3], Event::Open { .. }));
        assert!(matches!(events[4], Event::Reconnected));
        assert_eq!(events.len(), 5);
        assert_eq!(s.stats().reconnects, 1);
    }

    #[test]
    fn gives_up_after_max_attempts_and_reports_dropped_sends() {
        let mut s = session(true);
        s.connect().unwrap();
        s.opened(String::new(), 0.0);
        for _ in 0..3 {
            assert!(matches!(
                s.closed(1006, String::new(), false, 0.3, 0.0),
                AfterClose::Reconnect(_)
            ));
            s.reconnect_due().unwrap();
        }
        s.route_send(1, true).unwrap();
        s.enqueue(vec![1], 1).unwrap();
        assert_eq!(
            s.closed(1006, String::new(), false, 0.3, 0.0),
            AfterClose::Done
        );
        assert_eq!(s.state(), State::Closed);
        let events = drain(&mut s);
        let n = events.len();
        assert!(matches!(events[n - 2], Event::Error { .. }), "{events:?}");
        assert_eq!(
            events[n - 1],
            Event::Closed {
                code: 1006,
                reason: String::new(),
                was_clean: false,
                unsent: 1
            }
        );
        assert_eq!(s.stats().messages_unsent, 1);
    }

    // Like the native engine: a server that accepts and drops at once does not reset the
    // attempt count, so max_attempts is reached; a connection that stayed up does reset it.
    #[test]
    fn attempts_start_over_only_after_a_stable_connection() {
        let mut s = session(true);
        s.connect().unwrap();
        let mut attempts = Vec::new();
        let mut now = 0.0;
        loop {
            s.opened(String::new(), now);
            now += 10.0; // dropped 10 ms after opening
            match s.closed(1011, String::new(), false, 0.0, now) {
                AfterClose::Reconnect(_) => s.reconnect_due().unwrap(),
                AfterClose::Done => break,
            };
        }
        for e in drain(&mut s) {
            if let Event::Reconnecting { attempt, .. } = e {
                attempts.push(attempt);
            }
        }
        assert_eq!(attempts, vec![1, 2, 3]);

        let mut s = session(true);
        s.connect().unwrap();
        for _ in 0..5 {
            s.opened(String::new(), now);
            now += 60_000.0; // a minute of service each time
            assert!(matches!(
                s.closed(1006, String::new(), false, 0.0, now),
                AfterClose::Reconnect(_)
            ));
            s.reconnect_due().unwrap();
        }
        let attempts: Vec<u32> = drain(&mut s)
            .into_iter()
            .filter_map(|e| match e {
                Event::Reconnecting { attempt, .. } => Some(attempt),
                _ => None,
            })
            .collect();
        assert_eq!(attempts, vec![1; 5]);
    }

    #[test]
    fn normal_close_from_the_server_does_not_reconnect() {
        // 1000 is not in the reconnect codes: the server ended the session on purpose.
        let mut s = session(true);
        s.connect().unwrap();
        s.opened(String::new(), 0.0);
        assert_eq!(
            s.closed(1000, "done".into(), false, 0.1, 0.0),
            AfterClose::Done
        );
        assert_eq!(s.state(), State::Closed);
    }

    #[test]
    fn aborted_connect_leaves_no_events() {
        let mut s = session(true);
        s.connect().unwrap();
        s.abort_connect();
        assert_eq!(s.state(), State::Closed);
        assert!(s.peek().is_none());
        assert!(s.connect().is_ok());
    }

    #[test]
    fn first_dial_failure_is_retried_like_native() {
        let mut s = session(true);
        s.connect().unwrap();
        assert!(matches!(
            s.closed(1006, String::new(), false, 0.1, 0.0),
            AfterClose::Reconnect(_)
        ));
        s.reconnect_due().unwrap();
        s.opened(String::new(), 0.0);
        // The first open after failed dials is an Open, not a Reconnected.
        let kinds: Vec<_> = drain(&mut s).iter().map(Event::wire_kind).collect();
        assert_eq!(kinds, [abi::event::RECONNECTING, abi::event::OPEN]);
        assert_eq!(s.stats().reconnects, 0);
    }

    #[test]
    fn first_dial_failure_without_reconnect_is_reported() {
        let mut s = session(false);
        s.connect().unwrap();
        assert_eq!(
            s.closed(1006, String::new(), false, 0.1, 0.0),
            AfterClose::Done
        );
        assert_eq!(s.state(), State::Closed);
        // And the session can be connected again afterwards.
        assert!(s.connect().is_ok());
    }

    #[test]
    fn close_while_reconnecting_cancels_the_timer() {
        let mut s = session(true);
        s.connect().unwrap();
        s.opened(String::new(), 0.0);
        s.closed(1001, String::new(), false, 0.0, 0.0);
        assert_eq!(s.close(1000, "quit").unwrap(), CloseAction::CancelTimer);
        assert_eq!(s.state(), State::Closed);
        assert_eq!(s.reconnect_due(), None, "a late timer must not dial");
        assert_eq!(s.close(1000, "").unwrap(), CloseAction::Nothing);
    }

    #[test]
    fn invalid_close_arguments_leave_the_state_alone() {
        let mut s = session(false);
        s.connect().unwrap();
        s.opened(String::new(), 0.0);
        assert!(s.close(1006, "").is_err());
        assert_eq!(s.state(), State::Open);
    }

    #[test]
    fn stale_events_are_ignored() {
        let mut s = session(false);
        assert!(s.opened(String::new(), 0.0).is_empty());
        s.received(vec![1], 1, false);
        assert_eq!(
            s.closed(1000, String::new(), false, 0.0, 0.0),
            AfterClose::Done
        );
        assert!(s.peek().is_none());
        assert_eq!(s.state(), State::Closed);
    }

    #[test]
    fn options_are_frozen_while_connected() {
        let mut s = session(false);
        s.connect().unwrap();
        assert_eq!(s.options_mut().unwrap_err().kind(), ErrorKind::InvalidState);
        assert_eq!(s.connect().unwrap_err().kind(), ErrorKind::InvalidState);
    }
}
