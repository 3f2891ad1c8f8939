//! The process-wide table of clients behind the C handles, and what each
//! slot holds: the engine client (or its configuration before connect) plus
//! the event the consumer currently borrows.

use crate::error::{FfiError, FfiResult};
use crate::event::DwsEvent;
use crate::handle_table::HandleTable;
use crate::status::DwsStatus;
use devian_ws_engine::{Client, Config, Event, MessageKind, Reserved};
use devian_ws_protocol::Error;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

// Entries are `Arc`s so the global lock is held only for the lookup; slow
// work (connecting, joining threads) happens on the entry, outside it. A
// read lock for lookups: per-message calls from several threads never queue.
static TABLE: RwLock<HandleTable<Arc<ClientEntry>>> = RwLock::new(HandleTable::new());

/// One client behind a handle.
#[derive(Debug)]
pub struct ClientEntry {
    // Read-locked by calls that use the client (send, poll, state...), so
    // they run concurrently; write-locked to configure, connect and stop.
    phase: RwLock<Phase>,
    // The event whose memory the last `DwsEvent` points into.
    held: Mutex<Option<Event>>,
    // The send buffer the caller is filling (`dws_client_send_reserve`).
    reserved: Mutex<Option<Reserved>>,
    // The sub-protocol from the last Open event.
    protocol: Mutex<String>,
    close_requested: AtomicBool,
    // Stopped by `free_all` while its event was borrowed: the handle stays
    // in the table, answering only `release` and `free`, so the memory the
    // consumer may still be reading outlives the shutdown.
    retired: AtomicBool,
}

#[derive(Debug)]
enum Phase {
    /// Created, not yet connected: setters edit the configuration.
    Configuring(Box<Config>),
    /// Connected (or connecting): the engine client.
    Running(Client),
    /// Freed; only reachable by a call that looked the entry up just before.
    Stopped,
}

// Poisoning only records that a panic happened while locked; every critical
// section here leaves the data consistent, and the panic itself was already
// reported as `DwsStatus::Panic`. Refusing service forever would be worse.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

fn invalid_handle(handle: u64) -> FfiError {
    FfiError::new(
        DwsStatus::InvalidHandle,
        format!("invalid or freed handle {handle:#x}"),
    )
}

/// Registers a new, unconnected client and returns its handle.
pub fn insert(config: Config) -> FfiResult<u64> {
    let entry = Arc::new(ClientEntry {
        phase: RwLock::new(Phase::Configuring(Box::new(config))),
        held: Mutex::new(None),
        reserved: Mutex::new(None),
        protocol: Mutex::new(String::new()),
        close_requested: AtomicBool::new(false),
        retired: AtomicBool::new(false),
    });
    write(&TABLE)
        .insert(entry)
        .map_err(|_| FfiError::new(DwsStatus::Internal, "too many live clients"))
}

/// The entry behind `handle`; a retired one (see [`free_all`]) is
/// `InvalidHandle` here, before any argument is looked at.
pub fn get(handle: u64) -> FfiResult<Arc<ClientEntry>> {
    get_even_retired(handle)
        .filter(|e| !e.retired.load(Ordering::Acquire))
        .ok_or_else(|| invalid_handle(handle))
}

fn get_even_retired(handle: u64) -> Option<Arc<ClientEntry>> {
    read(&TABLE).get(handle).cloned()
}

/// Invalidates `handle` and stops its client (closing it and joining its
/// threads). A second call with the same handle is `InvalidHandle`.
pub fn free(handle: u64) -> FfiResult<()> {
    let entry = write(&TABLE)
        .remove(handle)
        .ok_or_else(|| invalid_handle(handle))?;
    entry.stop(false);
    Ok(())
}

/// Stops every client and invalidates its handle; returns how many.
///
/// A handle whose polled event is still borrowed (polled, not yet
/// released) keeps that event: the consumer may be reading it on another
/// thread right now, as Dispose and the finalizer already respect. Such a
/// handle is retired instead: every call but `dws_client_release` and
/// `dws_client_free` answers `InvalidHandle`, it is not listed, and the
/// release (or free) drops the event and the handle together.
pub fn free_all() -> usize {
    // Take them under the lock, stop them outside it: stopping waits for
    // threads, and other threads may need the table meanwhile.
    let entries: Vec<Arc<ClientEntry>> = {
        let mut table = write(&TABLE);
        let handles: Vec<u64> = table.handles().collect();
        handles
            .into_iter()
            .filter_map(|h| {
                let borrowed = table.get(h).is_some_and(|e| lock(&e.held).is_some());
                if borrowed {
                    let entry = table.get(h).cloned()?;
                    entry.retired.store(true, Ordering::Release);
                    Some(entry)
                } else {
                    table.remove(h)
                }
            })
            .collect()
    };
    let n = entries.len();
    for entry in entries {
        entry.stop(entry.retired.load(Ordering::Acquire));
    }
    n
}

