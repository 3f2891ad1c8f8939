//! A table of objects addressed by the integer ids C# holds, and the module's last error.
//!
//! wasm32 in the browser is single-threaded and browser events are never dispatched while
//! our code runs, so a `RefCell` suffices; `try_borrow_mut` still guards against surprises
//! rather than panicking across the JS boundary. The table is generic, so this module knows
//! nothing of what it holds (the connections' table lives in [`crate::browser`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::thread::LocalKey;

use crate::error::{Error, ErrorKind, Result};

/// Objects by id. Invariant: ids are in 1..=i32::MAX (C# holds an int, 0 means "none") and
/// are not reused while alive.
pub struct Registry<T> {
    next_id: u32,
    items: HashMap<u32, T>,
}

impl<T> Default for Registry<T> {
    fn default() -> Self {
        Registry {
            next_id: 0,
            items: HashMap::new(),
        }
    }
}

/// A thread-local registry, as declared with `thread_local!`.
pub type Table<T> = LocalKey<RefCell<Registry<T>>>;

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

fn busy() -> Error {
    Error::new(
        ErrorKind::Browser,
        "re-entrant call into the WebSocket module",
    )
}

fn unknown(id: u32) -> Error {
    Error::new(ErrorKind::UnknownId, format!("no connection with id {id}"))
}

/// Adds the object `make` builds for a fresh id; returns the id (never 0).
pub fn create<T>(table: &'static Table<T>, make: impl FnOnce(u32) -> Result<T>) -> Result<u32> {
    table.with(|r| {
        let mut r = r.try_borrow_mut().map_err(|_| busy())?;
        // At most `len` ids are taken, so `len + 1` steps find a free one.
        let mut id = r.next_id;
        for _ in 0..=r.items.len() {
            id = if id >= i32::MAX as u32 { 1 } else { id + 1 };
            if !r.items.contains_key(&id) {
                break;
            }
        }
        let item = make(id)?;
        r.next_id = id;
        r.items.insert(id, item);
        Ok(id)
    })
}

/// Runs `f` on object `id`.
pub fn with<T, R>(
    table: &'static Table<T>,
    id: u32,
    f: impl FnOnce(&mut T) -> Result<R>,
) -> Result<R> {
    table.with(|r| {
        let mut r = r.try_borrow_mut().map_err(|_| busy())?;
        f(r.items.get_mut(&id).ok_or_else(|| unknown(id))?)
    })
}

/// Runs `f` on object `id` if it is still there (a late browser event is dropped).
pub fn dispatch<T>(table: &'static Table<T>, id: u32, f: impl FnOnce(&mut T)) {
    table.with(|r| {
        if let Ok(mut r) = r.try_borrow_mut() {
            if let Some(item) = r.items.get_mut(&id) {
                f(item);
            }
        }
    });
}

/// Removes object `id` and drops it outside the borrow (dropping may call back into the table).
pub fn destroy<T>(table: &'static Table<T>, id: u32) -> Result<()> {
    let removed = table.with(|r| {
        let mut r = r.try_borrow_mut().map_err(|_| busy())?;
        Ok::<_, Error>(r.items.remove(&id))
    })?;
    match removed {
        Some(item) => {
            drop(item);
            Ok(())
        }
        None => Err(unknown(id)),
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
