//! Run sizes: the full bench and the `--quick` variant.

/// How much work each measurement does.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Measured runs per cell; the median is reported.
    pub runs: usize,
    /// Bytes of payload one throughput run aims to move.
    pub byte_budget: u64,
    /// Bounds on messages per throughput run.
    pub min_messages: u64,
    /// See `min_messages`.
    pub max_messages: u64,
    /// Bytes one masking/memcpy sample processes (at least one pass).
    /// Short samples, many of them: on a shared machine most short samples
    /// run undisturbed, so their median is the undisturbed speed.
    pub mask_bytes_per_sample: u64,
    /// Masking/memcpy samples per size; the median is reported.
    pub mask_samples: usize,
    /// Connection counts of the many-connections run.
    pub connection_counts: Vec<usize>,
    /// Idle poll sweeps timed per connection count.
    pub poll_sweeps: usize,
}

impl Settings {
    /// The full bench: 7 runs, up to 6000 messages or 128 MiB per run, 1 to 1000 connections.
    /// More, shorter runs rather than fewer long ones: on a shared machine the
    /// median then rests on more runs that no burst of outside load disturbed.
    pub fn full() -> Settings {
        Settings {
            runs: 7,
            byte_budget: 128 << 20,
            min_messages: 64,
            max_messages: 6_000,
            mask_bytes_per_sample: 4 << 20,
            mask_samples: 31,
            connection_counts: vec![1, 10, 100, 1000],
            poll_sweeps: 200,
        }
    }

    /// A smoke run that finishes in well under a minute.
    pub fn quick() -> Settings {
        Settings {
            runs: 3,
            byte_budget: 8 << 20,
            min_messages: 8,
            max_messages: 1_000,
            mask_bytes_per_sample: 4 << 20,
            mask_samples: 11,
            connection_counts: vec![1, 10, 100],
            poll_sweeps: 50,
        }
    }

    /// Messages per run for `payload`-byte messages.
    pub fn messages_for(&self, payload: usize) -> u64 {
        (self.byte_budget / payload.max(1) as u64).clamp(self.min_messages, self.max_messages)
    }

    /// Unmeasured warm-up messages before the runs.
    pub fn warmup_for(&self, payload: usize) -> u64 {
        (self.messages_for(payload) / 10).max(4)
    }

    /// Repetitions of a `size`-byte masking or memcpy pass per sample.
    pub fn mask_reps_for(&self, size: usize) -> u64 {
        (self.mask_bytes_per_sample / size.max(1) as u64).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_counts_follow_the_budget_within_bounds() {
        let s = Settings::full();
        assert_eq!(s.messages_for(16), s.max_messages);
        assert_eq!(s.messages_for(64 << 10), 2048);
        assert_eq!(s.messages_for(1 << 20), 128);
        assert_eq!(s.messages_for(64 << 20), s.min_messages);
        assert_eq!(s.messages_for(0), s.max_messages);
    }

    #[test]
    fn quick_is_smaller_than_full() {
        let (q, f) = (Settings::quick(), Settings::full());
        assert!(q.runs < f.runs);
        for p in [16, 1 << 10, 64 << 10, 1 << 20] {
            assert!(q.messages_for(p) <= f.messages_for(p));
        }
        assert!(q.connection_counts.len() < f.connection_counts.len());
    }

    #[test]
    fn warmup_is_never_zero() {
        assert_eq!(Settings::quick().warmup_for(1 << 20), 4);
    }
}
