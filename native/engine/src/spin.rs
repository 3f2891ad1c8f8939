//! Looking again for a few microseconds before parking a thread.
//!
//! Waking a parked thread (a futex wake, then the scheduler) took tens of
//! microseconds on the 2-core VM measured, about as long as a loopback
//! round trip, and a round trip through the engine can pay it twice (send
//! thread, consumer). A thread about to park looks again for a short while
//! first, so a send or a reply that comes within it costs no wake at all.
//! It yields between looks, so on a shared core the thread that will
//! produce the work gets to run.

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
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

/// Like [`until`], but only while the core is wanted by other threads:
/// gives up (`false`) as soon as a yield comes back at once, i.e. nothing
/// else was ready to run here.
///
/// A stream's consumer waits for a receive thread that shares its core.
/// While the core is busy (the server or the receive thread runs on it),
/// yielding hands it over at the cost of a yield, cheaper than a futex
/// wake per message. On an otherwise idle core, looking only burns the
/// idle time: parking is cheaper there. Measured, 2-core VM, client
/// threads on one CPU, CPU per message streamed down, looking vs parking:
/// server on the same CPU 16 B 0.61 vs 0.76 µs, 1 MiB 215 vs 474 µs;
/// server on the other CPU 16 B 7.1 vs 4.8 µs, 1 KiB 8.6 vs 5.4 µs.
pub(crate) fn while_contended(ready: impl Fn() -> bool, limit: Duration) -> bool {
    let start = Instant::now();
    loop {
        if ready() {
            return true;
        }
        let before = Instant::now();
        if before.saturating_duration_since(start) >= limit {
            return false;
        }
        std::thread::yield_now();
        if before.elapsed() < RAN_NOTHING_ELSE {
            return ready();
        }
    }
}

/// A yield that returns sooner than this ran no other thread: a
/// `sched_yield` alone costs well under a microsecond, a switch to
/// another thread and back several.
const RAN_NOTHING_ELSE: Duration = Duration::from_micros(2);

/// How long one waiter looks before it parks, learnt from its own waits.
///
/// Looking costs CPU and pays only when the work comes within the look: a
/// reply to a request does, the next megabyte of a stream (hundreds of
/// microseconds apart) does not, and a core that spins for it costs a
/// phone its battery for nothing. So each wait that needed longer than
/// [`BEFORE_PARK`] halves the next look (down to none), and each wait that
/// was over within it, looked for or parked, restores the full look.
#[derive(Debug)]
pub(crate) struct Adaptive {
    look_us: AtomicU32,
}

impl Adaptive {
    pub(crate) fn new() -> Adaptive {
        Adaptive {
            look_us: AtomicU32::new(BEFORE_PARK.as_micros() as u32),
        }
    }

    /// Looks at `ready` for the learnt time, at most `limit`; `true` if it
    /// held. Otherwise the caller parks, then reports with [`Adaptive::waited`].
    pub(crate) fn look(&self, ready: impl Fn() -> bool, limit: Duration) -> bool {
        let look = Duration::from_micros(u64::from(self.look_us.load(Relaxed)));
        let found = until(ready, limit.min(look));
        if found && !look.is_zero() {
            self.waited(Duration::ZERO);
        }
        found
    }

    /// How long a wait that began with [`Adaptive::look`] took in all.
    pub(crate) fn waited(&self, total: Duration) {
        let full = BEFORE_PARK.as_micros() as u32;
        let next = if total <= BEFORE_PARK {
            full
        } else {
            self.look_us.load(Relaxed) / 2
        };
        self.look_us.store(next, Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_waits_stop_the_looking_and_a_short_one_restores_it() {
        let a = Adaptive::new();
        for _ in 0..8 {
            a.waited(Duration::from_millis(1));
        }
        assert_eq!(a.look_us.load(Relaxed), 0, "halved down to nothing");
        // No look left: `ready` is asked once, however long the limit.
        let asked = std::cell::Cell::new(0);
        let found = a.look(
            || {
                asked.set(asked.get() + 1);
                false
            },
            Duration::from_secs(1),
        );
        assert!(!found);
        assert_eq!(asked.get(), 1);
        a.waited(Duration::from_micros(5));
        assert_eq!(a.look_us.load(Relaxed), BEFORE_PARK.as_micros() as u32);
    }
}
