//! The public handle of one connection.

use crate::config::Config;
use crate::direct::{DirectSocket, Unfinished, Written};
use crate::event::Event;
use crate::inner::{relock, Inner};
use crate::outbox::{OutMsg, UserClose};
use crate::pool::PooledBuf;
use crate::{driver, registry};
use devian_websocket::MAX_CLOSE_REASON;
use devian_ws_policy::lifecycle::UserClose as LifecycleClose;
use devian_ws_policy::{State, Stats};
use devian_ws_protocol::protocol::frame;
use devian_ws_protocol::{CloseCode, Error, MessageKind, Result, MAX_HEADER_LEN};
use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::sync::Arc;
use std::time::Instant;

/// One WebSocket connection driven by its own send and receive threads.
///
/// All methods take `&self` and may be called from any thread, except
/// [`Client::poll`], which is for one consumer thread. Dropping the client
/// closes the connection and joins its threads.
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.inner.config.url)
            .field("state", &self.state())
            .finish()
    }
}

impl Client {
    /// Validates `config` and starts connecting in the background; progress arrives as events.
    pub fn connect(config: Config) -> Result<Client> {
        let url = config.validate()?;
        let tls = if url.secure {
            Some(devian_websocket::tls::client_config(&config.tls)?)
        } else {
            None
        };
        let inner = Arc::new(Inner::new(config, url, tls));
        let handle = {
            let inner = Arc::clone(&inner);
            std::thread::Builder::new()
                .name("devian-ws-send".into())
                .spawn(move || driver::run(inner))?
        };
        *inner.driver.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
        registry::register(&inner);
        Ok(Client { inner })
    }

    /// Current state.
    pub fn state(&self) -> State {
        self.inner.lock_outbox().lifecycle.state()
    }

    /// Copies `payload` once into a pooled buffer and enqueues it; never blocks on the network.
    ///
    /// Errors: `Usage("not open")` before the connection is open (while
    /// reconnecting too, unless the reconnect buffer is on), `Capacity` when
    /// the send queue (or reconnect buffer) is full, `AlreadyClosed` after
    /// `close`. Text must be valid UTF-8 (§5.6); [`Client::send_text`]
    /// takes a `&str` and skips that check.
    ///
    /// Delivery: messages go out in order. If the connection drops while the
    /// write carrying a message fails, that write's messages are sent again
    /// after a reconnect (so a peer may see one twice), or counted in
    /// `Closed { unsent }` if no reconnect follows. What the operating
    /// system had already accepted when the peer died is lost under
    /// [`Delivery::AtMostOnce`](crate::Delivery::AtMostOnce) (the default); [`Delivery::AtLeastOnce`](crate::Delivery::AtLeastOnce)
    /// keeps each message until the peer confirms it and resends the rest
    /// after a reconnect, so nothing accepted is lost.
    pub fn send(&self, kind: MessageKind, payload: &[u8]) -> Result<()> {
        if kind == MessageKind::Text && std::str::from_utf8(payload).is_err() {
            return Err(Error::Usage("text message is not valid UTF-8"));
        }
        self.send_checked(kind, payload)
    }

    /// Sends a text message; like `send`, without validating UTF-8 again
    /// (a `&str` already is).
    pub fn send_text(&self, text: &str) -> Result<()> {
        self.send_checked(MessageKind::Text, text.as_bytes())
    }

    /// `send` once the payload is known to suit `kind`.
    fn send_checked(&self, kind: MessageKind, payload: &[u8]) -> Result<()> {
        self.check_size(payload.len())?;
        let mut buf = self.inner.send_pool.take();
        let v = buf.vec_mut();
        v.reserve(MAX_HEADER_LEN + payload.len());
        v.resize(MAX_HEADER_LEN, 0);
        // Without a compressing extension the bytes go out as given, so the
        // copy this call makes anyway can mask them too (§5.3: a fresh key
        // per frame); the send thread then only writes the header.
        let masked = if self.inner.config.permessage_deflate.is_none() {
            let key = self.inner.mask_key();
            frame::extend_masked(v, payload, key);
            Some(key)
        } else {
            v.extend_from_slice(payload);
            None
        };
        self.enqueue(OutMsg { kind, buf, masked }, payload.len())
    }

    /// Like `send`, but `fill` writes the payload straight into the pooled
    /// buffer: it gets a zeroed slice of exactly `len` bytes. Text that
    /// `fill` leaves invalid is refused and not queued.
    pub fn send_with(
        &self,
        kind: MessageKind,
        len: usize,
        fill: impl FnOnce(&mut [u8]),
    ) -> Result<()> {
        let mut message = self.reserve(len)?;
        fill(message.payload_mut());
        self.send_reserved(kind, message)
    }

