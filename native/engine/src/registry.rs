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

/// Stops every live connection in the process; returns within about
/// [`TEARDOWN_WAIT`](crate::TEARDOWN_WAIT) however many there are.
///
/// Every connection is asked to stop first, then all are waited for once,
/// against one shared deadline: healthy ones send Close(1001) and are
/// joined; any blocked in a TCP connect, a name lookup or a write to a peer
/// that does not read are cut off and end by their own timeouts. Their
/// threads never call into the caller. Handles stay valid; their
/// connections are closed (`Client::state` is `Closed` once they end).
pub fn shutdown_all() {
    let live: Vec<Arc<Inner>> = {
        let mut list = LIVE.lock().unwrap_or_else(|p| p.into_inner());
        list.drain(..).filter_map(|w| w.upgrade()).collect()
    };
    let deadline = Instant::now() + crate::TEARDOWN_WAIT;
    for inner in &live {
        inner.stop();
    }
    for inner in &live {
        inner.join_by(deadline);
    }
}
