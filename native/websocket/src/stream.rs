//! The transport under a WebSocket: plain TCP or TLS over TCP, either role.

use rustls::{ClientConnection, ConnectionCommon, ServerConnection, StreamOwned};
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::ops::DerefMut;
use std::time::{Duration, Instant};

/// TLS client side over TCP.
pub type TlsStream = StreamOwned<ClientConnection, TcpStream>;

/// A TCP stream, possibly wrapped in TLS (client or server side).
#[derive(Debug)]
pub enum MaybeTlsStream {
    /// Plain TCP (`ws://`).
    Plain(TcpStream),
    /// TLS client side: to the server (`wss://`), or to an `https://` proxy
    /// carrying `ws://`. Boxed: a rustls connection is large.
    Tls(Box<TlsStream>),
    /// The server's TLS inside an `https://` proxy's TLS (`wss://` through
    /// such a proxy).
    TlsInTls(Box<StreamOwned<ClientConnection, TlsStream>>),
    /// TLS server side (an accepted connection on a TLS listener).
    ServerTls(Box<StreamOwned<ServerConnection, TcpStream>>),
}

impl MaybeTlsStream {
    /// The TCP socket underneath.
    pub fn tcp(&self) -> &TcpStream {
        match self {
            MaybeTlsStream::Plain(s) => s,
            MaybeTlsStream::Tls(s) => &s.sock,
            MaybeTlsStream::TlsInTls(s) => &s.sock.sock,
            MaybeTlsStream::ServerTls(s) => &s.sock,
        }
    }

    /// Whether TLS is in use.
    pub fn is_tls(&self) -> bool {
        !matches!(self, MaybeTlsStream::Plain(_))
    }
}

impl Read for MaybeTlsStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let r = match self {
            MaybeTlsStream::Plain(s) => s.read(buf),
            MaybeTlsStream::Tls(s) => s.read(buf),
            MaybeTlsStream::TlsInTls(s) => s.read(buf),
            MaybeTlsStream::ServerTls(s) => s.read(buf),
        };
        match r {
            // A peer that closes TCP without close_notify is common and, for
            // WebSocket, harmless: the close handshake already says whether
            // the data was complete. Report a plain end of stream.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof && self.is_tls() => Ok(0),
            other => other,
        }
    }
}

impl Write for MaybeTlsStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            MaybeTlsStream::Plain(s) => s.write(buf),
            MaybeTlsStream::Tls(s) => s.write(buf),
            MaybeTlsStream::TlsInTls(s) => s.write(buf),
            MaybeTlsStream::ServerTls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            MaybeTlsStream::Plain(s) => s.flush(),
            MaybeTlsStream::Tls(s) => s.flush(),
            MaybeTlsStream::TlsInTls(s) => s.flush(),
            MaybeTlsStream::ServerTls(s) => s.flush(),
        }
    }
}

/// Whether an I/O error is a socket read or write timeout. The OS reports
/// an expired `SO_RCVTIMEO`/`SO_SNDTIMEO` as `WouldBlock` (Unix) or
/// `TimedOut` (Windows), so both count.
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// A socket seen through a deadline: before every read and write the
/// socket's timeout is set to the time left, and once none is left the call
/// fails with `TimedOut`. A loop of small reads (rustls' `complete_io`
/// against a server that trickles its handshake a byte at a time) is thus
/// bounded as a whole, not per read.
#[derive(Debug)]
pub struct DeadlineIo<'a> {
    sock: &'a TcpStream,
    deadline: Instant,
}

impl<'a> DeadlineIo<'a> {
    /// `sock`, bounded by `deadline`.
    pub fn new(sock: &'a TcpStream, deadline: Instant) -> Self {
        DeadlineIo { sock, deadline }
    }

    fn left(&self) -> io::Result<Duration> {
        self.deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| io::Error::new(io::ErrorKind::TimedOut, "deadline passed"))
    }
}

impl Read for DeadlineIo<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.sock.set_read_timeout(Some(self.left()?))?;
        (&mut &*self.sock).read(buf)
    }
}

impl Write for DeadlineIo<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sock.set_write_timeout(Some(self.left()?))?;
        (&mut &*self.sock).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Socket controls the WebSocket layer uses when it can: read timeouts to
/// bound handshakes and the close handshake, and shutting the connection down.
///
/// Implemented for [`TcpStream`] and [`MaybeTlsStream`]; implement it for
/// other transports to get the same guarantees.
pub trait SocketControl {
    /// The current read timeout.
    fn read_timeout(&self) -> io::Result<Option<Duration>>;
    /// Sets the read timeout (`None`: block forever). Zero is not allowed.
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
    /// Sets the write timeout (`None`: block forever). Zero is not allowed.
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
    /// Half-closes the connection: TLS close_notify if any, then a TCP FIN
    /// (shutdown of the write side). Reads still work, so what the peer
    /// still sends can be drained; dropping the stream closes it fully.
    fn shutdown(&mut self) -> io::Result<()>;
}

impl SocketControl for TcpStream {
    fn read_timeout(&self) -> io::Result<Option<Duration>> {
        TcpStream::read_timeout(self)
    }
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_write_timeout(self, timeout)
    }
    fn shutdown(&mut self) -> io::Result<()> {
        TcpStream::shutdown(self, Shutdown::Write)
    }
}

impl SocketControl for MaybeTlsStream {
    fn read_timeout(&self) -> io::Result<Option<Duration>> {
        self.tcp().read_timeout()
    }
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.tcp().set_read_timeout(timeout)
    }
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.tcp().set_write_timeout(timeout)
    }
    fn shutdown(&mut self) -> io::Result<()> {
        // close_notify is best effort: the peer may already be gone.
        match self {
            MaybeTlsStream::Plain(_) => {}
            MaybeTlsStream::Tls(s) => send_close_notify(&mut s.conn, &mut s.sock),
            MaybeTlsStream::TlsInTls(s) => {
                // The server's close_notify travels inside the proxy's TLS,
                // then the proxy's own ends the outer session.
                send_close_notify(&mut s.conn, &mut s.sock);
                send_close_notify(&mut s.sock.conn, &mut s.sock.sock);
            }
            MaybeTlsStream::ServerTls(s) => send_close_notify(&mut s.conn, &mut s.sock),
        }
        self.tcp().shutdown(Shutdown::Write)
    }
}

/// Queues a TLS close_notify and writes out what is pending, ignoring errors.
fn send_close_notify<C, D>(conn: &mut C, sock: &mut impl Write)
where
    C: DerefMut<Target = ConnectionCommon<D>>,
{
    conn.send_close_notify();
    while conn.wants_write() {
        match conn.write_tls(sock) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
}