    /// A pooled send buffer for a payload of exactly `len` bytes (zeroed),
    /// to fill in place and queue with [`Client::send_reserved`]: how a
    /// caller across the C ABI writes a message without a copy of its own.
    /// Dropping it instead returns the buffer to the pool.
    pub fn reserve(&self, len: usize) -> Result<Reserved> {
        self.check_size(len)?;
        let mut buf = self.inner.send_pool.take();
        buf.vec_mut().resize(MAX_HEADER_LEN + len, 0);
        Ok(Reserved { buf })
    }

    /// Queues a message built in a [`Client::reserve`]d buffer; as `send`
    /// (text must be UTF-8, and is refused and not queued otherwise).
    pub fn send_reserved(&self, kind: MessageKind, message: Reserved) -> Result<()> {
        let payload = &message.buf[MAX_HEADER_LEN..];
        if kind == MessageKind::Text && std::str::from_utf8(payload).is_err() {
            return Err(Error::Usage("text message is not valid UTF-8"));
        }
        let len = payload.len();
        self.enqueue(
            OutMsg {
                kind,
                buf: message.buf,
                masked: None,
            },
            len,
        )
    }

    /// A message that could never fit the send queue is a usage error, not
    /// "full, retry later"; checked before anything is allocated.
    fn check_size(&self, len: usize) -> Result<()> {
        if len > self.inner.config.send_queue.max_bytes {
            return Err(Error::Usage(
                "message larger than the send queue's byte bound",
            ));
        }
        Ok(())
    }

    fn enqueue(&self, msg: OutMsg, size: usize) -> Result<()> {
        let now = Instant::now();
        let mut ob = self.inner.lock_outbox();
        if let Some(sock) = ob.direct_for(&msg, now) {
            ob.caller_writing = true;
            ob.last_send = Some(now);
            drop(ob);
            self.write_directly(&sock, msg, size);
            return Ok(());
        }
        ob.admit(msg, size)?;
        ob.last_send = Some(now);
        self.inner.enqueued.fetch_add(1, SeqCst);
        // A send thread that is not waiting will see the message before it
        // waits again (it checks the queue under this lock): no wake needed,
        // and a burst of sends costs no syscall each.
        let idle = ob.sender_waiting;
        drop(ob);
        if idle {
            self.inner.wake.notify_one();
        }
        Ok(())
    }

    /// Writes `msg` on the caller's thread without blocking (crate::direct),
    /// with `caller_writing` set; what the socket does not take goes to the
    /// send thread. Accepted either way, as a queued message would be.
    fn write_directly(&self, sock: &Arc<DirectSocket>, msg: OutMsg, size: usize) {
        let written = sock.write(msg);
        let mut ob = self.inner.lock_outbox();
        ob.caller_writing = false;
        let mut wake = std::mem::take(&mut ob.sender_wants_wire);
        let same_session = ob.direct.as_ref().is_some_and(|d| Arc::ptr_eq(d, sock));
        match written {
            Written::All => self.inner.record_sent(size),
            Written::Part(rest) if same_session => {
                ob.unfinished = Some(rest);
                wake = true;
            }
            // The session ended meanwhile: the message waits, whole and
            // plain, for the next one (or counts as unsent), as if queued.
            Written::Part(Unfinished { msg, .. }) => {
                ob.requeue(msg);
                wake = true;
            }
            Written::Nothing(msg) => {
                ob.data.unpop(msg, size);
                self.inner.enqueued.fetch_add(1, SeqCst);
                wake = true;
            }
        }
        drop(ob);
        if wake {
            self.inner.wake.notify_all();
        }
    }

    /// Blocks until a message of `len` payload bytes fits the send queue
    /// (the reconnect buffer while reconnecting), or `timeout` passes;
    /// `true` if it fits now. Also `true` at once when [`Client::send`] would
    /// refuse it for another reason (not open, closed): `send` says which.
    ///
    /// For a producer faster than the network: rather than retrying `send`
    /// on [`Error::Capacity`] in a loop, which takes the CPU from the send
    /// thread that makes the room. Room is not reserved: with several
    /// producers, `send` may still find the queue full.
    pub fn wait_for_room(&self, len: usize, timeout: std::time::Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut ob = self.inner.lock_outbox();
        loop {
            if ob.has_room(len) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            ob.room_waiters += 1;
            ob = relock(self.inner.room.wait_timeout(ob, left)).0;
            ob.room_waiters -= 1;
        }
    }

    /// The next event, if any. One consumer thread only.
    pub fn poll(&self) -> Option<Event> {
        self.inner.dispatch.pop()
    }

    /// Blocks until [`Client::poll`] has an event or `timeout` passes;
    /// `true` if it has. For a consumer thread with nothing else to do (an
    /// async pump); a game loop polls each frame instead. Right after a
    /// send it looks for the reply for up to 50 µs before it parks.
    pub fn wait(&self, timeout: std::time::Duration) -> bool {
        let look = self.inner.lock_outbox().reply_expected(Instant::now());
        self.inner.dispatch.wait_nonempty(timeout, look)
    }

