//! Opening a connection (TCP, TLS, upgrade) and splitting it into a read
//! half for the receive thread and a write half for the send thread.
//!
//! With TLS (to the server, to an `https://` proxy, or both nested) both
//! halves share one [`TlsChain`] behind a mutex. The receive thread blocks
//! on its own socket clone *without* the lock and takes it only to decrypt
//! what it read; the send thread takes it only to encrypt, then writes the
//! records after unlocking. Only the send thread ever writes to the
//! socket, so records stay in order.

use crate::tls_chain::TlsChain;
use devian_websocket::tls::{client_connection, complete_handshake};
use devian_websocket::{client_upgrade, DeadlineIo, MaybeTlsStream};
use devian_ws_protocol::deflate::{negotiation, DeflateConfig, DeflateParams};
use devian_ws_protocol::handshake::client::ClientRequest;
use devian_ws_protocol::handshake::HandshakeLimits;
use devian_ws_protocol::{Error, Result, WsUrl};
use std::io::{self, IoSlice, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// Raw bytes read from the socket per TLS read.
const TLS_RAW_READ: usize = 16 * 1024;
/// A TLS `read_append` zeroes the space it reads into (rustls copies into
/// initialized memory only), so it asks for at most twice what the last
/// read returned, and at least this much...
const TLS_APPEND_MIN: usize = 16 * 1024;
/// ...and at most this much: a peer that trickles bytes cannot make each
/// byte cost 256 KiB of zeroing.
const TLS_APPEND_MAX: usize = 256 * 1024;
/// Plaintext encrypted per `writer()` call (under the lock).
const TLS_PLAIN_CHUNK: usize = 16 * 1024;
/// Ciphertext gathered under the lock before it is written out unlocked.
const TLS_OUT_BATCH: usize = 256 * 1024;

type SharedTls = Arc<Mutex<TlsChain>>;

fn lock(conn: &SharedTls) -> MutexGuard<'_, TlsChain> {
    conn.lock().unwrap_or_else(|p| p.into_inner())
}

/// An I/O error as a stack error: TLS errors rustls tunnelled through
/// `io::Error` get their kind back, a socket timeout is `Error::Timeout`.
pub(crate) use devian_websocket::tls::map_io_error as into_error;

/// Sets the socket's read and write timeouts to what is left until `deadline`.
fn time_left(sock: &TcpStream, deadline: Instant) -> Result<()> {
    let left = deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
        .ok_or(Error::Timeout("connect"))?;
    sock.set_read_timeout(Some(left))?;
    sock.set_write_timeout(Some(left))?;
    Ok(())
}

/// A connection after a successful opening handshake.
pub(crate) struct Established {
    pub(crate) reader: ReadHalf,
    pub(crate) writer: WriteHalf,
    /// Bytes after the HTTP head: the first WebSocket frames.
    pub(crate) leftover: Vec<u8>,
    /// The sub-protocol the server chose.
    pub(crate) protocol: Option<String>,
    /// permessage-deflate parameters, when offered and agreed (RFC 7692).
    pub(crate) deflate: Option<DeflateParams>,
}

