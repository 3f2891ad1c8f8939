//! Reconnect schedule: exponential backoff, full jitter, a cap, and which close codes retry.
use core::time::Duration;

/// When and how often to reconnect after the connection drops.
#[derive(Debug, Clone, PartialEq)]
pub struct ReconnectPolicy {
    /// Reconnect at all.
    pub enabled: bool,
    /// Attempts before giving up; 0 means unlimited.
    pub max_attempts: u32,
    /// Delay before the first attempt.
    pub initial_delay: Duration,
    /// Growth factor per attempt.
    pub multiplier: f64,
    /// Cap on any delay (default 30 s).
    pub max_delay: Duration,
    /// Full jitter: the delay is uniform in [0, backoff].
    pub jitter: bool,
    /// Close codes that trigger a reconnect (default 1006, 1001, 1011, 1012, 1013).
    pub reconnect_codes: Vec<u16>,
    /// How long a connection must stay open before the attempt count starts
    /// over (default 5 s). A server that accepts the upgrade and drops the
    /// connection at once therefore still runs out of `max_attempts`.
    pub stable_after: Duration,
    /// The least delay after a 1013 "try again later" close (default 5 s,
    /// capped by `max_delay`): the server asked for a pause.
    pub try_again_later_delay: Duration,
}

/// The close codes that mean "try again later" (seed 002): abnormal closure,
/// going away, internal error, service restart, try again later.
pub const DEFAULT_RECONNECT_CODES: [u16; 5] = [1006, 1001, 1011, 1012, 1013];

impl Default for ReconnectPolicy {
    /// Seed 002 defaults: enabled, 10 attempts, 1 s doubling up to 30 s, full jitter.
    fn default() -> Self {
        ReconnectPolicy {
            enabled: true,
            max_attempts: 10,
            initial_delay: Duration::from_secs(1),
            multiplier: 2.0,
            max_delay: Duration::from_secs(30),
            jitter: true,
            reconnect_codes: DEFAULT_RECONNECT_CODES.to_vec(),
            stable_after: Duration::from_secs(5),
            try_again_later_delay: Duration::from_secs(5),
        }
    }
}

impl ReconnectPolicy {
    /// A policy that never reconnects.
    pub fn disabled() -> Self {
        ReconnectPolicy {
            enabled: false,
            ..Self::default()
        }
    }

