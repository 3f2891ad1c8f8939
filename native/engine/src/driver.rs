//! The connection's lifecycle, run on its send thread: connect, authenticate,
//! send until the session ends, then reconnect per policy or finish.
//!
//! The receive thread is started per session (each TCP connection) and
//! joined before the next one, so a connection never has more than two
//! threads and the join in `shutdown` covers both.

use crate::event::{ErrorKind, Event};
use crate::inner::Inner;
use crate::receiver;
use crate::sender::Sender;
use crate::session::SessionEnd;
use crate::transport::establish;
use devian_websocket::proxy::connect_via;
use devian_ws_policy::{AfterEnd, Auth};
use devian_ws_protocol::deflate::PerMessageDeflate;
use devian_ws_protocol::{CloseCode, Encoder, Role};
use std::net::Shutdown;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Entry point of the send thread. Never panics out: a panic becomes an
/// `Error` event and a final `Closed`.
pub(crate) fn run(inner: Arc<Inner>) {
    let end = catch_unwind(AssertUnwindSafe(|| lifecycle(&inner))).unwrap_or_else(|_| {
        SessionEnd::abnormal(
            ErrorKind::Other,
            "internal error: connection thread panicked",
        )
    });
    finish(&inner, end);
    inner.mark_finished();
}

/// Connects and reconnects until the connection is over; returns the last end.
/// The shared [`Lifecycle`](devian_ws_policy::Lifecycle) decides whether and
/// when to dial again.
fn lifecycle(inner: &Arc<Inner>) -> SessionEnd {
    loop {
        let end = session(inner);
        let after = {
            let mut ob = inner.lock_outbox();
            if ob.closing_for_good() {
                return end;
            }
            let now = Duration::from_micros(inner.now_us());
            let random01 = rand::random::<f64>();
            ob.lifecycle
                .ended(&inner.config.reconnect, end.code.0, now, random01)
        };
        let AfterEnd::Reconnect { attempt, delay } = after else {
            return end;
        };
        if let Some((kind, text)) = end.error.clone() {
            inner.emit(Event::Error { kind, text });
        }
        // Sends go to the reconnect buffer now, under its own bound.
        inner.room.notify_all();
        inner.emit(Event::Reconnecting { attempt, delay });
        if !backoff(inner, delay) {
            return end;
        }
    }
}

/// Waits `delay` unless the user closes or a stop comes; `false` if interrupted.
fn backoff(inner: &Inner, delay: Duration) -> bool {
    let until = Instant::now() + delay;
    let mut ob = inner.lock_outbox();
    loop {
        if ob.closing_for_good() {
            return false;
        }
        let now = Instant::now();
        if now >= until {
            return true;
        }
        ob = inner.wait_for_work(ob, Some(until - now));
    }
}