/// Releases the event borrowed from `handle`'s last poll; for a handle
/// retired by `free_all`, also invalidates the handle.
pub fn release(handle: u64) -> FfiResult<()> {
    let entry = get_even_retired(handle).ok_or_else(|| invalid_handle(handle))?;
    entry.release();
    if entry.retired.load(Ordering::Acquire) {
        write(&TABLE).remove(handle);
    }
    Ok(())
}

/// The live handles (not the retired ones).
pub fn handles() -> Vec<u64> {
    let table = read(&TABLE);
    table
        .handles()
        .filter(|h| {
            table
                .get(*h)
                .is_some_and(|e| !e.retired.load(Ordering::Acquire))
        })
        .collect()
}

impl ClientEntry {
    /// Edits the configuration; only before connect.
    pub fn configure(&self, edit: impl FnOnce(&mut Config) -> FfiResult<()>) -> FfiResult<()> {
        match &mut *write(&self.phase) {
            Phase::Configuring(config) => edit(config),
            Phase::Running(_) => Err(FfiError::state(
                "already connected; configure before dws_client_connect",
            )),
            Phase::Stopped => Err(FfiError::new(DwsStatus::InvalidHandle, "client was freed")),
        }
    }

    /// Starts connecting with the configuration; a second call is `InvalidState`.
    pub fn connect(&self) -> FfiResult<()> {
        let mut phase = write(&self.phase);
        let config = match &*phase {
            Phase::Configuring(config) => config.as_ref().clone(),
            Phase::Running(_) => return Err(FfiError::state("connect called twice")),
            Phase::Stopped => {
                return Err(FfiError::new(DwsStatus::InvalidHandle, "client was freed"))
            }
        };
        // The configuration stays in place if the engine rejects it, so the
        // caller can fix it and retry.
        let client = Client::connect(config).map_err(|e| match e {
            // Here a usage error means the configuration itself was refused.
            Error::Usage(_) | Error::Url(_) => FfiError::invalid(format!("connect: {e}")),
            e => FfiError::engine("connect", &e),
        })?;
        *phase = Phase::Running(client);
        Ok(())
    }

    /// Reserves a send buffer of `len` bytes; returns its payload's address,
    /// which stays valid (the buffer is held here, never resized) until
    /// `commit`, `abort_reservation` or the entry is stopped.
    pub fn reserve(&self, len: usize) -> FfiResult<*mut u8> {
        self.with_client(|client| {
            let mut slot = lock(&self.reserved);
            if slot.is_some() {
                return Err(FfiError::state(
                    "a reservation is pending; commit or abort it first",
                ));
            }
            let mut message = client.reserve(len).map_err(|e| match e {
                // The only usage error: larger than the send queue's byte bound.
                Error::Usage(m) => FfiError::invalid(format!("reserve: {m}")),
                e => FfiError::engine("reserve", &e),
            })?;
            let data = message.payload_mut().as_mut_ptr();
            *slot = Some(message);
            Ok(data)
        })
    }

    /// Queues the reserved message; the reservation ends either way.
    pub fn commit(&self, kind: MessageKind) -> FfiResult<()> {
        self.with_client(|client| {
            let message = lock(&self.reserved).take().ok_or_else(|| {
                FfiError::state("nothing reserved; call dws_client_send_reserve first")
            })?;
            client.send_reserved(kind, message).map_err(|e| match e {
                Error::Usage(m) if m.contains("UTF-8") => FfiError::new(DwsStatus::InvalidUtf8, m),
                e => FfiError::engine("send", &e),
            })
        })
    }

    /// Drops the reservation, if any.
    pub fn abort_reservation(&self) {
        lock(&self.reserved).take();
    }

    /// Runs `f` with the running client. Before connect: `InvalidState`.
    pub fn with_client<R>(&self, f: impl FnOnce(&Client) -> FfiResult<R>) -> FfiResult<R> {
        match &*read(&self.phase) {
            Phase::Running(client) => f(client),
            Phase::Configuring(_) => Err(FfiError::state(
                "not connected; call dws_client_connect first",
            )),
            Phase::Stopped => Err(FfiError::new(DwsStatus::InvalidHandle, "client was freed")),
        }
    }

