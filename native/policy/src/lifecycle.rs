//! One connection's lifecycle, free of I/O: the state, and what follows each
//! thing that happens to the connection (dialed, opened, authenticated, a close
//! started, the connection ended, the user closed). The native engine's threads
//! and the WebGL module's browser callbacks do the I/O and report here; both
//! read the same state and take the same decisions, reconnects included.
//!
//! Time comes in as a `Duration` on the shell's own clock (any fixed origin),
//! randomness as a uniform sample, as everywhere in this crate.

use core::time::Duration;

use crate::abi;
use crate::ReconnectPolicy;

/// Connection states, numbered as the C ABI's [`abi::state`] (C#
/// `WebSocketState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum State {
    /// Not connected: before connect, or ended for good.
    Closed = abi::state::CLOSED as u8,
    /// Dialing: TCP, TLS or the upgrade handshake (the browser's CONNECTING).
    Connecting = abi::state::CONNECTING as u8,
    /// Open; the first-message authentication is being written.
    Authenticating = abi::state::AUTHENTICATING as u8,
    /// Open.
    Open = abi::state::OPEN as u8,
    /// The close handshake is in progress.
    Closing = abi::state::CLOSING as u8,
    /// Dropped; waiting to dial again.
    Reconnecting = abi::state::RECONNECTING as u8,
}

impl State {
    /// The number the C ABI reports for this state.
    pub const fn wire(self) -> u32 {
        self as u32
    }
}

/// What the shell learns when the connection opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opened {
    /// An earlier dial of this connection had opened: report `Reconnected`
    /// once the connection is usable (after authentication, if any).
    pub reconnect: bool,
}

/// What follows the end of a connection (a drop, a failed dial, or the end of
/// the close handshake).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterEnd {
    /// Report `Reconnecting { attempt, delay }` and dial again after `delay`
    /// (the state is [`State::Reconnecting`] meanwhile).
    Reconnect {
        /// 1-based attempt number.
        attempt: u32,
        /// Backoff (with jitter when the policy says so) before the dial.
        delay: Duration,
    },
    /// Over for good: report `Closed`, then call [`Lifecycle::finished`].
    Finish,
}

/// What the shell must do for the user's close request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserClose {
    /// Open: send the Close frame (the state is now [`State::Closing`]).
    Handshake,
    /// Still dialing: abort the dial; no Close frame is possible yet. The end
    /// that follows is final.
    AbortDial,
    /// Waiting to reconnect: cancel the wait and finish with the user's code.
    CancelReconnect,
    /// The peer started the close handshake already; it ends the connection,
    /// for good now.
    AlreadyClosing,
    /// Closed, or the user already asked: refuse.
    Refused,
}

/// Where a message the application sends now goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendRoute {
    /// To the socket (open).
    Now,
    /// Into the bounded buffer that is flushed after the (re)open.
    Buffer,
    /// Refused: not open yet, and not a case for the buffer.
    NotOpen,
    /// Refused: closing or closed.
    Closed,
}

/// One connection's lifecycle.
///
/// Invariants: the state moves only through these methods; `attempt` counts
/// reconnect attempts since the connection last stayed open for the policy's
/// `stable_after`; after [`Lifecycle::user_close`] accepted a close, no end
/// leads to a reconnect.
#[derive(Debug, Clone)]
pub struct Lifecycle {
    state: State,
    attempt: u32,
    /// Opened at least once since `start`: later opens are reconnects.
    ever_open: bool,
    /// When the current connection opened (the shell's clock), while open.
    opened_at: Option<Duration>,
    /// Dropped and not yet usable again: sends go to the reconnect buffer.
    resuming: bool,
    /// The user asked to close: the end is final.
    user_closed: bool,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self::new()
    }
}

