//! Payload masking (RFC 6455 §5.3).
//!
//! Masking XORs payload byte `i` with `key[i % 4]`. It runs over every byte
//! a client sends and a server receives, so it works on 64-bit words: the
//! 4-byte key repeated twice forms one `u64`, and because 8 is a multiple of
//! 4 the key phase is the same at the start of every word. Safe
//! `chunks_exact_mut` + `from_ne_bytes` compiles to plain word and vector
//! loads and stores. The only `unsafe` here calls the same safe loop
//! compiled for AVX2, once the CPU is known to have it (`wide`).

/// XORs `buf` with the mask `key` in place; applying it twice restores the
/// input.
///
/// `offset` is the position of `buf[0]` within the frame payload, so a
/// payload that arrives in several reads can be unmasked piece by piece:
/// call with `offset` = number of payload bytes already unmasked.
pub fn apply_mask(buf: &mut [u8], key: [u8; 4], offset: usize) {
    // Rotate the key so that key[0] lines up with buf[0].
    let key = rotate_key(key, offset);
    let word = key_word(key);

    let (blocks, rest) = buf.split_at_mut(buf.len() & !63);
    if !blocks.is_empty() {
        xor_blocks(blocks, word);
    }
    xor_words(rest, word);
    // Fewer than 8 bytes remain; each word consumed a multiple of 4 key
    // bytes, so the phase is still key[0].
    let tail = rest.len() & !7;
    for (i, b) in rest[tail..].iter_mut().enumerate() {
        *b ^= key[i & 3];
    }
}

/// Appends `src` to `dst` masked with `key` (from payload offset 0): the
/// copy a sender makes anyway and the masking in one pass.
///
/// Each 64-byte block is masked into a stack buffer and appended with
/// `extend_from_slice`: fixed-size vector moves into the spare capacity,
/// so the destination is neither zeroed first nor written twice, and no
/// `memcpy` runs. A plain copy followed by masking would be simpler, but
/// `memcpy`'s `rep movsb` slows down about tenfold on the AMD EPYC measured
/// when the destination lies 1-63 bytes after the source modulo 4 KiB,
/// which is exactly where a payload lands behind the 14 bytes of frame
/// headroom when both buffers come from `malloc`'s page-aligned chunks.
/// Measured 2026-12-08 with the destination in cache, GB/s at 64 KiB / 1 MiB:
/// this 38 / 36 with 16-byte vectors, 44 / 38 with AVX2 (see
/// `xor_blocks`); copy then mask 23-28 / 24-28, but 3.3 at that offset;
/// the previous `Vec::extend` over XORed words 15 / 14 (the standard
/// library pushes a flattened iterator's items one by one).
pub fn extend_masked(dst: &mut Vec<u8>, src: &[u8], key: [u8; 4]) {
    let word = key_word(key);
    dst.reserve(src.len());
    let (blocks, rest) = src.split_at(src.len() & !63);
    if !blocks.is_empty() {
        extend_blocks(dst, blocks, word);
    }
    // Each block consumed a multiple of 4 key bytes: the rest starts at
    // key phase 0. (An exact-size iterator: `extend` writes it in place.)
    dst.extend(rest.iter().enumerate().map(|(i, b)| b ^ key[i & 3]));
}

/// XORs `blocks` (a multiple of 64 bytes long) with `word`, with the
/// widest vectors the CPU has.
///
/// 64-byte blocks of a fixed word count: LLVM turns each into a few
/// unrolled vector XORs (measured ~1.5-2x faster than one loop over words
/// for 1-64 KiB payloads, where loop overhead dominates). A build for
/// baseline x86-64 may only use 16-byte vectors, which cap in-cache masking
/// at about half of glibc's AVX-512 `memcpy` (0.46-0.57x at 1 KiB, measured
/// 2026-12-08); the same loop compiled for AVX2 is used where the CPU has it.
fn xor_blocks(blocks: &mut [u8], word: u64) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        return wide::xor_blocks(blocks, word);
    }
    xor_blocks_baseline(blocks, word);
}

#[inline(always)]
fn xor_blocks_baseline(blocks: &mut [u8], word: u64) {
    for block in blocks.chunks_exact_mut(64) {
        xor_words(block, word);
    }
}

