//! The state one connection's API handle and its two threads share.

use crate::config::Config;
use crate::dispatch::Dispatch;
use crate::event::Event;
use crate::outbox::{Control, Outbox};
use crate::pool::BufferPool;
use crate::session::SessionEnd;
use devian_ws_protocol::WsUrl;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Buffers kept per pool, the largest one worth keeping, and the bytes a
/// pool may pin in all. Large messages (up to 8 MiB) are recycled so a
/// stream of them does not allocate per message, while the total stays at
/// the 32 MiB worst case that 128 buffers of 256 KiB had.
const POOL_SLOTS: usize = 128;
const POOL_MAX_CAPACITY: usize = 8 << 20;
const POOL_MAX_BYTES: usize = 32 << 20;

/// Counters behind [`crate::Stats`].
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) messages_sent: AtomicU64,
    pub(crate) bytes_sent: AtomicU64,
    pub(crate) messages_received: AtomicU64,
    pub(crate) bytes_received: AtomicU64,
    pub(crate) reconnects: AtomicU64,
    pub(crate) last_rtt_us: AtomicU64,
    pub(crate) messages_unsent: AtomicU64,
}

pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) url: WsUrl,
    pub(crate) tls: Option<Arc<rustls::ClientConfig>>,
    pub(crate) outbox: Mutex<Outbox>,
    /// The send thread waits on this (with `outbox`).
    pub(crate) wake: Condvar,
    /// Masking keys for payloads that `send` masks as it copies them (§5.3:
    /// fresh per frame; §10.3: from a CSPRNG, ChaCha seeded from the OS).
    /// Per client, not per thread: a thread-local generator would leave a
    /// registration behind in every thread that ever sends.
    mask_rng: Mutex<rand::rngs::StdRng>,
    /// Data messages accepted so far (a spinning send thread watches it).
    pub(crate) enqueued: AtomicU64,
    /// Producers in `Client::wait_for_room` wait on this (with `outbox`):
    /// signalled when the send thread takes data, and on every change of
    /// phase that decides whether a send is accepted.
    pub(crate) room: Condvar,
    /// Signalled (with `outbox`) when `Outbox::finished` becomes true.
    done: Condvar,
    pub(crate) dispatch: Dispatch,
    pub(crate) recv_pool: Arc<BufferPool>,
    pub(crate) send_pool: Arc<BufferPool>,
    pub(crate) counters: Counters,
    /// Mirror of `outbox.stop`, readable without the lock.
    stopping: AtomicBool,
    /// The current session's socket, so a stop can unblock its threads.
    pub(crate) socket: Mutex<Option<TcpStream>>,
    pub(crate) driver: Mutex<Option<JoinHandle<()>>>,
    /// The close watchdog, if `close` started one (see `Client::close`).
    pub(crate) watchdog: Mutex<Option<JoinHandle<()>>>,
    /// Time base for ping payloads and RTT.
    pub(crate) epoch: Instant,
    /// Payload (µs since `epoch`, never 0) of the unanswered ping; 0 when none.
    pub(crate) ping_outstanding: AtomicU64,
    /// Payload of the latest Pong that answered our outstanding ping (set
    /// under the outbox lock, so the send thread cannot miss its wakeup).
    pub(crate) ping_answered: AtomicU64,
}

/// A poisoned lock still holds consistent data here (every critical section
/// only assigns fields), and the panic itself is reported by the thread.
pub(crate) fn relock<T>(r: std::sync::LockResult<T>) -> T {
    r.unwrap_or_else(|p| p.into_inner())
}

impl Inner {
    pub(crate) fn new(config: Config, url: WsUrl, tls: Option<Arc<rustls::ClientConfig>>) -> Inner {
        let outbox = Outbox::new(config.send_queue, config.reconnect_buffer);
        let dispatch = Dispatch::new(config.effective_recv_queue());
        Inner {
            config,
            url,
            tls,
            outbox: Mutex::new(outbox),
            wake: Condvar::new(),
            mask_rng: Mutex::new(rand::SeedableRng::from_entropy()),
            enqueued: AtomicU64::new(0),
            room: Condvar::new(),
            done: Condvar::new(),
            dispatch,
            recv_pool: BufferPool::new(POOL_SLOTS, POOL_MAX_CAPACITY, POOL_MAX_BYTES),
            send_pool: BufferPool::new(POOL_SLOTS, POOL_MAX_CAPACITY, POOL_MAX_BYTES),
            counters: Counters::default(),
            stopping: AtomicBool::new(false),
            socket: Mutex::new(None),
            driver: Mutex::new(None),
            watchdog: Mutex::new(None),
            epoch: Instant::now(),
            ping_outstanding: AtomicU64::new(0),
            ping_answered: AtomicU64::new(0),
        }
    }

    /// A fresh masking key for one frame.
    pub(crate) fn mask_key(&self) -> [u8; 4] {
        rand::RngCore::next_u32(&mut *relock(self.mask_rng.lock())).to_ne_bytes()
    }

