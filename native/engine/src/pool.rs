//! Recycled byte buffers, so a message in steady state costs no allocation.

use crossbeam_queue::ArrayQueue;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// A lock-free free-list of `Vec<u8>`s.
///
/// Buffers whose capacity grew past `max_capacity` are freed instead of
/// recycled, so one huge message does not pin its memory for the life of
/// the connection.
pub(crate) struct BufferPool {
    free: ArrayQueue<Vec<u8>>,
    max_capacity: usize,
}

impl BufferPool {
    /// A pool keeping at most `slots` buffers of at most `max_capacity` bytes each.
    pub(crate) fn new(slots: usize, max_capacity: usize) -> Arc<BufferPool> {
        Arc::new(BufferPool {
            free: ArrayQueue::new(slots.max(1)),
            max_capacity,
        })
    }

    /// An empty buffer, recycled if one is available.
    pub(crate) fn take(self: &Arc<Self>) -> PooledBuf {
        let mut buf = self.free.pop().unwrap_or_default();
        buf.clear();
        PooledBuf {
            buf,
            pool: Some(Arc::clone(self)),
        }
    }

    fn give_back(&self, buf: Vec<u8>) {
        if buf.capacity() == 0 || buf.capacity() > self.max_capacity {
            return;
        }
        // A full free-list just means this one is freed.
        let _ = self.free.push(buf);
    }

    /// Buffers currently waiting for reuse.
    #[cfg(test)]
    pub(crate) fn idle(&self) -> usize {
        self.free.len()
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
        let pool = BufferPool::new(4, 1024);
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
        let pool = BufferPool::new(4, 64);
        let mut a = pool.take();
        a.vec_mut().resize(65, 0);
        drop(a);
        assert_eq!(pool.idle(), 0);
    }

    #[test]
    fn full_free_list_frees_the_extra() {
        let pool = BufferPool::new(1, 64);
        let mut a = pool.take();
        let mut b = pool.take();
        a.vec_mut().push(1);
        b.vec_mut().push(2);
        drop(a);
        drop(b);
        assert_eq!(pool.idle(), 1);
    }

    #[test]
    fn into_vec_detaches_from_pool() {
        let pool = BufferPool::new(2, 64);
        let mut a = pool.take();
        a.vec_mut().extend_from_slice(b"hi");
        assert_eq!(a.into_vec(), b"hi".to_vec());
        assert_eq!(pool.idle(), 0);
    }
}