/// TLS (for wss) and the upgrade handshake (§4.1) over `tunnel`: TCP, or
/// the TLS session with an `https://` proxy, inside which the server's TLS
/// then runs. `tls` is the server's configuration, for `wss://`.
pub(crate) fn establish(
    tunnel: MaybeTlsStream,
    url: &WsUrl,
    request: &ClientRequest,
    deflate: Option<&DeflateConfig>,
    tls: Option<Arc<rustls::ClientConfig>>,
    deadline: Instant,
) -> Result<Established> {
    let (sock, proxy) = match tunnel {
        MaybeTlsStream::Plain(sock) => (sock, None),
        MaybeTlsStream::Tls(s) => {
            let (conn, sock) = s.into_parts();
            (sock, Some(conn))
        }
        MaybeTlsStream::TlsInTls(_) | MaybeTlsStream::ServerTls(_) => {
            return Err(Error::Usage(
                "expected TCP or a proxy's TLS under the connection",
            ))
        }
    };
    let server = tls
        .map(|config| client_connection(&url.host, config))
        .transpose()?;
    // One deadline for the whole handshake, not one per read: a server that
    // trickles its handshake cannot hold the client past it.
    let mut io = DeadlineIo::new(&sock, deadline);
    let (chain, (protocol, leftover, deflate)) = match (proxy, server) {
        (None, None) => {
            let mut s = sock.try_clone()?;
            let (protocol, leftover, deflate) =
                upgrade(&mut s, &sock, url, request, deflate, deadline)?;
            return Ok(Established {
                reader: ReadHalf::Plain(sock.try_clone()?),
                writer: WriteHalf::Plain(Arc::new(sock)),
                leftover,
                protocol,
                deflate,
            });
        }
        // The server's TLS, or a proxy's carrying ws:// (already handshaken).
        (Some(mut conn), None) | (None, Some(mut conn)) => {
            complete_handshake(&mut conn, &mut io)?;
            let upgraded = {
                let mut stream = rustls::Stream::new(&mut conn, &mut io);
                upgrade(&mut stream, &sock, url, request, deflate, deadline)?
            };
            (TlsChain::new(conn, None), upgraded)
        }
        (Some(mut proxy), Some(mut server)) => {
            let upgraded = {
                let mut through = rustls::Stream::new(&mut proxy, &mut io);
                complete_handshake(&mut server, &mut through)?;
                let mut stream = rustls::Stream::new(&mut server, &mut through);
                upgrade(&mut stream, &sock, url, request, deflate, deadline)?
            };
            (TlsChain::new(proxy, Some(server)), upgraded)
        }
    };
    let chain = Arc::new(Mutex::new(chain));
    Ok(Established {
        reader: ReadHalf::Tls {
            sock: sock.try_clone()?,
            conn: Arc::clone(&chain),
            raw: vec![0; TLS_RAW_READ].into_boxed_slice(),
            start: 0,
            end: 0,
            last: 0,
        },
        writer: WriteHalf::Tls {
            sock,
            conn: chain,
            out: Vec::new(),
        },
        leftover,
        protocol,
        deflate,
    })
}

/// Sends the upgrade request and reads the response head (§4.1), bounded
/// by `deadline`. Returns the chosen sub-protocol, any bytes read past
/// the head, and the permessage-deflate parameters when `deflate` was
/// offered (it must already be in `request`) and the server agreed.
fn upgrade(
    stream: &mut impl ReadWrite,
    sock: &TcpStream,
    url: &WsUrl,
    request: &ClientRequest,
    deflate: Option<&DeflateConfig>,
    deadline: Instant,
) -> Result<(Option<String>, Vec<u8>, Option<DeflateParams>)> {
    time_left(sock, deadline)?;
    let set_read_timeout = |t| sock.set_read_timeout(t);
    let (response, leftover) = client_upgrade(
        stream,
        url,
        request,
        &HandshakeLimits::default(),
        deadline,
        Some(&set_read_timeout),
    )?;
    // RFC 7692 §7.1: an invalid answer fails the handshake.
    let deflate = match deflate {
        Some(config) => negotiation::client_accept(config, &response.extensions)?,
        None => None,
    };
    Ok((response.protocol, leftover, deflate))
}

/// `Read + Write`, for the plain and the TLS handshake stream alike.
trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

/// What the receive thread reads from.
pub(crate) enum ReadHalf {
    Plain(TcpStream),
    Tls {
        sock: TcpStream,
        conn: SharedTls,
        /// Ciphertext read but not yet fed to rustls: `raw[start..end]`.
        raw: Box<[u8]>,
        start: usize,
        end: usize,
        /// Plaintext bytes the last read returned (sizes `read_append`).
        last: usize,
    },
}

/// One read's outcome.
pub(crate) struct ReadOutcome {
    /// Plaintext bytes placed at the start of the output; 0 means end of stream.
    pub(crate) len: usize,
    /// rustls has records of its own to send; wake the send thread.
    pub(crate) tls_wants_write: bool,
}

impl ReadHalf {
    /// The socket, e.g. to set the idle read timeout.
    pub(crate) fn socket(&self) -> &TcpStream {
        match self {
            ReadHalf::Plain(s) => s,
            ReadHalf::Tls { sock, .. } => sock,
        }
    }

    /// Blocks until some plaintext is available and appends at most `rest`
    /// bytes of it to `out` (the rest of a frame, read straight into its
    /// message). On plain TCP the new bytes are not zeroed first (see
    /// `spare_read`) and one read asks for all of `rest`; over TLS they are
    /// zeroed, so one read asks for less (`TLS_APPEND_MIN`).
    pub(crate) fn read_append(
        &mut self,
        out: &mut Vec<u8>,
        rest: usize,
    ) -> io::Result<ReadOutcome> {
        let want = match self {
            ReadHalf::Plain(s) => {
                return Ok(ReadOutcome {
                    len: crate::spare_read::recv_append(s, out, rest)?,
                    tls_wants_write: false,
                });
            }
            ReadHalf::Tls { last, .. } => {
                (2 * *last).clamp(TLS_APPEND_MIN, TLS_APPEND_MAX).min(rest)
            }
        };
        let start = out.len();
        out.resize(start + want, 0);
        let read = self.read(&mut out[start..]);
        out.truncate(start + read.as_ref().map_or(0, |r| r.len));
        read
    }