/// Appends `blocks` (a multiple of 64 bytes long) XORed with `word` to
/// `dst`, which has room for them; as [`xor_blocks`], with AVX2 where the
/// CPU has it.
fn extend_blocks(dst: &mut Vec<u8>, blocks: &[u8], word: u64) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        return wide::extend_blocks(dst, blocks, word);
    }
    extend_blocks_baseline(dst, blocks, word);
}

#[inline(always)]
fn extend_blocks_baseline(dst: &mut Vec<u8>, blocks: &[u8], word: u64) {
    for block in blocks.chunks_exact(64) {
        let mut out = [0u8; 64];
        out.copy_from_slice(block);
        xor_words(&mut out, word);
        dst.extend_from_slice(&out);
    }
}

/// The one place this crate uses `unsafe`: calling code compiled for a CPU
/// feature, after checking at run time that the CPU has it.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod wide {
    /// Only call where the CPU has AVX2.
    pub(super) fn xor_blocks(blocks: &mut [u8], word: u64) {
        debug_assert!(std::arch::is_x86_feature_detected!("avx2"));
        // SAFETY: the caller checked that the CPU supports AVX2, the only
        // requirement of a `target_feature` function; the body is safe code.
        unsafe { xor_blocks_avx2(blocks, word) }
    }

    #[target_feature(enable = "avx2")]
    unsafe fn xor_blocks_avx2(blocks: &mut [u8], word: u64) {
        super::xor_blocks_baseline(blocks, word);
    }

    /// Only call where the CPU has AVX2.
    pub(super) fn extend_blocks(dst: &mut Vec<u8>, blocks: &[u8], word: u64) {
        debug_assert!(std::arch::is_x86_feature_detected!("avx2"));
        // SAFETY: as in `xor_blocks`.
        unsafe { extend_blocks_avx2(dst, blocks, word) }
    }

    #[target_feature(enable = "avx2")]
    unsafe fn extend_blocks_avx2(dst: &mut Vec<u8>, blocks: &[u8], word: u64) {
        super::extend_blocks_baseline(dst, blocks, word);
    }
}

/// The 4-byte key repeated to fill a word.
fn key_word(key: [u8; 4]) -> u64 {
    u64::from_ne_bytes([
        key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3],
    ])
}

/// XORs every whole 8-byte word of `buf` with `word`; leaves a tail of
/// fewer than 8 bytes untouched.
#[inline(always)]
fn xor_words(buf: &mut [u8], word: u64) {
    for chunk in buf.chunks_exact_mut(8) {
        // `chunks_exact_mut(8)` guarantees the length, so this conversion
        // cannot fail; the compiler removes the check.
        if let Ok(bytes) = <&mut [u8; 8]>::try_from(chunk) {
            *bytes = (u64::from_ne_bytes(*bytes) ^ word).to_ne_bytes();
        }
    }
}

