//! A queue bounded in count and in bytes; full means an error, never a silent drop.
// CONTRACT STUB.

/// Bounds of a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueLimits {
    /// Most items.
    pub max_messages: usize,
    /// Most payload bytes.
    pub max_bytes: usize,
}

/// FIFO bounded by [`QueueLimits`]; `push` hands the item back when full.
#[derive(Debug)]
pub struct BoundedQueue<T> {
    _items: std::collections::VecDeque<(T, usize)>,
}
