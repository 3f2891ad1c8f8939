//! A queue bounded in count and in bytes; full means an error, never a silent drop.

use std::collections::VecDeque;

/// Bounds of a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueLimits {
    /// Most items.
    pub max_messages: usize,
    /// Most payload bytes.
    pub max_bytes: usize,
}

impl QueueLimits {
    /// Limits of `max_messages` items and `max_bytes` bytes.
    pub const fn new(max_messages: usize, max_bytes: usize) -> Self {
        QueueLimits {
            max_messages,
            max_bytes,
        }
    }

    /// Whether a queue holding `len` items of `bytes` total may take one more of `size` bytes.
    ///
    /// One item larger than `max_bytes` is still accepted into an empty queue
    /// (otherwise it could never be sent at all); the count bound is absolute.
    pub fn admits(&self, len: usize, bytes: usize, size: usize) -> bool {
        if len >= self.max_messages {
            return false;
        }
        len == 0 || bytes.saturating_add(size) <= self.max_bytes
    }
}

/// FIFO bounded by [`QueueLimits`]; `push` hands the item back when full.
#[derive(Debug)]
pub struct BoundedQueue<T> {
    items: VecDeque<(T, usize)>,
    bytes: usize,
    limits: QueueLimits,
}

impl<T> BoundedQueue<T> {
    /// An empty queue with the given bounds.
    pub fn new(limits: QueueLimits) -> Self {
        BoundedQueue {
            items: VecDeque::new(),
            bytes: 0,
            limits,
        }
    }

    /// The bounds.
    pub fn limits(&self) -> QueueLimits {
        self.limits
    }

    /// Appends `item` accounted as `size` bytes; `Err(item)` if a bound would be exceeded.
    pub fn push(&mut self, item: T, size: usize) -> Result<(), T> {
        if !self.limits.admits(self.items.len(), self.bytes, size) {
            return Err(item);
        }
        self.bytes += size;
        self.items.push_back((item, size));
        Ok(())
    }

    /// Removes the oldest item.
    pub fn pop(&mut self) -> Option<T> {
        let (item, size) = self.items.pop_front()?;
        self.bytes -= size;
        Some(item)
    }

    /// Puts an item taken by [`pop`](Self::pop) back at the front (oldest).
    /// Not checked against the bounds: it was admitted once, and what was
    /// admitted since may have used the room it left.
    pub fn unpop(&mut self, item: T, size: usize) {
        self.bytes += size;
        self.items.push_front((item, size));
    }

    /// The oldest item, without removing it.
    pub fn peek(&self) -> Option<&T> {
        self.items.front().map(|(item, _)| item)
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the queue is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Total bytes accounted for the items held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Drops every item.
    pub fn clear(&mut self) {
        self.items.clear();
        self.bytes = 0;
    }

    /// Removes every item, oldest first.
    pub fn drain(&mut self) -> impl Iterator<Item = T> + '_ {
        self.bytes = 0;
        self.items.drain(..).map(|(item, _)| item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_order_and_accounting() {
        let mut q = BoundedQueue::new(QueueLimits::new(10, 100));
        for i in 0..5 {
            q.push(i, 10).unwrap();
        }
        assert_eq!((q.len(), q.bytes()), (5, 50));
        assert_eq!(q.peek(), Some(&0));
        assert_eq!(q.pop(), Some(0));
        assert_eq!((q.len(), q.bytes()), (4, 40));
        assert_eq!(q.drain().collect::<Vec<_>>(), vec![1, 2, 3, 4]);
        assert!(q.is_empty());
        assert_eq!(q.bytes(), 0);
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn count_bound_returns_item() {
        let mut q = BoundedQueue::new(QueueLimits::new(2, 1000));
        q.push("a", 1).unwrap();
        q.push("b", 1).unwrap();
        assert_eq!(q.push("c", 1), Err("c"));
        assert_eq!(q.len(), 2);
        q.pop();
        q.push("c", 1).unwrap();
    }

    #[test]
    fn byte_bound_returns_item() {
        let mut q = BoundedQueue::new(QueueLimits::new(100, 10));
        q.push(1, 6).unwrap();
        assert_eq!(q.push(2, 5), Err(2));
        q.push(3, 4).unwrap();
        assert_eq!(q.bytes(), 10);
        assert_eq!(q.push(4, 0).map_err(|_| ()), Ok(()));
    }

    #[test]
    fn oversized_item_only_into_empty_queue() {
        let mut q = BoundedQueue::new(QueueLimits::new(100, 10));
        q.push(1, 50).unwrap();
        assert_eq!(q.push(2, 1), Err(2));
        q.clear();
        assert_eq!(q.bytes(), 0);
        q.push(3, 1).unwrap();
        assert_eq!(q.push(4, 50), Err(4));
    }

    #[test]
    fn zero_count_limit_admits_nothing() {
        let mut q = BoundedQueue::new(QueueLimits::new(0, 10));
        assert_eq!(q.push(1, 0), Err(1));
    }
}
