//! The TLS sessions over one socket: the server's (`wss://`), an `https://`
//! proxy's (`ws://` through it), or the proxy's with the server's inside it
//! (`wss://` through it).
//!
//! Bytes flow socket → `outer` → `inner` on the way in and the reverse on
//! the way out; the last session's plaintext is the WebSocket stream. The
//! chain does no I/O: the receive thread feeds it ciphertext it read, the
//! send thread takes the ciphertext it must write.

use rustls::ClientConnection;
use std::io::{self, Read, Write};

/// One or two client TLS sessions, outermost first.
pub(crate) struct TlsChain {
    /// The session on the socket.
    outer: ClientConnection,
    /// The server's session inside a proxy's (`outer`), if any.
    inner: Option<ClientConnection>,
}

/// A rustls error as an `io::Error`, recoverable by `into_error`.
fn tls_io(e: rustls::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

impl TlsChain {
    /// `outer` alone, or with `inner` running inside it.
    pub(crate) fn new(outer: ClientConnection, inner: Option<ClientConnection>) -> TlsChain {
        TlsChain { outer, inner }
    }

    fn last(&mut self) -> &mut ClientConnection {
        self.inner.as_mut().unwrap_or(&mut self.outer)
    }

    /// WebSocket bytes already decrypted: `Ok(0)` at the peer's
    /// close_notify, `WouldBlock` when none are ready yet.
    pub(crate) fn read_plain(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.last().reader().read(out)
    }

    /// Makes progress on received data: moves what the proxy's session has
    /// decrypted into the server's, else feeds ciphertext from the socket
    /// (`raw`) to the outer session. Returns the bytes of `raw` used and
    /// whether anything moved; nothing moved means more must be read.
    ///
    /// Call only when [`TlsChain::read_plain`] has nothing ready, so the
    /// server's session has room for what is moved in.
    pub(crate) fn pump(&mut self, raw: &[u8]) -> io::Result<(usize, bool)> {
        if self.move_inward()? {
            return Ok((0, true));
        }
        if raw.is_empty() {
            return Ok((0, false));
        }
        let used = self.outer.read_tls(&mut &raw[..])?;
        self.outer.process_new_packets().map_err(tls_io)?;
        self.move_inward()?;
        Ok((used, used > 0))
    }

    /// One batch of the proxy session's plaintext into the server's session.
    fn move_inward(&mut self) -> io::Result<bool> {
        let Some(inner) = self.inner.as_mut() else {
            return Ok(false);
        };
        match inner.read_tls(&mut self.outer.reader()) {
            // The proxy's close_notify: the server's session sees its end
            // as an unexpected EOF on its own next read.
            Ok(0) => Ok(false),
            Ok(_) => {
                inner.process_new_packets().map_err(tls_io)?;
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Encrypts `plain` (at most a TLS record's worth per call keeps the
    /// sessions' buffers small) and appends the ciphertext to `out`.
    pub(crate) fn write_plain(&mut self, plain: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
        self.last().writer().write_all(plain)?;
        self.take_records(out)
    }

    /// Appends every record the sessions have to send (data, alerts, key
    /// updates) to `out`, the server's passing through the proxy's.
    pub(crate) fn take_records(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        self.move_outward()?;
        while self.outer.wants_write() {
            self.outer.write_tls(out)?;
        }
        Ok(())
    }

    /// Whether a session has records to send.
    pub(crate) fn wants_write(&self) -> bool {
        self.outer.wants_write() || self.inner.as_ref().is_some_and(|c| c.wants_write())
    }

    /// Queues close_notify on every session, innermost first: the server's
    /// goes into the proxy's session before that one ends.
    pub(crate) fn send_close_notify(&mut self) -> io::Result<()> {
        if let Some(inner) = self.inner.as_mut() {
            inner.send_close_notify();
        }
        self.move_outward()?;
        self.outer.send_close_notify();
        Ok(())
    }

    /// The server's pending records into the proxy's session, as its plaintext.
    fn move_outward(&mut self) -> io::Result<()> {
        if let Some(inner) = self.inner.as_mut() {
            while inner.wants_write() {
                inner.write_tls(&mut self.outer.writer())?;
            }
        }
        Ok(())
    }
}
