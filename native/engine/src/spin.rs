//! Looking again for a few microseconds before parking a thread.
//!
//! Waking a parked thread (a futex wake, then the scheduler) took tens of
//! microseconds on the 2-core VM measured, about as long as a loopback
//! round trip, and a round trip through the engine can pay it twice (send
//! thread, consumer). A thread about to park looks again for a short while
//! first, so a send or a reply that comes within it costs no wake at all.
//! It yields between looks, so on a shared core the thread that will
//! produce the work gets to run.

use std::time::{Duration, Instant};

/// How long a thread that just worked looks again before it parks. Measured
/// on loopback echo (2-core VM, 16 B): 20 µs catches too few replies under
/// load (p50 74-102 µs), 50 µs brings the round trip to tungstenite's
/// (p50 24-32 µs against 121-129 µs without), 100 µs gains nothing more.
/// A game sending 60 messages a second pays at most 3 ms of CPU a second.
pub(crate) const BEFORE_PARK: Duration = Duration::from_micros(50);

/// Looks at `ready` until it holds (`true`) or `limit` passes (`false`).
pub(crate) fn until(ready: impl Fn() -> bool, limit: Duration) -> bool {
    if limit.is_zero() {
        return ready();
    }
    let start = Instant::now();
    let mut looks = 0u32;
    loop {
        if ready() {
            return true;
        }
        looks = looks.wrapping_add(1);
        if looks % 16 == 0 {
            if start.elapsed() >= limit {
                return false;
            }
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
}
