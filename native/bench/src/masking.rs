//! Masking throughput (RFC 6455 §5.3) against a plain memcpy of the same
//! buffer, the physical limit: both read and write every byte once.

use crate::settings::Settings;
use crate::stats::median;
use devian_ws_protocol::protocol::frame::apply_mask;
use serde_json::{json, Value};
use std::hint::black_box;
use std::time::Instant;

/// Buffer sizes: 1 KiB to 16 MiB, by factors of 4.
pub const SIZES: [usize; 8] = [
    1 << 10,
    4 << 10,
    16 << 10,
    64 << 10,
    256 << 10,
    1 << 20,
    4 << 20,
    16 << 20,
];

/// The medians for one buffer size, in GiB/s.
#[derive(Debug, Clone)]
pub struct MaskRow {
    /// Buffer bytes.
    pub size: usize,
    /// `apply_mask` in place (masking and unmasking are the same XOR).
    pub mask_gib_s: f64,
    /// `copy_from_slice` between two buffers of the size.
    pub memcpy_gib_s: f64,
}

impl MaskRow {
    /// Unmasking throughput relative to memcpy.
    pub fn ratio(&self) -> f64 {
        if self.memcpy_gib_s > 0.0 {
            self.mask_gib_s / self.memcpy_gib_s
        } else {
            0.0
        }
    }

    /// Machine-readable form.
    pub fn to_json(&self) -> Value {
        json!({
            "size_bytes": self.size,
            "unmask_gib_per_sec": self.mask_gib_s,
            "memcpy_gib_per_sec": self.memcpy_gib_s,
            "ratio_unmask_over_memcpy": self.ratio(),
        })
    }
}

/// Measures every size in [`SIZES`].
pub fn measure(settings: &Settings) -> Vec<MaskRow> {
    SIZES
        .iter()
        .map(|&size| {
            let row = measure_size(size, settings);
            eprintln!(
                "  {:>9} B  unmask {:>6.2} GiB/s  memcpy {:>6.2} GiB/s",
                size, row.mask_gib_s, row.memcpy_gib_s
            );
            row
        })
        .collect()
}

/// Offset of memcpy's destination from its source: past the source, and
/// ≡ 2048 (mod 4096) so the two never alias within a page.
fn copy_gap(size: usize) -> usize {
    size.div_ceil(4096) * 4096 + 2048
}

fn measure_size(size: usize, settings: &Settings) -> MaskRow {
    let reps = settings.mask_reps_for(size);
    let bytes = (reps * size as u64) as f64;
    let gib_s = |secs: f64| {
        if secs > 0.0 {
            bytes / secs / (1u64 << 30) as f64
        } else {
            0.0
        }
    };
    let key = [0x37, 0xfa, 0x21, 0x3d];
    // Irregular contents so nothing can be folded away.
    let mut buf: Vec<u8> = (0..size).map(|i| (i * 31 + 7) as u8).collect();
    // memcpy's source and destination share one allocation, half a page
    // apart modulo 4 KiB. Two separate allocations typically land 16-32 bytes
    // apart modulo 4 KiB, and on some CPUs (AMD Zen seen here) glibc's
    // `rep movsb` then runs at ~1.5 GiB/s instead of tens: that would be a
    // measurement of 4K aliasing, not of the machine's copy bandwidth.
    let gap = copy_gap(size);
    let mut pair = vec![0u8; gap + size];
    pair[..size].copy_from_slice(&buf);
    let (src, rest) = pair.split_at_mut(gap);
    let src = &src[..size];
    let dst = &mut rest[..size];

    let (mut mask, mut copy) = (Vec::new(), Vec::new());
    // One untimed pass each first, so both start with the pages touched.
    apply_mask(&mut buf, key, 0);
    dst.copy_from_slice(src);
    for _ in 0..settings.mask_samples {
        let t = Instant::now();
        for _ in 0..reps {
            apply_mask(black_box(&mut buf), key, 0);
        }
        mask.push(gib_s(t.elapsed().as_secs_f64()));

        let t = Instant::now();
        for _ in 0..reps {
            black_box(&mut *dst).copy_from_slice(black_box(src));
        }
        copy.push(gib_s(t.elapsed().as_secs_f64()));
    }
    black_box((&buf, &dst));
    MaskRow {
        size,
        mask_gib_s: median(&mask).unwrap_or(0.0),
        memcpy_gib_s: median(&copy).unwrap_or(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_is_mask_over_memcpy() {
        let row = MaskRow {
            size: 1024,
            mask_gib_s: 3.0,
            memcpy_gib_s: 6.0,
        };
        assert_eq!(row.ratio(), 0.5);
        let zero = MaskRow {
            memcpy_gib_s: 0.0,
            ..row
        };
        assert_eq!(zero.ratio(), 0.0);
    }

    #[test]
    fn copy_buffers_do_not_overlap_or_alias_within_a_page() {
        for size in SIZES.iter().copied().chain([1, 4095, 4097]) {
            let gap = copy_gap(size);
            assert!(gap >= size, "destination overlaps the source at {size}");
            assert_eq!(gap % 4096, 2048);
        }
    }

    #[test]
    fn sizes_span_1_kib_to_16_mib() {
        assert_eq!(SIZES.first(), Some(&1024));
        assert_eq!(SIZES.last(), Some(&(16 << 20)));
        assert!(SIZES.windows(2).all(|w| w[1] == w[0] * 4));
    }
}
