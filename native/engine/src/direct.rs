//! Writing a message from the caller's thread while the send thread is idle.
//!
//! A message sent while the send thread sleeps would otherwise cost a
//! futex wake and a thread switch before it reaches the socket: on the
//! 2-core machine measured, about a quarter of a loopback round trip.
//! So when nothing is queued, no control frame waits and the send thread is
//! not writing, [`crate::Client::send`] writes the frame itself, with
//! `MSG_DONTWAIT`: it never blocks on the network. If the socket takes
//! none of it, it is queued as usual; if it takes part, the rest goes to
//! the send thread as an [`Unfinished`] frame, which it completes before
//! any other byte (control frames included).
//!
//! Only plain TCP sessions without an extension or an at-least-once window
//! qualify: TLS records are produced under the session's lock and must
//! leave in order, permessage-deflate keeps compression state in the send
//! thread's encoder, and the window tracks what the send thread wrote.
//! Only where the OS has a per-call non-blocking flag (Linux, Android):
//! making the socket itself non-blocking would also make the receive
//! thread's reads non-blocking, since both halves share one open file.

use crate::outbox::OutMsg;
use std::io;
use std::net::TcpStream;
use std::sync::Arc;

/// The session's socket, shared with callers for non-blocking writes.
#[derive(Debug)]
// Elsewhere `new` never builds one, so the socket is never read there.
#[cfg_attr(not(any(target_os = "linux", target_os = "android")), allow(dead_code))]
pub(crate) struct DirectSocket(Arc<TcpStream>);

impl DirectSocket {
    /// The send thread's socket, shared (not a second descriptor: iOS
    /// allows an app 256), where the platform supports non-blocking writes
    /// per call; `None` elsewhere (the send thread then writes everything).
    pub(crate) fn new(sock: &Arc<TcpStream>) -> Option<DirectSocket> {
        if cfg!(any(target_os = "linux", target_os = "android")) {
            Some(DirectSocket(Arc::clone(sock)))
        } else {
            None
        }
    }

    /// Writes what the socket takes now, without waiting; `Ok(0)` when its
    /// buffer is full. Never raises `SIGPIPE` (the host may not ignore it).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn write_now(&self, bytes: &[u8]) -> io::Result<usize> {
        let flags = libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL;
        loop {
            match socket2::SockRef::from(self.0.as_ref()).send_with_flags(bytes, flags) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(0),
                other => return other,
            }
        }
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn write_now(&self, _bytes: &[u8]) -> io::Result<usize> {
        // Never constructed here (see `new`).
        Ok(0)
    }

    /// Frames `msg` and writes as much of it as the socket takes now. An
    /// error counts as nothing written: the send thread meets it again on
    /// its own write and ends the session there, with the usual requeueing.
    pub(crate) fn write(&self, mut msg: OutMsg) -> Written {
        // A payload `send` did not mask needs the send thread's encoder.
        let Some(from) = msg.frame_premasked() else {
            return Written::Nothing(msg);
        };
        match self.write_now(&msg.buf[from..]).unwrap_or(0) {
            0 => Written::Nothing(msg),
            n if from + n == msg.buf.len() => Written::All,
            n => Written::Part(Unfinished {
                msg,
                from: from + n,
            }),
        }
    }
}

/// How much of a message a caller wrote.
pub(crate) enum Written {
    All,
    /// Queue it as if it had never been tried (at the front: it came first).
    Nothing(OutMsg),
    Part(Unfinished),
}

/// A frame a caller began to write: `msg.buf[from..]` has not been sent.
/// Until it is, nothing else may be written on the session.
pub(crate) struct Unfinished {
    pub(crate) msg: OutMsg,
    pub(crate) from: usize,
}
