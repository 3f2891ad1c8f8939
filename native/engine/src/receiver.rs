//! The receive thread: socket → decoder → pooled message buffers → dispatch queue.

use crate::event::{is_timeout, ErrorKind, Event};
use crate::inner::Inner;
use crate::outbox::Control;
use crate::pool::PooledBuf;
use crate::session::SessionEnd;
use crate::transport::{into_error, ReadHalf};
use devian_ws_protocol::deflate::{DeflateParams, PerMessageDeflate};
use devian_ws_protocol::protocol::Reply;
use devian_ws_protocol::{CloseCode, Decoded, Decoder, Role};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering::SeqCst;
use std::sync::Arc;

/// The read buffer starts this small, so an idle connection costs little...
const FIRST_READ_BUF: usize = 1024;
/// ...and doubles up to this whenever a read fills it, so a stream is read
/// in large chunks. Reused for every read of the session.
const READ_BUF: usize = 64 * 1024;
/// A data frame with at least this much payload still to come, and nothing
/// buffered, is read straight into the message buffer: a large message then
/// crosses memory once (kernel to message) instead of twice.
const DIRECT_READ_MIN: u64 = 16 * 1024;
/// While large messages stream in, a read into the read buffer asks for
/// only this much: enough for the next frame's header and the start of
/// its payload, whose rest then goes straight into the message. A full
/// buffer's worth would hold most of the next message, to be copied out
/// of the buffer again (measured: the copy cost more CPU than the
/// kernel's read of the same bytes).
const HEADER_READ: usize = 4 * 1024;

/// Runs until the session ends, then records why. Never panics out.
pub(crate) fn run(
    inner: Arc<Inner>,
    reader: ReadHalf,
    leftover: Vec<u8>,
    deflate: Option<DeflateParams>,
) {
    let end = catch_unwind(AssertUnwindSafe(|| {
        receive(&inner, reader, leftover, deflate)
    }))
    .unwrap_or_else(|_| SessionEnd::abnormal(ErrorKind::Other, "receive thread panicked"));
    inner.end_session(end);
}

/// The peer's Close, once it arrived.
struct PeerClose {
    code: CloseCode,
    reason: String,
}

fn receive(
    inner: &Inner,
    mut reader: ReadHalf,
    leftover: Vec<u8>,
    deflate: Option<DeflateParams>,
) -> SessionEnd {
    let mut decoder = Decoder::new(Role::Client, inner.config.limits);
    if let Some(params) = deflate {
        // RFC 7692: RSV1 becomes legal on data frames; inflating is
        // bounded by the message limit.
        decoder.set_extension(Box::new(PerMessageDeflate::new(Role::Client, params)));
    }
    let mut message = inner.recv_pool.take();
    let mut buf = vec![0u8; FIRST_READ_BUF.max(leftover.len())];
    buf[..leftover.len()].copy_from_slice(&leftover);
    let mut filled = leftover.len();
    let mut peer_close: Option<PeerClose> = None;
    // Large messages are streaming in: keep buffered reads short.
    let mut large = false;
    let stop = || inner.stopping();

    loop {
        // Decode everything buffered; keep an incomplete tail for the next read.
        let mut off = 0;
        while off < filled {
            let (used, decoded) = match decoder.decode(&buf[off..filled], message.vec_mut()) {
                Ok(r) => r,
                Err(e) => {
                    return match peer_close {
                        // Frames after the peer's Close are discarded
                        // (§5.5.1); the close handshake itself completed.
                        Some(c) => SessionEnd::clean(c.code, c.reason),
                        None => fail(inner, &e),
                    };
                }
            };
            off += used;
            if let Some(reply) = decoder.take_reply() {
                inner.push_control(match reply {
                    Reply::Pong(p) => Control::Pong(p),
                    Reply::Close(code, reason) => Control::Close(code, reason),
                });
            }
            match decoded {
                None if used == 0 => break,
                None => {}
                Some(d) => {
                    if matches!(d, Decoded::Message(_)) && (message.len() as u64) < DIRECT_READ_MIN
                    {
                        large = false;
                    }
                    if let Err(end) = deliver(inner, &reader, d, &mut message, &mut peer_close) {
                        return end;
                    }
                }
            }
        }
        buf.copy_within(off..filled, 0);
        filled -= off;
        if filled == buf.len() {
            // The decoder buffers partial frames itself; a full buffer it
            // will not consume means it is stuck.
            return SessionEnd::abnormal(ErrorKind::Other, "decoder made no progress");
        }
        if stop() {
            return stopped();
        }
        // Nothing buffered and a large payload under way: read it in place.
        let direct = match decoder.payload_remaining() {
            // Within the message limit, which the decoder enforced.
            n if filled == 0 && n >= DIRECT_READ_MIN => {
                Some(usize::try_from(n).unwrap_or(usize::MAX))
            }
            _ => None,
        };
        let read = match direct {
            Some(rest) => {
                large = true;
                let start = message.len();
                reader
                    .read_append(message.vec_mut(), rest)
                    .map(|r| (r, Some(start)))
            }
            None => {
                let end = if large {
                    (filled + HEADER_READ).min(buf.len())
                } else {
                    buf.len()
                };
                reader.read(&mut buf[filled..end]).map(|r| (r, None))
            }
        };
        match read {
            Ok((r, direct_start)) => {
                if r.tls_wants_write {
                    inner.push_control(Control::FlushTls);
                }
                if r.len == 0 {
                    return eof(inner, peer_close);
                }
                if let Some(start) = direct_start {
                    match decoder.payload_read(message.vec_mut(), start) {
                        Ok(None) => {}
                        Ok(Some(d)) => {
                            if let Err(end) =
                                deliver(inner, &reader, d, &mut message, &mut peer_close)
                            {
                                return end;
                            }
                        }
                        Err(e) => return fail(inner, &e),
                    }
                    continue;
                }
                filled += r.len;
                if filled == buf.len() && buf.len() < READ_BUF {
                    buf.resize((buf.len() * 2).min(READ_BUF), 0);
                }
            }
            Err(e) if is_timeout(&e) => {
                return match peer_close {
                    // §7.1.1: the server should close TCP first; it did not in time,
                    // but both Close frames were exchanged.
                    Some(c) => SessionEnd::clean(c.code, c.reason),
                    None => {
                        SessionEnd::abnormal(ErrorKind::Timeout, "idle timeout: nothing received")
                    }
                };
            }
            Err(_) if stop() => return stopped(),
            Err(e) => {
                if let Some(c) = peer_close {
                    return SessionEnd::clean(c.code, c.reason);
                }
                return SessionEnd::from_error(&into_error(e));
            }
        }
    }
}

