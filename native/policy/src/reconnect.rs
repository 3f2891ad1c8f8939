//! Reconnect schedule: exponential backoff, full jitter, a cap, and which close codes retry.
// CONTRACT STUB.
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
}

impl ReconnectPolicy {
    /// The delay before attempt `attempt` (1-based); `random01` is a uniform sample in [0, 1).
    pub fn delay(&self, _attempt: u32, _random01: f64) -> Duration {
        todo!()
    }

    /// Whether to try attempt `attempt` (1-based) after a close with `code`.
    /// Never after the user's own close.
    pub fn should_reconnect(&self, _code: u16, _user_closed: bool, _attempt: u32) -> bool {
        todo!()
    }
}