    pub(crate) fn lock_outbox(&self) -> MutexGuard<'_, Outbox> {
        relock(self.outbox.lock())
    }

    /// The send thread's only way to block: waits on `wake` (up to
    /// `timeout`), with `sender_waiting` set meanwhile so data senders know
    /// to notify. Every waker changes the outbox under its lock first, so
    /// the caller re-checks the outbox after this returns.
    pub(crate) fn wait_for_work<'a>(
        &self,
        mut ob: MutexGuard<'a, Outbox>,
        timeout: Option<Duration>,
    ) -> MutexGuard<'a, Outbox> {
        ob.sender_waiting = true;
        let mut ob = match timeout {
            Some(t) => relock(self.wake.wait_timeout(ob, t)).0,
            None => relock(self.wake.wait(ob)),
        };
        ob.sender_waiting = false;
        ob
    }

    pub(crate) fn stopping(&self) -> bool {
        self.stopping.load(SeqCst)
    }

    /// Queues an event for `poll`. Never called with the outbox locked.
    pub(crate) fn emit(&self, event: Event) {
        self.dispatch.push_event(event, &|| self.stopping());
    }

    /// Hands a control frame to the send thread, ahead of queued data
    /// (replacing an unsent one of its kind: the lane is bounded).
    pub(crate) fn push_control(&self, control: Control) {
        self.lock_outbox().control.push(control);
        self.wake.notify_all();
    }

    /// Records why the session ended (first reason wins) and wakes the send thread.
    pub(crate) fn end_session(&self, end: SessionEnd) {
        let mut ob = self.lock_outbox();
        if ob.end.is_none() {
            ob.end = Some(end);
        }
        drop(ob);
        self.wake.notify_all();
    }

    /// Microseconds since `epoch`.
    pub(crate) fn now_us(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    /// Sets the session socket, unless a stop already began (then `false`).
    pub(crate) fn set_socket(&self, sock: Option<TcpStream>) -> bool {
        let mut slot = relock(self.socket.lock());
        *slot = sock;
        // Checked under the socket lock, which `stop` and `Client::close`
        // take after setting their flags: either we see the flag, or they
        // see this socket and shut it down.
        !(slot.is_some() && (self.stopping() || self.lock_outbox().closing_for_good()))
    }

    /// Bounds every further write of the session socket by `timeout`.
    pub(crate) fn set_write_timeout(&self, timeout: Duration) {
        if let Some(s) = relock(self.socket.lock()).as_ref() {
            let _ = s.set_write_timeout(Some(timeout));
        }
    }

    /// Shuts the session socket down in `how`, unblocking reads (and writes for `Both`).
    pub(crate) fn shutdown_socket(&self, how: Shutdown) {
        if let Some(s) = relock(self.socket.lock()).as_ref() {
            let _ = s.shutdown(how);
        }
    }

    /// Asks both threads to finish now. Non-blocking.
    ///
    /// Only the read side is shut down here: the receive thread wakes, while
    /// the send thread may still put a Close(1001) on the wire, bounded by
    /// `close_timeout`, before it closes the socket.
    pub(crate) fn stop(&self) {
        self.lock_outbox().stop = true;
        self.stopping.store(true, SeqCst);
        self.wake.notify_all();
        self.room.notify_all();
        self.dispatch.signal_all();
        self.shutdown_socket(Shutdown::Read);
    }

    /// Marks the connection thread finished; `join_by` stops waiting.
    pub(crate) fn mark_finished(&self) {
        self.lock_outbox().finished = true;
        self.done.notify_all();
    }

    /// After `stop`: waits until `deadline` for the connection's threads to
    /// finish, then lets them go.
    ///
    /// On a healthy connection the send thread puts its Close(1001) on the
    /// wire and both threads end well within the wait; they are joined. A
    /// thread blocked in something `stop` cannot interrupt (a TCP connect to
    /// a peer that never answers, a name lookup, a write to a peer that does
    /// not read) is not waited for: the socket is shut down in both
    /// directions, which fails a blocked write at once, and the thread is
    /// detached to finish by its own timeouts. It owns what it uses (an
    /// `Arc<Inner>`) and never calls back into the caller, so nothing needs
    /// it joined, not even a Unity domain reload.
    pub(crate) fn join_by(&self, deadline: Instant) {
        let mut slot = relock(self.driver.lock());
        let Some(handle) = slot.take() else { return };
        if self.wait_finished(deadline) {
            // The driver catches its own panics; Err here cannot carry one.
            let _ = handle.join();
            // Woken by the finish too; joined so no thread outlives the call.
            if let Some(watchdog) = relock(self.watchdog.lock()).take() {
                let _ = watchdog.join();
            }
        } else {
            self.shutdown_socket(Shutdown::Both);
            // Over for the caller now; the final events follow when the
            // thread ends.
            self.lock_outbox().lifecycle.finished();
            self.room.notify_all();
            drop(handle);
        }
    }

    /// Waits until the connection thread has finished or `deadline` passed;
    /// whether it finished.
    pub(crate) fn wait_finished(&self, deadline: Instant) -> bool {
        let mut ob = self.lock_outbox();
        while !ob.finished {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            ob = relock(self.done.wait_timeout(ob, deadline - now)).0;
        }
        true
    }

    pub(crate) fn record_sent(&self, bytes: usize) {
        self.counters.messages_sent.fetch_add(1, Relaxed);
        self.counters.bytes_sent.fetch_add(bytes as u64, Relaxed);
    }

    pub(crate) fn record_received(&self, bytes: usize) {
        self.counters.messages_received.fetch_add(1, Relaxed);
        self.counters
            .bytes_received
            .fetch_add(bytes as u64, Relaxed);
    }
}