/// Acts on one decoded event: a message goes to the dispatch queue (the
/// buffer is replaced by a fresh pooled one), a pong or the peer's Close is
/// recorded. `Err` ends the session (stopped while waiting for room).
fn deliver(
    inner: &Inner,
    reader: &ReadHalf,
    decoded: Decoded,
    message: &mut PooledBuf,
    peer_close: &mut Option<PeerClose>,
) -> Result<(), SessionEnd> {
    match decoded {
        Decoded::Message(kind) => {
            let data = std::mem::replace(message, inner.recv_pool.take());
            let size = data.len();
            inner.record_received(size);
            // Backpressure: parks here while the consumer is behind.
            let stop = || inner.stopping();
            if inner
                .dispatch
                .push_message(Event::Message { kind, data }, size, &stop)
                .is_err()
            {
                return Err(stopped());
            }
        }
        Decoded::Ping(_) => {} // answered through take_reply (§5.5.2)
        Decoded::Pong(payload) => on_pong(inner, payload.as_slice()),
        Decoded::Close(code, reason) => {
            let close = PeerClose {
                code: code.unwrap_or(CloseCode::NO_STATUS),
                reason: String::from_utf8_lossy(reason.as_slice()).into_owned(),
            };
            on_peer_close(inner, reader, &close);
            *peer_close = Some(close);
        }
    }
    Ok(())
}

/// A pong: if it answers our outstanding ping, record the RTT and tell the
/// send thread (whose at-least-once window it may confirm).
fn on_pong(inner: &Inner, payload: &[u8]) {
    let Ok(bytes) = <[u8; 8]>::try_from(payload) else {
        return; // unsolicited pong (§5.5.3): ignored
    };
    let sent = u64::from_be_bytes(bytes);
    if sent != 0
        && inner
            .ping_outstanding
            .compare_exchange(sent, 0, SeqCst, SeqCst)
            .is_ok()
    {
        let rtt = inner.now_us().saturating_sub(sent).max(1);
        inner.counters.last_rtt_us.store(rtt, SeqCst);
        let ob = inner.lock_outbox();
        inner.ping_answered.store(sent, SeqCst);
        drop(ob);
        inner.wake.notify_all();
    }
}

/// The peer's Close arrived (§5.5.1): either it answers ours, or our echo
/// is on its way. Either way the server closes TCP first (§7.1.1), so keep
/// reading until it does, for at most `close_timeout`; the session then
/// ends cleanly with the peer's code.
fn on_peer_close(inner: &Inner, reader: &ReadHalf, close: &PeerClose) {
    let mut ob = inner.lock_outbox();
    ob.peer_close = Some(SessionEnd::clean(close.code, close.reason.clone()));
    // The peer read our Close after every frame we sent before it.
    ob.close_answered = ob.close_sent;
    let started = !ob.close_sent && !std::mem::replace(&mut ob.closing_emitted, true);
    if !ob.close_sent {
        ob.lifecycle.closing();
    }
    drop(ob);
    if started {
        inner.emit(Event::Closing);
    }
    let _ = reader
        .socket()
        .set_read_timeout(Some(inner.config.close_timeout));
}

/// The stream ended.
fn eof(inner: &Inner, peer_close: Option<PeerClose>) -> SessionEnd {
    if let Some(c) = peer_close {
        return SessionEnd::clean(c.code, c.reason);
    }
    if inner.stopping() {
        return stopped();
    }
    SessionEnd::abnormal(ErrorKind::Io, "connection lost (no close frame)")
}

/// The peer broke the protocol: fail the connection with the error's code (§7.1.7).
fn fail(inner: &Inner, e: &devian_ws_protocol::Error) -> SessionEnd {
    let end = SessionEnd::from_error(e);
    if let Some(code) = e.close_code() {
        inner.push_control(Control::Close(
            Some(code),
            devian_ws_protocol::ControlPayload::EMPTY,
        ));
    }
    end
}

fn stopped() -> SessionEnd {
    SessionEnd {
        code: CloseCode::GOING_AWAY,
        reason: "shut down".into(),
        clean: false,
        error: None,
    }
}
