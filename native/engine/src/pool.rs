//! Recycled byte buffers, so a message in steady state costs no allocation.

use crossbeam_queue::ArrayQueue;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};

/// A lock-free free-list of `Vec<u8>`s, bounded in count and in bytes.
///
/// Large buffers are recycled too: a stream of 1 MiB messages would
/// otherwise allocate (and, above glibc's mmap threshold, map and fault in)
/// a fresh megabyte per message. What the pool can pin stays bounded by
/// `max_total` bytes; a buffer that would exceed it, or that grew past
/// `max_capacity` on its own, is freed instead.
///
/// The free-list itself is allocated by the first buffer returned, so a
/// connection that has not exchanged messages yet pays nothing for it.
pub(crate) struct BufferPool {
    free: OnceLock<Box<ArrayQueue<Vec<u8>>>>,
    slots: usize,
    max_capacity: usize,
    max_total: usize,
    /// Capacity of the buffers now in `free` (approximate while a
    /// `take` and a `give_back` race, never above `max_total`).
    pooled_bytes: AtomicUsize,
}

impl BufferPool {
    /// A pool keeping at most `slots` buffers of at most `max_capacity`
    /// bytes each, and at most `max_total` bytes in all.
    pub(crate) fn new(slots: usize, max_capacity: usize, max_total: usize) -> Arc<BufferPool> {
        Arc::new(BufferPool {
            free: OnceLock::new(),
            slots: slots.max(1),
            max_capacity,
            max_total,
            pooled_bytes: AtomicUsize::new(0),
        })
    }

    /// An empty buffer, recycled if one is available.
    pub(crate) fn take(self: &Arc<Self>) -> PooledBuf {
        let mut buf = match self.free.get().and_then(|free| free.pop()) {
            Some(buf) => {
                self.pooled_bytes.fetch_sub(buf.capacity(), Relaxed);
                buf
            }
            None => Vec::new(),
        };
        buf.clear();
        PooledBuf {
            buf,
            pool: Some(Arc::clone(self)),
        }
    }

    fn give_back(&self, buf: Vec<u8>) {
        let cap = buf.capacity();
        if cap == 0 || cap > self.max_capacity {
            return;
        }
        // Reserve the bytes first, so concurrent returns cannot together
        // overshoot the budget.
        let reserved = self
            .pooled_bytes
            .fetch_update(Relaxed, Relaxed, |n| {
                n.checked_add(cap).filter(|&t| t <= self.max_total)
            })
            .is_ok();
        if !reserved {
            return;
        }
        // A full free-list just means this one is freed.
        // Boxed: the queue is cache-padded, and an idle pool should stay small.
        let free = self
            .free
            .get_or_init(|| Box::new(ArrayQueue::new(self.slots)));
        if free.push(buf).is_err() {
            self.pooled_bytes.fetch_sub(cap, Relaxed);
        }
    }

    /// Buffers currently waiting for reuse.
    #[cfg(test)]
    pub(crate) fn idle(&self) -> usize {
        self.free.get().map_or(0, |free| free.len())
    }
}

/// A pooled buffer holding one received message; returns to its pool when dropped.
///
/// Derefs to the payload bytes.
pub struct PooledBuf {
    buf: Vec<u8>,
    pool: Option<Arc<BufferPool>>,
}

impl PooledBuf {
    /// A buffer owning `bytes` that belongs to no pool (freed on drop).
    pub fn unpooled(bytes: Vec<u8>) -> PooledBuf {
        PooledBuf {
            buf: bytes,
            pool: None,
        }
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.buf
    }

    /// The underlying vector, for filling (receive thread and `send_with`).
    pub(crate) fn vec_mut(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Takes the bytes out; the buffer then is not recycled.
    pub fn into_vec(mut self) -> Vec<u8> {
        self.pool = None;
        std::mem::take(&mut self.buf)
    }
}

impl Deref for PooledBuf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf
    }
}

impl DerefMut for PooledBuf {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.buf
    }
}

impl AsRef<[u8]> for PooledBuf {
    fn as_ref(&self) -> &[u8] {
        &self.buf
    }
}

impl fmt::Debug for PooledBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PooledBuf")
            .field("len", &self.buf.len())
            .finish()
    }
}

impl Drop for PooledBuf {
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            pool.give_back(std::mem::take(&mut self.buf));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_recycled_with_their_capacity() {
        let pool = BufferPool::new(4, 1024, 4096);
        let mut a = pool.take();
        a.vec_mut().extend_from_slice(&[1; 100]);
        let ptr = a.as_ptr();
        drop(a);
        assert_eq!(pool.idle(), 1);
        let b = pool.take();
        assert!(b.is_empty(), "recycled buffers come back cleared");
        assert!(b.buf.capacity() >= 100);
        assert_eq!(b.buf.as_ptr(), ptr, "same allocation reused");
    }

    #[test]
    fn oversized_buffers_are_freed_not_pinned() {
        let pool = BufferPool::new(4, 64, 4096);
        let mut a = pool.take();
        a.vec_mut().resize(65, 0);
        drop(a);
        assert_eq!(pool.idle(), 0);
    }

    #[test]
    fn full_free_list_frees_the_extra() {
        let pool = BufferPool::new(1, 64, 4096);
        let mut a = pool.take();
        let mut b = pool.take();
        a.vec_mut().push(1);
        b.vec_mut().push(2);
        drop(a);
        drop(b);
        assert_eq!(pool.idle(), 1);
    }

    #[test]
    fn byte_budget_bounds_what_the_pool_pins() {
        let pool = BufferPool::new(8, 1000, 2500);
        let bufs: Vec<PooledBuf> = (0..3)
            .map(|_| {
                let mut b = pool.take();
                b.vec_mut().reserve_exact(1000);
                b
            })
            .collect();
        let caps: usize = bufs.iter().map(|b| b.buf.capacity()).sum();
        assert!(caps >= 3000, "three buffers of at least 1000 bytes");
        drop(bufs);
        // 2 × 1000 fit in 2500 bytes; the third would not.
        assert_eq!(pool.idle(), 2, "the third buffer was over budget");
        assert!(pool.pooled_bytes.load(Relaxed) <= 2500);
        // Taking a buffer out returns its bytes to the budget.
        let before = pool.pooled_bytes.load(Relaxed);
        let b = pool.take();
        assert_eq!(
            pool.pooled_bytes.load(Relaxed),
            before - b.buf.capacity(),
            "budget released on take"
        );
    }

    #[test]
    fn large_buffers_within_budget_are_recycled() {
        let pool = BufferPool::new(4, 1 << 20, 4 << 20);
        let mut a = pool.take();
        a.vec_mut().resize(1 << 20, 7);
        let ptr = a.as_ptr();
        drop(a);
        let b = pool.take();
        assert_eq!(
            b.buf.as_ptr(),
            ptr,
            "the megabyte is reused, not reallocated"
        );
    }

    #[test]
    fn into_vec_detaches_from_pool() {
        let pool = BufferPool::new(2, 64, 4096);
        let mut a = pool.take();
        a.vec_mut().extend_from_slice(b"hi");
        assert_eq!(a.into_vec(), b"hi".to_vec());
        assert_eq!(pool.idle(), 0);
    }
}
