//! Order statistics over repeated measurements: medians across runs and
//! latency percentiles within a run.

use std::time::Duration;

/// The median of `values` (the mean of the two middle values for an even
/// count); `None` when empty. NaNs sort last and so never become the median
/// of a mostly valid sample.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 0 {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    })
}

/// The `p`-th percentile (0..=100) of `samples` by the nearest-rank method:
/// the smallest sample such that at least `p` % of samples are ≤ it. This is
/// always an observed value, so p99 of a short run is its worst sample
/// rather than an interpolation. `None` when empty.
pub fn percentile(samples: &[Duration], p: f64) -> Option<Duration> {
    if samples.is_empty() {
        return None;
    }
    let mut v = samples.to_vec();
    v.sort_unstable();
    let p = p.clamp(0.0, 100.0);
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    Some(v[rank.saturating_sub(1).min(v.len() - 1)])
}

/// Items per second for `count` items done in `elapsed`; 0 for a zero duration
/// (a clock that did not advance measured nothing).
pub fn rate(count: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 {
        count as f64 / secs
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0]), Some(3.0));
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }

    #[test]
    fn median_ignores_order_and_outliers() {
        assert_eq!(median(&[1e9, 2.0, 1.0, 3.0, 2.5]), Some(2.5));
    }

    #[test]
    fn nearest_rank_percentiles() {
        let us = |n: u64| Duration::from_micros(n);
        let samples: Vec<Duration> = (1..=100).rev().map(us).collect();
        assert_eq!(percentile(&samples, 50.0), Some(us(50)));
        assert_eq!(percentile(&samples, 99.0), Some(us(99)));
        assert_eq!(percentile(&samples, 100.0), Some(us(100)));
        assert_eq!(percentile(&samples, 0.0), Some(us(1)));
        // Few samples: p99 is the worst one, not an extrapolation.
        assert_eq!(percentile(&[us(7), us(3)], 99.0), Some(us(7)));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn rate_handles_zero_duration() {
        assert_eq!(rate(10, Duration::from_millis(500)), 20.0);
        assert_eq!(rate(10, Duration::ZERO), 0.0);
    }
}