    /// Blocks until some plaintext is available and places it in `out`.
    pub(crate) fn read(&mut self, out: &mut [u8]) -> io::Result<ReadOutcome> {
        match self {
            ReadHalf::Plain(s) => Ok(ReadOutcome {
                len: s.read(out)?,
                tls_wants_write: false,
            }),
            ReadHalf::Tls {
                sock,
                conn,
                raw,
                start,
                end,
                last,
            } => loop {
                let (len, eof, tls_wants_write) = {
                    // Short critical section: decrypt what is already here.
                    let mut c = lock(conn);
                    let (mut filled, mut eof) = (0, false);
                    loop {
                        while filled < out.len() {
                            match c.read_plain(&mut out[filled..]) {
                                Ok(0) => {
                                    eof = true; // close_notify
                                    break;
                                }
                                Ok(n) => filled += n,
                                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                                Err(e) => return Err(e),
                            }
                        }
                        if filled == out.len() || eof {
                            break;
                        }
                        let (used, progressed) = c.pump(&raw[*start..*end])?;
                        *start += used;
                        if !progressed {
                            break;
                        }
                    }
                    (filled, eof, c.wants_write())
                };
                if len > 0 || eof {
                    *last = len;
                    return Ok(ReadOutcome {
                        len,
                        tls_wants_write,
                    });
                }
                // Block on the socket without holding the lock.
                let n = sock.read(raw)?;
                if n == 0 {
                    return Ok(ReadOutcome {
                        len: 0,
                        tls_wants_write,
                    });
                }
                (*start, *end) = (0, n);
            },
        }
    }
}

/// What the send thread writes to.
pub(crate) enum WriteHalf {
    /// Shared with callers that write while the send thread is idle
    /// (`crate::direct`), without a second descriptor.
    Plain(Arc<TcpStream>),
    Tls {
        sock: TcpStream,
        conn: SharedTls,
        /// Reused ciphertext staging buffer.
        out: Vec<u8>,
    },
}

impl WriteHalf {
    /// The socket (to shut it down, set timeouts).
    pub(crate) fn socket(&self) -> &TcpStream {
        match self {
            WriteHalf::Plain(s) => s.as_ref(),
            WriteHalf::Tls { sock, .. } => sock,
        }
    }

    /// Writes `bytes` (a whole frame) to the peer.
    pub(crate) fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write_batch(&mut [IoSlice::new(bytes)])
    }

    /// Writes several frames, in order: one `writev` per socket buffer's
    /// worth on plain TCP; on TLS, encrypted in chunks under the lock and
    /// written after unlocking, so a slow peer never stalls the receive
    /// thread's decryption.
    pub(crate) fn write_batch(&mut self, frames: &mut [IoSlice<'_>]) -> io::Result<()> {
        let mut bufs = frames;
        match self {
            WriteHalf::Plain(s) => {
                while !bufs.is_empty() {
                    match s.as_ref().write_vectored(bufs) {
                        Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                        Ok(n) => IoSlice::advance_slices(&mut bufs, n),
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            WriteHalf::Tls { sock, conn, out } => {
                while !bufs.is_empty() {
                    out.clear();
                    {
                        let mut c = lock(conn);
                        while !bufs.is_empty() && out.len() < TLS_OUT_BATCH {
                            let n = bufs[0].len().min(TLS_PLAIN_CHUNK);
                            c.write_plain(&bufs[0][..n], out)?;
                            IoSlice::advance_slices(&mut bufs, n);
                        }
                    }
                    sock.write_all(out)?;
                }
            }
        }
        Ok(())
    }

    /// Sends records rustls produced on its own (alerts, key updates).
    pub(crate) fn flush_tls(&mut self) -> io::Result<()> {
        if let WriteHalf::Tls { sock, conn, out } = self {
            out.clear();
            lock(conn).take_records(out)?;
            sock.write_all(out)?;
        }
        Ok(())
    }

    /// Sends a TLS close_notify (best effort; the socket is closed next anyway).
    pub(crate) fn close_notify(&mut self) {
        if let WriteHalf::Tls { conn, .. } = self {
            if lock(conn).send_close_notify().is_ok() {
                let _ = self.flush_tls();
            }
        }
    }
}
