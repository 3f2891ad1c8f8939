//! Structured values read off the front of fuzzer bytes.
//!
//! Deliberately not `arbitrary`: the stable regression test must decode a
//! saved file exactly as the fuzz target did, without extra dependencies.
//! Reads past the end yield zeros, so every input is a valid program.

/// A cursor over fuzzer bytes.
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    /// Wraps `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Input { data }
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// One byte, 0 once exhausted.
    pub fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// Two bytes, big-endian.
    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }

    /// Four bytes, big-endian.
    pub fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    /// Up to `n` bytes (fewer once exhausted).
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        head
    }

    /// Everything not read yet.
    pub fn rest(&mut self) -> &'a [u8] {
        self.bytes(self.data.len())
    }
}

/// Deterministic piece sizes for feeding a stream in chunks (xorshift32).
pub struct Chunker {
    state: u32,
    max: usize,
}

impl Chunker {
    /// Pieces of 1..=`max` bytes, in an order fixed by `seed`.
    pub fn new(seed: u32, max: usize) -> Self {
        Chunker {
            // xorshift must not start at zero.
            state: seed | 1,
            max: max.max(1),
        }
    }

    /// The next piece size, at least 1.
    pub fn next_len(&mut self) -> usize {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.state = x;
        1 + (x as usize % self.max)
    }
}