    /// Starts the close handshake. No reconnect follows.
    ///
    /// Messages accepted before the close go out first, then the Close frame,
    /// all within `close_timeout`; any still queued then are not sent, and
    /// their number is in the `Closed` event and in `Stats::messages_unsent`.
    ///
    /// `code` must be one a peer may send (§7.4: 1000-1003, 1007-1014,
    /// 3000-4999) and `reason` at most 123 bytes. Closing twice, or after
    /// the connection ended, is `AlreadyClosed`.
    pub fn close(&self, code: CloseCode, reason: &str) -> Result<()> {
        if !code.is_allowed_on_wire() {
            return Err(Error::Usage("close code not allowed on the wire"));
        }
        if reason.len() > MAX_CLOSE_REASON {
            return Err(Error::Usage("close reason longer than 123 bytes"));
        }
        let mut ob = self.inner.lock_outbox();
        if ob.stop {
            return Err(Error::AlreadyClosed);
        }
        let step = ob.lifecycle.user_close();
        if step == LifecycleClose::Refused {
            return Err(Error::AlreadyClosed);
        }
        let close_timeout = self.inner.config.close_timeout;
        ob.user_close = Some(UserClose {
            code,
            reason: reason.to_owned(),
            sent: false,
            flush_by: Instant::now() + close_timeout,
        });
        drop(ob);
        let handshake = step == LifecycleClose::Handshake;
        if handshake {
            // The flush and the Close frame get `close_timeout`, not a
            // keep-alive round, against a peer that stopped reading.
            self.inner.set_write_timeout(close_timeout);
            self.watch_close(Instant::now() + close_timeout * 2);
        }
        self.inner.wake.notify_all();
        self.inner.room.notify_all(); // sends now fail: waiters return
                                      // The `Closing` event comes from the send thread as it sends the
                                      // Close frame, so it can never be queued after `Closed`.
        if step == LifecycleClose::AbortDial {
            // Abort the opening handshake; no close frame is possible yet.
            self.inner.shutdown_socket(std::net::Shutdown::Both);
        }
        Ok(())
    }

    /// Bounds the close: a write already blocked on a peer that stopped
    /// reading keeps the timeout it started with (a keep-alive round), so a
    /// short-lived watchdog cuts the socket if the connection has not ended by
    /// `deadline` (the flush and then the close handshake, `close_timeout`
    /// each). What was still queued is then reported as unsent.
    fn watch_close(&self, deadline: Instant) {
        let inner = Arc::downgrade(&self.inner);
        let spawned = std::thread::Builder::new()
            .name("devian-ws-close".into())
            .spawn(move || {
                let Some(inner) = inner.upgrade() else { return };
                if !inner.wait_finished(deadline) {
                    inner.shutdown_socket(std::net::Shutdown::Both);
                }
            });
        if let Ok(handle) = spawned {
            *self
                .inner
                .watchdog
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = Some(handle);
        }
    }

    /// Counters snapshot.
    pub fn stats(&self) -> Stats {
        let c = &self.inner.counters;
        let send_queue_depth = self.inner.lock_outbox().data.len() as u64;
        Stats {
            messages_sent: c.messages_sent.load(Relaxed),
            messages_received: c.messages_received.load(Relaxed),
            bytes_sent: c.bytes_sent.load(Relaxed),
            bytes_received: c.bytes_received.load(Relaxed),
            reconnects: c.reconnects.load(Relaxed),
            last_rtt_us: c.last_rtt_us.load(Relaxed),
            messages_unsent: c.messages_unsent.load(Relaxed),
            send_queue_depth,
            recv_queue_depth: self.inner.dispatch.len() as u64,
        }
    }

    /// Stops the connection and returns within [`TEARDOWN_WAIT`], whatever
    /// the network does. Sends Close(1001) when open; threads that finish in
    /// that time are joined, and any still blocked (a TCP connect or name
    /// lookup that cannot be interrupted, a peer that does not read) are cut
    /// off from the socket and left to end by their own timeouts. Dropping
    /// the client does the same.
    pub fn shutdown(self) {
        // Drop does the work.
    }
}

/// How long dropping a client (or `shutdown_all`) waits for its threads
/// before letting them finish on their own: enough for a Close(1001) on a
/// healthy connection, short enough never to freeze a game or an editor.
pub const TEARDOWN_WAIT: std::time::Duration = std::time::Duration::from_millis(100);

impl Drop for Client {
    fn drop(&mut self) {
        self.inner.stop();
        self.inner.join_by(Instant::now() + TEARDOWN_WAIT);
    }
}

/// A send buffer from [`Client::reserve`]: room for the frame header, then
/// the payload the caller fills through [`Reserved::payload_mut`].
///
/// Invariant: the buffer is `MAX_HEADER_LEN + len` bytes and is never
/// resized, so the payload's address stays fixed while it is held.
#[derive(Debug)]
pub struct Reserved {
    buf: PooledBuf,
}

impl Reserved {
    /// The payload, to be filled in place.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        &mut self.buf[MAX_HEADER_LEN..]
    }
}