    /// Like `with_client`, but `before` answers when not yet connected.
    pub fn with_client_or<R>(&self, before: R, f: impl FnOnce(&Client) -> R) -> FfiResult<R> {
        match &*read(&self.phase) {
            Phase::Running(client) => Ok(f(client)),
            Phase::Configuring(_) => Ok(before),
            Phase::Stopped => Err(FfiError::new(DwsStatus::InvalidHandle, "client was freed")),
        }
    }

    /// Releases the held event, takes the next one and describes it; `None`
    /// when the queue is empty.
    pub fn poll(&self) -> FfiResult<Option<DwsEvent>> {
        self.with_client(|client| {
            let mut held = lock(&self.held);
            // Return the previous buffer to the pool before taking the next,
            // so a steady poll loop reuses the same buffers.
            *held = None;
            let Some(event) = client.poll() else {
                return Ok(None);
            };
            if let Event::Open { protocol } = &event {
                let mut p = lock(&self.protocol);
                p.clear();
                p.push_str(protocol.as_deref().unwrap_or(""));
            }
            // The event moves into `held` and is described in place, so the
            // pointers refer to where it now lives (its heap parts).
            let event = held.insert(event);
            Ok(Some(DwsEvent::describe(event)))
        })
    }

    /// Drops the held event, returning its buffer to the pool.
    pub fn release(&self) {
        *lock(&self.held) = None;
    }

    /// The sub-protocol the server chose at the last Open (empty if none).
    pub fn protocol(&self) -> String {
        lock(&self.protocol).clone()
    }

    /// Marks that close was requested; `false` if it already had been.
    pub fn request_close(&self) -> bool {
        !self.close_requested.swap(true, Ordering::AcqRel)
    }

    /// Stops the client (bounded: see `Client::shutdown`) and, unless
    /// `keep_event`, drops the held event.
    fn stop(&self, keep_event: bool) {
        // Taking the write lock waits for calls in flight on other threads.
        let previous = std::mem::replace(&mut *write(&self.phase), Phase::Stopped);
        if !keep_event {
            self.release();
        }
        self.abort_reservation();
        if let Phase::Running(client) = previous {
            client.shutdown();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::DwsOptions;

    /// Serialises tests that touch the process-wide table and assert on it.
    static TABLE_TESTS: Mutex<()> = Mutex::new(());

    fn config() -> Config {
        DwsOptions::default()
            .to_config("ws://127.0.0.1:9/")
            .expect("valid")
    }

    #[test]
    fn freed_handles_are_invalid_and_double_free_fails() {
        let _serial = lock(&TABLE_TESTS);
        let h = insert(config()).expect("inserted");
        assert!(get(h).is_ok());
        assert!(handles().contains(&h));
        free(h).expect("first free");
        assert_eq!(get(h).unwrap_err().status, DwsStatus::InvalidHandle);
        assert_eq!(free(h).unwrap_err().status, DwsStatus::InvalidHandle);
        assert!(!handles().contains(&h));
    }

    #[test]
    fn an_entry_looked_up_before_free_reports_it_was_freed() {
        let _serial = lock(&TABLE_TESTS);
        let h = insert(config()).expect("inserted");
        let entry = get(h).expect("live");
        free(h).expect("free");
        assert_eq!(entry.poll().unwrap_err().status, DwsStatus::InvalidHandle);
        assert_eq!(
            entry.connect().unwrap_err().status,
            DwsStatus::InvalidHandle
        );
        assert_eq!(
            entry.configure(|_| Ok(())).unwrap_err().status,
            DwsStatus::InvalidHandle
        );
    }

    #[test]
    fn before_connect_the_client_is_unusable_but_configurable() {
        let _serial = lock(&TABLE_TESTS);
        let h = insert(config()).expect("inserted");
        let entry = get(h).expect("live");
        assert_eq!(entry.poll().unwrap_err().status, DwsStatus::InvalidState);
        entry
            .configure(|c| {
                c.protocols.push("chat".into());
                Ok(())
            })
            .expect("configurable");
        assert_eq!(entry.with_client_or(7, |_| 1).expect("live"), 7);
        assert!(entry.request_close());
        assert!(!entry.request_close(), "second request is reported");
        free(h).expect("free");
    }
}