    /// The backoff before attempt `attempt` (1-based) without jitter:
    /// `min(max_delay, initial_delay * multiplier^(attempt-1))`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let max = self.max_delay.as_secs_f64();
        let initial = self.initial_delay.as_secs_f64();
        // A non-finite or sub-1 multiplier would shrink or explode the delay;
        // treat it as "no growth" rather than produce NaN.
        let mult = if self.multiplier.is_finite() && self.multiplier >= 1.0 {
            self.multiplier
        } else {
            1.0
        };
        let exp = attempt.saturating_sub(1).min(i32::MAX as u32) as i32;
        let raw = initial * mult.powi(exp);
        // powi overflows to +inf for large exponents; min() then caps it.
        let secs = if raw.is_finite() { raw.min(max) } else { max };
        Duration::from_secs_f64(secs.max(0.0))
    }

    /// The delay before attempt `attempt` (1-based); `random01` is a uniform sample in [0, 1).
    ///
    /// With jitter on, this is "full jitter": uniform in `[0, backoff(attempt)]`.
    /// Out-of-range samples are clamped, so a bad random source cannot exceed the cap.
    pub fn delay(&self, attempt: u32, random01: f64) -> Duration {
        let backoff = self.backoff(attempt);
        if !self.jitter {
            return backoff;
        }
        let r = if random01.is_finite() {
            random01.clamp(0.0, 1.0)
        } else {
            0.0
        };
        Duration::from_secs_f64(backoff.as_secs_f64() * r)
    }

    /// The delay before attempt `attempt` after a close with `code`: as
    /// [`delay`](Self::delay), but at least `try_again_later_delay` (within
    /// `max_delay`) after 1013 "try again later" (RFC 6455 §7.4.1, IANA registry).
    pub fn delay_after(&self, code: u16, attempt: u32, random01: f64) -> Duration {
        let delay = self.delay(attempt, random01);
        if code == 1013 {
            delay.max(self.try_again_later_delay.min(self.max_delay))
        } else {
            delay
        }
    }

    /// The attempt number after a connection ended: 1 if it had stayed open
    /// for `stable_after` (the count starts over), otherwise `previous + 1`.
    /// `open_for` is `None` when it never opened.
    pub fn next_attempt(&self, previous: u32, open_for: Option<Duration>) -> u32 {
        match open_for {
            Some(d) if d >= self.stable_after => 1,
            _ => previous.saturating_add(1),
        }
    }

    /// Whether to try attempt `attempt` (1-based) after a close with `code`.
    /// Never after the user's own close.
    pub fn should_reconnect(&self, code: u16, user_closed: bool, attempt: u32) -> bool {
        if !self.enabled || user_closed || attempt == 0 {
            return false;
        }
        if self.max_attempts != 0 && attempt > self.max_attempts {
            return false;
        }
        self.reconnect_codes.contains(&code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_jitter() -> ReconnectPolicy {
        ReconnectPolicy {
            jitter: false,
            ..ReconnectPolicy::default()
        }
    }

    #[test]
    fn defaults_match_seed_002() {
        let p = ReconnectPolicy::default();
        assert!(p.enabled);
        assert_eq!(p.max_attempts, 10);
        assert_eq!(p.initial_delay, Duration::from_secs(1));
        assert_eq!(p.max_delay, Duration::from_secs(30));
        assert!(p.jitter);
        assert_eq!(p.reconnect_codes, vec![1006, 1001, 1011, 1012, 1013]);
    }

    #[test]
    fn attempts_start_over_only_after_a_stable_connection() {
        let p = ReconnectPolicy::default();
        // Never opened, or dropped right after the upgrade: the count goes on.
        assert_eq!(p.next_attempt(0, None), 1);
        assert_eq!(p.next_attempt(3, None), 4);
        assert_eq!(p.next_attempt(3, Some(Duration::from_millis(10))), 4);
        // Open long enough: a fresh start.
        assert_eq!(p.next_attempt(3, Some(Duration::from_secs(5))), 1);
        // So an accept-then-close server exhausts max_attempts.
        let mut attempt = 0;
        let mut tries = 0;
        loop {
            attempt = p.next_attempt(attempt, Some(Duration::ZERO));
            if !p.should_reconnect(1011, false, attempt) {
                break;
            }
            tries += 1;
        }
        assert_eq!(tries, p.max_attempts);
    }

    // 1013 Try Again Later (IANA WebSocket close code registry): wait longer.
    #[test]
    fn try_again_later_waits_at_least_its_own_delay() {
        let p = no_jitter();
        assert_eq!(p.delay_after(1006, 1, 0.5), Duration::from_secs(1));
        assert_eq!(p.delay_after(1013, 1, 0.5), Duration::from_secs(5));
        assert_eq!(p.delay_after(1013, 6, 0.5), Duration::from_secs(30));
        let capped = ReconnectPolicy {
            max_delay: Duration::from_secs(2),
            ..no_jitter()
        };
        assert_eq!(capped.delay_after(1013, 1, 0.5), Duration::from_secs(2));
    }

    #[test]
    fn backoff_doubles_then_caps() {
        let p = no_jitter();
        let secs: Vec<f64> = (1..=7).map(|n| p.delay(n, 0.5).as_secs_f64()).collect();
        assert_eq!(secs, vec![1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]);
        // Huge attempt numbers must not overflow to NaN or panic.
        assert_eq!(p.delay(u32::MAX, 0.5), Duration::from_secs(30));
    }

    #[test]
    fn full_jitter_scales_the_backoff() {
        let p = ReconnectPolicy::default();
        assert_eq!(p.delay(3, 0.0), Duration::ZERO);
        assert_eq!(p.delay(3, 0.25), Duration::from_secs(1));
        assert_eq!(p.delay(3, 0.5), Duration::from_secs(2));
        // Capped attempt: jitter is applied to the cap, never beyond it.
        assert_eq!(p.delay(20, 0.5), Duration::from_secs(15));
    }

    #[test]
    fn bad_samples_are_clamped() {
        let p = ReconnectPolicy::default();
        assert_eq!(p.delay(1, 7.0), Duration::from_secs(1));
        assert_eq!(p.delay(1, -1.0), Duration::ZERO);
        assert_eq!(p.delay(1, f64::NAN), Duration::ZERO);
    }

    #[test]
    fn degenerate_multiplier_means_constant_delay() {
        let p = ReconnectPolicy {
            multiplier: f64::NAN,
            jitter: false,
            ..ReconnectPolicy::default()
        };
        assert_eq!(p.delay(5, 0.0), Duration::from_secs(1));
        let p = ReconnectPolicy {
            multiplier: 0.5,
            jitter: false,
            ..ReconnectPolicy::default()
        };
        assert_eq!(p.delay(5, 0.0), Duration::from_secs(1));
    }

    #[test]
    fn never_after_user_close() {
        let p = ReconnectPolicy::default();
        assert!(p.should_reconnect(1006, false, 1));
        assert!(!p.should_reconnect(1006, true, 1));
    }

    #[test]
    fn respects_max_attempts_and_unlimited() {
        let p = ReconnectPolicy::default();
        assert!(p.should_reconnect(1006, false, 10));
        assert!(!p.should_reconnect(1006, false, 11));
        let unlimited = ReconnectPolicy {
            max_attempts: 0,
            ..ReconnectPolicy::default()
        };
        assert!(unlimited.should_reconnect(1006, false, 1_000_000));
    }

    // RFC 6455 §7.4.1: 1000 (normal) and 1002 (protocol error) are final; the
    // transient set retries.
    #[test]
    fn only_configured_codes_retry() {
        let p = ReconnectPolicy::default();
        for code in [1006, 1001, 1011, 1012, 1013] {
            assert!(p.should_reconnect(code, false, 1), "{code}");
        }
        for code in [1000, 1002, 1003, 1007, 1008, 1009, 4000] {
            assert!(!p.should_reconnect(code, false, 1), "{code}");
        }
        let custom = ReconnectPolicy {
            reconnect_codes: vec![4000],
            ..ReconnectPolicy::default()
        };
        assert!(custom.should_reconnect(4000, false, 1));
        assert!(!custom.should_reconnect(1006, false, 1));
    }

    #[test]
    fn disabled_never_reconnects() {
        let p = ReconnectPolicy::disabled();
        assert!(!p.should_reconnect(1006, false, 1));
    }
}
