//! The module's connections, addressed by the integer ids C# holds, and the last error.
//!
//! wasm32 in the browser is single-threaded and browser events are never dispatched while
//! our code runs, so a `RefCell` suffices; `try_borrow_mut` still guards against surprises
//! rather than panicking across the JS boundary.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::browser::Connection;
use crate::error::{Error, ErrorKind, Result};
use crate::options::Options;

#[derive(Default)]
struct Registry {
    next_id: u32,
    connections: HashMap<u32, Connection>,
}

thread_local! {
    static REGISTRY: RefCell<Registry> = RefCell::new(Registry::default());
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

fn busy() -> Error {
    Error::new(
        ErrorKind::Browser,
        "re-entrant call into the WebSocket module",
    )
}

/// Registers a new connection with `options` and returns its id (never 0).
pub fn create(options: Options) -> Result<u32> {
    REGISTRY.with(|r| {
        let mut r = r.try_borrow_mut().map_err(|_| busy())?;
        // Ids are not reused while alive; 0 stays free so C# can use it as "none".
        // Ids stay in 1..=i32::MAX (C# holds an int, 0 means "none") and are not reused
        // while alive; at most `len` are taken, so `len + 1` steps find a free one.
        let mut id = r.next_id;
        for _ in 0..=r.connections.len() {
            id = if id >= i32::MAX as u32 { 1 } else { id + 1 };
            if !r.connections.contains_key(&id) {
                break;
            }
        }
        let connection = Connection::new(id, options)?;
        r.next_id = id;
        r.connections.insert(id, connection);
        Ok(id)
    })
}

/// Runs `f` on connection `id`.
pub fn with<R>(id: u32, f: impl FnOnce(&mut Connection) -> Result<R>) -> Result<R> {
    REGISTRY.with(|r| {
        let mut r = r.try_borrow_mut().map_err(|_| busy())?;
        let c = r.connections.get_mut(&id).ok_or_else(|| {
            Error::new(ErrorKind::UnknownId, format!("no connection with id {id}"))
        })?;
        f(c)
    })
}

/// Delivers a browser event to connection `id`; dropped if the connection is gone.
pub fn dispatch(id: u32, f: impl FnOnce(&mut Connection)) {
    REGISTRY.with(|r| {
        if let Ok(mut r) = r.try_borrow_mut() {
            if let Some(c) = r.connections.get_mut(&id) {
                f(c);
            }
        }
    });
}

/// Removes connection `id`, closing its socket.
pub fn destroy(id: u32) -> Result<()> {
    let removed = REGISTRY.with(|r| {
        let mut r = r.try_borrow_mut().map_err(|_| busy())?;
        Ok::<_, Error>(r.connections.remove(&id))
    })?;
    // Dropped outside the borrow: dropping closes the socket.
    match removed {
        Some(connection) => {
            drop(connection);
            Ok(())
        }
        None => Err(Error::new(
            ErrorKind::UnknownId,
            format!("no connection with id {id}"),
        )),
    }
}

/// Records `e` as the last error and returns its status code.
pub fn fail(e: &Error) -> i32 {
    LAST_ERROR.with(|l| {
        if let Ok(mut l) = l.try_borrow_mut() {
            l.clear();
            l.push_str(e.message());
        }
    });
    e.kind().code()
}

/// The message of the last error.
pub fn last_error() -> String {
    LAST_ERROR.with(|l| l.try_borrow().map(|s| s.clone()).unwrap_or_default())
}