/// One session: connect, open, authenticate, run. Returns why it ended.
fn session(inner: &Arc<Inner>) -> SessionEnd {
    {
        let mut ob = inner.lock_outbox();
        if ob.closing_for_good() || !ob.lifecycle.dial() {
            return stopped_end();
        }
        ob.end = None;
        ob.close_sent = false;
        ob.closing_emitted = false;
        ob.peer_close = None;
        ob.close_answered = false;
        ob.control.clear();
    }
    let config = &inner.config;
    let deadline = Instant::now() + config.connect_timeout;
    let proxy = match config.proxy.resolve(&inner.url) {
        Ok(p) => p,
        Err(e) => return SessionEnd::from_error(&e),
    };
    let tunnel = match connect_via(proxy.as_ref(), &inner.url, &config.tls, deadline) {
        Ok(s) => s,
        Err(e) => return SessionEnd::from_error(&e),
    };
    let registered = tunnel.tcp().try_clone().map(|c| inner.set_socket(Some(c)));
    match registered {
        Ok(true) => {}
        Ok(false) => {
            inner.set_socket(None);
            return stopped_end();
        }
        Err(e) => return SessionEnd::from_error(&e.into()),
    }
    let established = establish(
        tunnel,
        &inner.url,
        &config.request(),
        config.permessage_deflate.as_ref(),
        inner.tls.clone(),
        deadline,
    );
    let mut est = match established {
        Ok(est) => est,
        Err(e) => {
            inner.set_socket(None);
            return SessionEnd::from_error(&e);
        }
    };
    // Handshake timeouts off; the idle timeout (if any) bounds reads, and a
    // write that stalls longer than a keep-alive round means a dead peer.
    let ka = &config.keepalive;
    let write_timeout = ka.ping_interval.unwrap_or(Duration::from_secs(30)) + ka.pong_timeout;
    let _ = est.writer.socket().set_read_timeout(ka.idle_timeout);
    let _ = est.writer.socket().set_write_timeout(Some(write_timeout));

    let first_message = config.auth.first_message();
    let opened = {
        let mut ob = inner.lock_outbox();
        let now = Duration::from_micros(inner.now_us());
        let opened = if ob.closing_for_good() {
            None
        } else {
            ob.lifecycle.opened(now, first_message.is_some())
        };
        let Some(opened) = opened else {
            drop(ob);
            teardown(inner, None);
            return stopped_end();
        };
        opened
    };
    inner.room.notify_all();
    inner.emit(Event::Open {
        protocol: est.protocol.take(),
    });

    let leftover = std::mem::take(&mut est.leftover);
    let deflate = est.deflate;
    let receiver = {
        let inner = Arc::clone(inner);
        let reader = est.reader;
        std::thread::Builder::new()
            .name("devian-ws-recv".into())
            .spawn(move || receiver::run(inner, reader, leftover, deflate))
    };
    let receiver = match receiver {
        Ok(handle) => handle,
        Err(e) => {
            teardown(inner, None);
            return SessionEnd::abnormal(ErrorKind::Other, format!("spawn failed: {e}"));
        }
    };

    let mut writer = est.writer;
    let mut encoder = Encoder::new(Role::Client);
    if let Some(params) = deflate {
        encoder.set_extension(Box::new(PerMessageDeflate::new(Role::Client, params)));
    }
    let mut sender = Sender::new(inner, &mut writer, &mut encoder);
    let auth_result = match &first_message {
        // Authentication goes out before anything queued (seed 002).
        Some(text) => sender.write_text(text),
        None => Ok(()),
    };
    let end = match auth_result {
        Err(e) => {
            let end = SessionEnd::from_error(&crate::transport::into_error(e));
            inner.end_session(end.clone());
            end
        }
        Ok(()) => {
            inner.lock_outbox().lifecycle.authenticated();
            inner.room.notify_all();
            if config.auth != Auth::None {
                inner.emit(Event::Authenticated);
            }
            if opened.reconnect {
                inner
                    .counters
                    .reconnects
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                inner.emit(Event::Reconnected);
            }
            sender.run()
        }
    };
    if end.clean {
        writer.close_notify();
    }
    teardown(inner, Some(receiver));
    end
}

/// Closes the session socket and joins its receive thread.
fn teardown(inner: &Inner, receiver: Option<std::thread::JoinHandle<()>>) {
    inner.shutdown_socket(Shutdown::Both);
    if let Some(handle) = receiver {
        // The receive thread catches its own panics.
        let _ = handle.join();
    }
    inner.set_socket(None);
}

fn stopped_end() -> SessionEnd {
    SessionEnd {
        code: CloseCode::GOING_AWAY,
        reason: "shut down".into(),
        clean: false,
        error: None,
    }
}

/// The connection is over: final state, final events, queued data released.
fn finish(inner: &Inner, end: SessionEnd) {
    let (unsent, user_close, closing_for_good) = {
        let mut ob = inner.lock_outbox();
        let closing_for_good = ob.closing_for_good();
        ob.lifecycle.finished();
        let unsent = ob.data.len();
        ob.data.clear();
        ob.control.clear();
        (unsent, ob.user_close.clone(), closing_for_good)
    };
    inner.room.notify_all();
    // An error caused by our own close or shutdown (e.g. an aborted
    // handshake) is not news to the user.
    if let Some((kind, text)) = end.error.clone().filter(|_| !closing_for_good) {
        inner.emit(Event::Error { kind, text });
    }
    let unsent = unsent as u64;
    if unsent > 0 {
        inner
            .counters
            .messages_unsent
            .fetch_add(unsent, std::sync::atomic::Ordering::Relaxed);
        inner.emit(Event::Error {
            kind: ErrorKind::Other,
            text: format!("{unsent} queued message(s) were not sent before the connection closed"),
        });
    }
    // A user close that never reached a session (closed while connecting or
    // waiting to reconnect) reports the user's code.
    let (code, reason) = match user_close {
        Some(uc) if !uc.sent && !end.clean => (uc.code, uc.reason),
        _ => (end.code, end.reason),
    };
    inner.emit(Event::Closed {
        code: code.0,
        reason,
        was_clean: end.clean,
        unsent,
    });
}
