//! Recycled byte buffers, so a message in steady state costs no allocation.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard};

/// A free-list of `Vec<u8>`s, bounded in count and in bytes.
///
/// Last in, first out: the buffer reused is the one returned last, whose
/// bytes were just read (by the kernel's copy to the socket, or by the
/// consumer of a message) and are still in the CPU's cache. First in, first
/// out would reuse the buffer returned longest ago (A/B on a stream of 64 KiB
/// messages sent on one CPU: 5-10 % fewer messages per second, more CPU per
/// message). A short critical section under an uncontended mutex costs
/// about what the lock-free queue it replaced did (no change at 16 B).
///
/// Large buffers are recycled too: a stream of 1 MiB messages would
/// otherwise allocate (and, above glibc's mmap threshold, map and fault in)
/// a fresh megabyte per message. What the pool can pin stays bounded by
/// `max_total` bytes; a buffer that would exceed it, or that grew past
/// `max_capacity` on its own, is freed instead.
pub(crate) struct BufferPool {
    free: Mutex<FreeList>,
    slots: usize,
    max_capacity: usize,
    max_total: usize,
}

#[derive(Default)]
struct FreeList {
    /// Allocated by the first buffer returned, so a connection that has
    /// not exchanged messages yet pays nothing for it.
    bufs: Vec<Vec<u8>>,
    /// Capacity of `bufs`' buffers, never above `max_total`.
    bytes: usize,
}

impl BufferPool {
    /// A pool keeping at most `slots` buffers of at most `max_capacity`
    /// bytes each, and at most `max_total` bytes in all.
    pub(crate) fn new(slots: usize, max_capacity: usize, max_total: usize) -> Arc<BufferPool> {
        Arc::new(BufferPool {
            free: Mutex::default(),
            slots: slots.max(1),
            max_capacity,
            max_total,
        })
    }

    fn free(&self) -> MutexGuard<'_, FreeList> {
        // Every critical section leaves the list consistent.
        self.free.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// An empty buffer, recycled if one is available.
    pub(crate) fn take(self: &Arc<Self>) -> PooledBuf {
        let recycled = {
            let mut free = self.free();
            let buf = free.bufs.pop();
            free.bytes -= buf.as_ref().map_or(0, Vec::capacity);
            buf
        };
        let mut buf = recycled.unwrap_or_default();
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
        let mut free = self.free();
        if free.bufs.len() < self.slots && free.bytes + cap <= self.max_total {
            if free.bufs.capacity() == 0 {
                free.bufs.reserve_exact(self.slots);
            }
            free.bytes += cap;
            free.bufs.push(buf);
        }
        // Otherwise `buf` is freed, after the lock is released.
    }

    /// Buffers currently waiting for reuse.
    #[cfg(test)]
    pub(crate) fn idle(&self) -> usize {
        self.free().bufs.len()
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
        assert!(pool.free().bytes <= 2500);
        // Taking a buffer out returns its bytes to the budget.
        let before = pool.free().bytes;
        let b = pool.take();
        assert_eq!(
            pool.free().bytes,
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
