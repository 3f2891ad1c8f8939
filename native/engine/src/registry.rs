//! Every live connection in the process, so one call can stop them all.
//!
//! Unity reloads the managed domain while the native library stays loaded;
//! threads left running then crash the editor. `shutdown_all` is what the
//! managed side calls before that happens.

use crate::inner::Inner;
use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

static LIVE: Mutex<Vec<Weak<Inner>>> = Mutex::new(Vec::new());

/// Adds a connection (and forgets connections that are gone).
pub(crate) fn register(inner: &Arc<Inner>) {
    let mut live = LIVE.lock().unwrap_or_else(|p| p.into_inner());
    live.retain(|w| w.strong_count() > 0);
    live.push(Arc::downgrade(inner));
}

/// Closes every live connection in the process and joins all their threads.
///
/// All connections are asked to stop first and joined afterwards, so the
/// total wait is that of the slowest one, not the sum: about its close
/// timeout once connected (a connection still in its TCP connect finishes
/// that first, up to its connect timeout). Handles stay valid;
/// their connections are closed (`Client::state` is `Closed`).
pub fn shutdown_all() {
    let live: Vec<Arc<Inner>> = {
        let mut list = LIVE.lock().unwrap_or_else(|p| p.into_inner());
        list.drain(..).filter_map(|w| w.upgrade()).collect()
    };
    let stopped = Instant::now();
    for inner in &live {
        inner.stop();
    }
    for inner in &live {
        inner.join_by(stopped + inner.config.close_timeout);
    }
}