impl Lifecycle {
    /// A connection that was never started ([`State::Closed`]).
    pub const fn new() -> Self {
        Lifecycle {
            state: State::Closed,
            attempt: 0,
            ever_open: false,
            opened_at: None,
            resuming: false,
            user_closed: false,
        }
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Whether the connection dropped and is not usable again yet (sends go to
    /// the reconnect buffer, if there is one).
    pub fn resuming(&self) -> bool {
        self.resuming
    }

    /// Whether the user asked to close (the connection is finishing for good).
    pub fn user_closed(&self) -> bool {
        self.user_closed
    }

    /// Starts the connection: [`State::Closed`] to [`State::Connecting`], with
    /// the reconnect count and history reset. `false` (and no change) when it
    /// is not closed.
    pub fn start(&mut self) -> bool {
        if self.state != State::Closed {
            return false;
        }
        *self = Lifecycle {
            state: State::Connecting,
            ..Lifecycle::new()
        };
        true
    }

    /// A dial begins (the first, or a reconnect whose wait is over):
    /// [`State::Connecting`]. `false` when the connection moved on (the user
    /// closed it meanwhile): do not dial.
    pub fn dial(&mut self) -> bool {
        match self.state {
            State::Connecting | State::Reconnecting if !self.user_closed => {
                self.state = State::Connecting;
                true
            }
            _ => false,
        }
    }

    /// The upgrade completed at `now`: [`State::Authenticating`] when a
    /// first-message authentication must be written before anything else,
    /// [`State::Open`] otherwise. `None` when it was not dialing (a stale
    /// open after the user closed).
    pub fn opened(&mut self, now: Duration, authenticating: bool) -> Option<Opened> {
        if self.state != State::Connecting || self.user_closed {
            return None;
        }
        self.state = if authenticating {
            State::Authenticating
        } else {
            State::Open
        };
        if !authenticating {
            self.resuming = false;
        }
        self.opened_at = Some(now);
        let reconnect = self.ever_open;
        self.ever_open = true;
        Some(Opened { reconnect })
    }

    /// The authentication message went out: [`State::Open`], and sends stop
    /// going to the reconnect buffer.
    pub fn authenticated(&mut self) {
        if self.state == State::Authenticating {
            self.state = State::Open;
        }
        self.resuming = false;
    }

    /// A close handshake started, from either side: [`State::Closing`].
    /// `true` when this moved the state (report `Closing` then, once).
    pub fn closing(&mut self) -> bool {
        match self.state {
            State::Open | State::Authenticating => {
                self.state = State::Closing;
                true
            }
            _ => false,
        }
    }

    /// The user asks to close. Accepted once; the end that follows is final.
    pub fn user_close(&mut self) -> UserClose {
        if self.user_closed || self.state == State::Closed {
            return UserClose::Refused;
        }
        self.user_closed = true;
        match self.state {
            State::Open | State::Authenticating => {
                self.state = State::Closing;
                UserClose::Handshake
            }
            State::Connecting => UserClose::AbortDial,
            State::Reconnecting => UserClose::CancelReconnect,
            State::Closing | State::Closed => UserClose::AlreadyClosing,
        }
    }

    /// The connection ended at `now` with close `code` (1006 for a drop, the
    /// peer's code after a close handshake): reconnect per `policy`, or
    /// finish. `random01` is a uniform sample in [0, 1) for the jitter.
    pub fn ended(
        &mut self,
        policy: &ReconnectPolicy,
        code: u16,
        now: Duration,
        random01: f64,
    ) -> AfterEnd {
        let open_for = self.opened_at.take().map(|t| now.saturating_sub(t));
        if self.user_closed || self.state == State::Closed {
            return AfterEnd::Finish;
        }
        // Only a connection that stayed up starts the count over, so a server
        // that accepts and drops at once still runs out of attempts. A first
        // dial that fails is retried too.
        let attempt = policy.next_attempt(self.attempt, open_for);
        if !policy.should_reconnect(code, false, attempt) {
            return AfterEnd::Finish;
        }
        self.attempt = attempt;
        self.state = State::Reconnecting;
        self.resuming = true;
        AfterEnd::Reconnect {
            attempt,
            delay: policy.delay_after(code, attempt, random01),
        }
    }

    /// Over for good: [`State::Closed`]. [`Lifecycle::start`] may begin again.
    pub fn finished(&mut self) {
        self.state = State::Closed;
        self.resuming = false;
        self.opened_at = None;
    }

    /// Where a send goes now. `buffer_first_dial`: the shell buffers sends made
    /// before the first open too (the WebGL module does; the native engine
    /// refuses them). `buffer_enabled`: the reconnect buffer is on.
    pub fn route_send(&self, buffer_enabled: bool, buffer_first_dial: bool) -> SendRoute {
        if self.user_closed {
            return SendRoute::Closed;
        }
        match self.state {
            State::Open if !self.resuming => SendRoute::Now,
            State::Closing | State::Closed => SendRoute::Closed,
            _ if buffer_enabled && (self.resuming || buffer_first_dial) => SendRoute::Buffer,
            _ => SendRoute::NotOpen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn policy() -> ReconnectPolicy {
        ReconnectPolicy {
            enabled: true,
            max_attempts: 3,
            initial_delay: ms(100),
            multiplier: 2.0,
            max_delay: ms(1000),
            jitter: false,
            ..ReconnectPolicy::default()
        }
    }

    fn open(l: &mut Lifecycle, now: u64) -> Opened {
        assert!(l.dial());
        l.opened(ms(now), false).expect("dialing")
    }

    #[test]
    fn states_are_the_abis_numbers() {
        assert_eq!(State::Closed.wire(), abi::state::CLOSED);
        assert_eq!(State::Connecting.wire(), abi::state::CONNECTING);
        assert_eq!(State::Authenticating.wire(), abi::state::AUTHENTICATING);
        assert_eq!(State::Open.wire(), abi::state::OPEN);
        assert_eq!(State::Closing.wire(), abi::state::CLOSING);
        assert_eq!(State::Reconnecting.wire(), abi::state::RECONNECTING);
    }

    #[test]
    fn start_open_authenticate() {
        let mut l = Lifecycle::new();
        assert_eq!(l.state(), State::Closed);
        assert!(l.start());
        assert!(!l.start(), "starting twice");
        assert!(l.dial());
        assert_eq!(l.opened(ms(0), true), Some(Opened { reconnect: false }));
        assert_eq!(l.state(), State::Authenticating);
        assert_eq!(l.route_send(true, false), SendRoute::NotOpen);
        l.authenticated();
        assert_eq!(l.state(), State::Open);
        assert_eq!(l.route_send(true, false), SendRoute::Now);
    }

    // RFC 6455 §7.4.1: 1006 (no Close frame) is a drop; the default policy retries it.
    #[test]
    fn a_drop_reconnects_with_backoff_and_the_next_open_is_a_reconnect() {
        let p = policy();
        let mut l = Lifecycle::new();
        l.start();
        open(&mut l, 0);
        let after = l.ended(&p, 1006, ms(10), 0.5);
        assert_eq!(
            after,
            AfterEnd::Reconnect {
                attempt: 1,
                delay: ms(100)
            }
        );
        assert_eq!(l.state(), State::Reconnecting);
        // Sends made while reconnecting go to the buffer (seed 002), or are refused without one.
        assert_eq!(l.route_send(true, false), SendRoute::Buffer);
        assert_eq!(l.route_send(false, false), SendRoute::NotOpen);
        assert_eq!(open(&mut l, 20), Opened { reconnect: true });
        assert_eq!(l.route_send(true, false), SendRoute::Now);
    }

    #[test]
    fn attempts_run_out_unless_a_connection_stays_up() {
        let p = policy();
        let mut l = Lifecycle::new();
        l.start();
        for attempt in 1..=3 {
            assert!(l.dial());
            assert_eq!(
                l.ended(&p, 1006, ms(0), 0.0),
                AfterEnd::Reconnect {
                    attempt,
                    delay: ms(100 << (attempt - 1))
                }
            );
        }
        assert!(l.dial());
        assert_eq!(l.ended(&p, 1006, ms(0), 0.0), AfterEnd::Finish);
        l.finished();
        assert_eq!(l.state(), State::Closed);

        // A connection that stayed open for `stable_after` starts the count over.
        let mut l = Lifecycle::new();
        l.start();
        open(&mut l, 0);
        l.ended(&p, 1006, ms(1), 0.0);
        open(&mut l, 1_000);
        let stable = 1_000 + p.stable_after.as_millis() as u64;
        assert_eq!(
            l.ended(&p, 1006, ms(stable), 0.0),
            AfterEnd::Reconnect {
                attempt: 1,
                delay: ms(100)
            }
        );
    }

    // 1013 "Try Again Later" (RFC 6455 §7.4.1, IANA registry): the server asked for a
    // pause, so the delay is at least the policy's try_again_later_delay. (Was an engine
    // test against a real server; only the decision is under test.)
    #[test]
    fn try_again_later_waits_longer() {
        let p = ReconnectPolicy {
            try_again_later_delay: ms(400),
            ..policy()
        };
        let mut l = Lifecycle::new();
        l.start();
        open(&mut l, 0);
        assert_eq!(
            l.ended(&p, 1013, ms(1), 0.0),
            AfterEnd::Reconnect {
                attempt: 1,
                delay: ms(400)
            }
        );
    }

    // RFC 6455 §7.4.1: 1000 is a normal closure, not a reason to come back.
    #[test]
    fn a_normal_close_or_a_disabled_policy_finishes() {
        let mut l = Lifecycle::new();
        l.start();
        open(&mut l, 0);
        assert!(l.closing());
        assert!(!l.closing(), "Closing is reported once");
        assert_eq!(l.ended(&policy(), 1000, ms(5), 0.0), AfterEnd::Finish);

        let mut l = Lifecycle::new();
        l.start();
        open(&mut l, 0);
        assert_eq!(
            l.ended(&ReconnectPolicy::disabled(), 1006, ms(5), 0.0),
            AfterEnd::Finish
        );
    }

    #[test]
    fn a_user_close_is_final_in_every_state() {
        let p = policy();
        let mut l = Lifecycle::new();
        assert_eq!(l.user_close(), UserClose::Refused, "never started");

        l.start();
        assert_eq!(l.user_close(), UserClose::AbortDial);
        assert!(!l.dial(), "no dial after the user closed");
        assert_eq!(l.ended(&p, 1006, ms(0), 0.0), AfterEnd::Finish);
        assert_eq!(l.route_send(true, true), SendRoute::Closed);

        let mut l = Lifecycle::new();
        l.start();
        open(&mut l, 0);
        assert_eq!(l.user_close(), UserClose::Handshake);
        assert_eq!(l.state(), State::Closing);
        assert_eq!(l.user_close(), UserClose::Refused, "closing twice");
        assert_eq!(l.ended(&p, 1006, ms(1), 0.0), AfterEnd::Finish);

        let mut l = Lifecycle::new();
        l.start();
        open(&mut l, 0);
        l.ended(&p, 1006, ms(1), 0.0);
        assert_eq!(l.user_close(), UserClose::CancelReconnect);
        assert!(!l.dial());

        let mut l = Lifecycle::new();
        l.start();
        open(&mut l, 0);
        assert!(l.closing(), "the peer's Close");
        assert_eq!(l.user_close(), UserClose::AlreadyClosing);
        assert_eq!(l.ended(&p, 1006, ms(1), 0.0), AfterEnd::Finish);
    }

    #[test]
    fn a_stale_open_after_a_user_close_changes_nothing() {
        let mut l = Lifecycle::new();
        l.start();
        l.dial();
        l.user_close();
        assert_eq!(l.opened(ms(0), false), None);
        assert_eq!(l.state(), State::Connecting);
    }

    #[test]
    fn sends_before_the_first_open_follow_the_shells_choice() {
        let mut l = Lifecycle::new();
        assert_eq!(l.route_send(true, true), SendRoute::Closed, "never started");
        l.start();
        assert_eq!(l.route_send(true, false), SendRoute::NotOpen);
        assert_eq!(l.route_send(true, true), SendRoute::Buffer);
        assert_eq!(l.route_send(false, true), SendRoute::NotOpen);
    }

    #[test]
    fn after_finishing_it_can_start_over() {
        let p = policy();
        let mut l = Lifecycle::new();
        l.start();
        l.user_close();
        l.ended(&p, 1006, ms(0), 0.0);
        l.finished();
        assert!(l.start());
        assert!(!l.user_closed());
        assert_eq!(open(&mut l, 0), Opened { reconnect: false });
    }
}