/// The key as seen from payload position `offset`.
fn rotate_key(key: [u8; 4], offset: usize) -> [u8; 4] {
    let mut k = key;
    k.rotate_left(offset & 3);
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition in RFC 6455 §5.3, byte by byte:
    /// `transformed-octet-i = original-octet-i XOR masking-key-octet-(i MOD 4)`.
    fn reference_mask(buf: &mut [u8], key: [u8; 4], offset: usize) {
        for (i, b) in buf.iter_mut().enumerate() {
            *b ^= key[(offset + i) % 4];
        }
    }

    /// Deterministic but irregular bytes, so a wrong key phase shows.
    fn pattern(len: usize, seed: u8) -> Vec<u8> {
        (0..len)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8)
            .collect()
    }

    // RFC 6455 §5.3: word-wise masking equals the byte-wise definition for
    // every length up to a few blocks, every key phase and every alignment of
    // the slice within its allocation.
    #[test]
    fn rfc6455_5_3_matches_bytewise_reference() {
        let keys = [
            [0x37, 0xfa, 0x21, 0x3d],
            [0xff, 0x00, 0x80, 0x01],
            [0, 0, 0, 0],
        ];
        for key in keys {
            // Past two 64-byte blocks, so block, word and byte tails all run.
            for len in 0..140 {
                for offset in 0..9 {
                    for align in 0..8 {
                        let base = pattern(len + align, len as u8);
                        let mut fast = base.clone();
                        let mut slow = base.clone();
                        apply_mask(&mut fast[align..], key, offset);
                        reference_mask(&mut slow[align..], key, offset);
                        assert_eq!(fast, slow, "len {len} offset {offset} align {align}");
                    }
                }
            }
        }
    }

    // Large buffers exercise the word loop far past any unrolling.
    #[test]
    fn rfc6455_5_3_matches_reference_on_large_buffers() {
        let key = [0xde, 0xad, 0xbe, 0xef];
        for len in [4095, 4096, 65_537] {
            let mut fast = pattern(len, 7);
            let mut slow = fast.clone();
            apply_mask(&mut fast, key, 3);
            reference_mask(&mut slow, key, 3);
            assert_eq!(fast, slow, "len {len}");
        }
    }

    // Streaming: unmasking a payload in arbitrary pieces, passing the
    // running offset, equals unmasking it at once.
    #[test]
    fn rfc6455_5_3_streaming_with_offsets() {
        let key = [0x12, 0x34, 0x56, 0x78];
        let original = pattern(200, 3);
        let mut whole = original.clone();
        apply_mask(&mut whole, key, 0);
        for split in [1usize, 2, 3, 5, 7, 8, 9, 13] {
            let mut pieces = original.clone();
            let mut pos = 0;
            while pos < pieces.len() {
                let end = (pos + split).min(pieces.len());
                apply_mask(&mut pieces[pos..end], key, pos);
                pos = end;
            }
            assert_eq!(pieces, whole, "split {split}");
        }
    }

    // RFC 6455 §5.3: masking is an involution (the same algorithm unmasks).
    #[test]
    fn rfc6455_5_3_mask_twice_restores() {
        let original = pattern(100, 9);
        let mut buf = original.clone();
        apply_mask(&mut buf, [1, 2, 3, 4], 1);
        assert_ne!(buf, original);
        apply_mask(&mut buf, [1, 2, 3, 4], 1);
        assert_eq!(buf, original);
    }

    // RFC 6455 §5.7: the masked "Hello" example.
    #[test]
    fn rfc6455_5_7_hello_example() {
        let mut buf = *b"Hello";
        apply_mask(&mut buf, [0x37, 0xfa, 0x21, 0x3d], 0);
        assert_eq!(buf, [0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    }

    // RFC 6455 §5.3, as a sender copies and masks at once: the result is the
    // byte-wise definition applied to the appended bytes, for lengths on both
    // sides of the 64-byte blocks and of a word, after existing content.
    // Both block loops, whichever one this CPU selects: the baseline one is
    // what CPUs without AVX2 (and other architectures) run.
    #[test]
    fn rfc6455_5_3_block_loops_match_bytewise_reference_with_and_without_avx2() {
        let key = [0x12, 0x9a, 0xfe, 0x01];
        let word = key_word(key);
        for blocks in [1, 2, 3, 17] {
            let src = pattern(64 * blocks, 5);
            let mut want = src.clone();
            reference_mask(&mut want, key, 0);

            let mut buf = src.clone();
            xor_blocks_baseline(&mut buf, word);
            assert_eq!(buf, want, "baseline in place, {blocks} blocks");
            let mut buf = src.clone();
            xor_blocks(&mut buf, word);
            assert_eq!(buf, want, "selected in place, {blocks} blocks");

            let mut dst = vec![7u8; 3];
            extend_blocks_baseline(&mut dst, &src, word);
            assert_eq!(dst[3..], want[..], "baseline appended, {blocks} blocks");
            let mut dst = vec![7u8; 3];
            dst.reserve(src.len());
            extend_blocks(&mut dst, &src, word);
            assert_eq!(dst[3..], want[..], "selected appended, {blocks} blocks");
            assert_eq!(dst[..3], [7, 7, 7]);
        }
    }

    #[test]
    fn extend_masked_equals_copy_then_mask() {
        let key = [0x12, 0x9a, 0xfe, 0x01];
        for len in [
            0,
            1,
            4,
            7,
            8,
            9,
            63,
            64,
            65,
            71,
            72,
            127,
            128,
            129,
            16 * 1024 + 5,
            70_001,
        ] {
            let src = pattern(len, 3);
            let mut dst = vec![9u8; 14];
            extend_masked(&mut dst, &src, key);
            let mut want = src.clone();
            reference_mask(&mut want, key, 0);
            assert_eq!(&dst[..14], &[9u8; 14][..], "prefix untouched");
            assert_eq!(&dst[14..], &want[..], "len {len}");
        }
    }
}
