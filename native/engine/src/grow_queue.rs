//! The dispatch queue's storage: a bounded multi-producer, single-consumer
//! queue that grows on demand.
//!
//! An idle connection holds one small ring (32 slots); a burst links rings
//! of doubling size, up to the bound, and the consumer frees each ring it
//! has drained. So memory follows what is queued rather than the configured
//! bound (4,096 messages by default), and a steady stream allocates nothing
//! once its ring is large enough.
//!
//! Invariants:
//! - Producers are serialised by `tail`; the consumer never takes a lock.
//!   It takes `head` out of its atomic cell for the duration of a `pop` and
//!   puts it back (one consumer at a time, as `Client::poll` documents; a
//!   second one meanwhile finds the cell empty and sees an empty queue).
//! - A producer only pushes into the newest ring (`tail`), and links a newer
//!   one only after its last push into the old one; so once the consumer
//!   sees a ring's `next`, that ring will receive nothing more.

use crossbeam_queue::ArrayQueue;
use crossbeam_utils::atomic::AtomicCell;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

/// Slots of the first (and every idle) ring.
const FIRST_RING: usize = 32;

struct Ring<T> {
    slots: ArrayQueue<T>,
    next: OnceLock<Arc<Ring<T>>>,
}

impl<T> Ring<T> {
    fn new(capacity: usize) -> Arc<Ring<T>> {
        Arc::new(Ring {
            slots: ArrayQueue::new(capacity.max(1)),
            next: OnceLock::new(),
        })
    }
}

pub(crate) struct GrowQueue<T> {
    head: AtomicCell<Option<Arc<Ring<T>>>>,
    tail: Mutex<Arc<Ring<T>>>,
    capacity: usize,
    len: AtomicUsize,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl<T> GrowQueue<T> {
    /// An empty queue holding at most `capacity` items.
    pub(crate) fn new(capacity: usize) -> Self {
        let first = Ring::new(FIRST_RING.min(capacity));
        GrowQueue {
            head: AtomicCell::new(Some(Arc::clone(&first))),
            tail: Mutex::new(first),
            capacity: capacity.max(1),
            len: AtomicUsize::new(0),
        }
    }

    /// Appends `item`, or gives it back when `capacity` items are queued.
    pub(crate) fn push(&self, item: T) -> Result<(), T> {
        let mut tail = lock(&self.tail);
        if self.len.fetch_add(1, SeqCst) >= self.capacity {
            self.len.fetch_sub(1, SeqCst);
            return Err(item);
        }
        // Back to a small ring once everything was drained, so a burst's
        // memory goes back when the connection is idle again.
        let idle = self.len.load(SeqCst) == 1 && tail.slots.capacity() > FIRST_RING;
        let item = if idle {
            item
        } else {
            match tail.slots.push(item) {
                Ok(()) => return Ok(()),
                Err(item) => item,
            }
        };
        let size = if idle {
            FIRST_RING
        } else {
            (tail.slots.capacity() * 2).min(self.capacity)
        };
        let next = Ring::new(size);
        if let Err(item) = next.slots.push(item) {
            // Unreachable: a new ring has room for one. Refuse rather than lose it.
            self.len.fetch_sub(1, SeqCst);
            return Err(item);
        }
        // After the last push into the old ring (see the invariants).
        let _ = tail.next.set(Arc::clone(&next));
        *tail = next;
        Ok(())
    }

    /// Removes the oldest item. One consumer at a time.
    pub(crate) fn pop(&self) -> Option<T> {
        let mut head = self.head.take()?;
        let item = loop {
            if let Some(item) = head.slots.pop() {
                break Some(item);
            }
            let Some(next) = head.next.get().cloned() else {
                break None;
            };
            // `next` is set after the producer's last push here: look once
            // more, then the ring is done and is freed.
            if let Some(item) = head.slots.pop() {
                break Some(item);
            }
            head = next;
        };
        self.head.store(Some(head));
        if item.is_some() {
            self.len.fetch_sub(1, SeqCst);
        }
        item
    }

    /// Items queued.
    pub(crate) fn len(&self) -> usize {
        self.len.load(SeqCst)
    }

    /// Whether `capacity` items are queued.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn is_full(&self) -> bool {
        self.len() >= self.capacity
    }

    /// Slots allocated now, over every ring still held (for tests).
    #[cfg(test)]
    fn allocated_slots(&self) -> usize {
        let head = self.head.take().expect("no pop in progress");
        let mut ring = Some(Arc::clone(&head));
        self.head.store(Some(head));
        let mut total = 0;
        while let Some(r) = ring {
            total += r.slots.capacity();
            ring = r.next.get().cloned();
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_consumer_side_is_lock_free() {
        assert!(AtomicCell::<Option<Arc<Ring<u64>>>>::is_lock_free());
    }

    #[test]
    fn fifo_across_growth_and_bounded() {
        let q = GrowQueue::new(1000);
        assert_eq!(q.allocated_slots(), FIRST_RING);
        for i in 0..1000 {
            q.push(i).unwrap();
        }
        assert!(q.is_full());
        assert_eq!(q.push(1000), Err(1000));
        assert!(q.allocated_slots() >= 1000);
        for i in 0..1000 {
            assert_eq!(q.pop(), Some(i));
        }
        assert_eq!(q.pop(), None);
        assert_eq!(q.len(), 0);
    }

    #[test]
    fn memory_goes_back_to_one_small_ring_when_idle() {
        let q = GrowQueue::new(4096);
        for i in 0..4096 {
            q.push(i).unwrap();
        }
        while q.pop().is_some() {}
        // The next push after a drain starts a small ring; the big ones go.
        q.push(1).unwrap();
        assert_eq!(q.pop(), Some(1));
        assert_eq!(q.allocated_slots(), FIRST_RING);
    }

    #[test]
    fn interleaved_push_and_pop_keep_order() {
        let q = GrowQueue::new(500);
        let (mut next_in, mut next_out) = (0, 0);
        for round in 0..200 {
            for _ in 0..(round % 37) {
                if q.push(next_in).is_ok() {
                    next_in += 1;
                }
            }
            for _ in 0..(round % 23) {
                if let Some(v) = q.pop() {
                    assert_eq!(v, next_out);
                    next_out += 1;
                }
            }
        }
        while let Some(v) = q.pop() {
            assert_eq!(v, next_out);
            next_out += 1;
        }
        assert_eq!(next_in, next_out);
    }

    #[test]
    fn two_producers_one_consumer_lose_nothing() {
        let q = Arc::new(GrowQueue::new(64));
        let producers: Vec<_> = (0..2u64)
            .map(|p| {
                let q = Arc::clone(&q);
                std::thread::spawn(move || {
                    for i in 0..20_000u64 {
                        let mut v = (p << 32) | i;
                        while let Err(back) = q.push(v) {
                            v = back;
                            std::thread::yield_now();
                        }
                    }
                })
            })
            .collect();
        let mut last = [None::<u64>; 2];
        let mut got = 0;
        while got < 40_000 {
            match q.pop() {
                Some(v) => {
                    let (p, i) = ((v >> 32) as usize, v & 0xffff_ffff);
                    assert!(last[p].is_none_or(|l| i == l + 1), "per-producer order");
                    last[p] = Some(i);
                    got += 1;
                }
                None => std::thread::yield_now(),
            }
        }
        for p in producers {
            p.join().unwrap();
        }
        assert_eq!(q.pop(), None);
    }
}
