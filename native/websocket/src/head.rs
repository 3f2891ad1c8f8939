//! Reading an HTTP head (request or response) under a size bound and a
//! deadline, keeping whatever bytes follow it.

use crate::stream::is_timeout;
use devian_ws_protocol::error::HandshakeError;
use devian_ws_protocol::handshake::HandshakeLimits;
use devian_ws_protocol::{Error, Result};
use std::io::{self, Read};
use std::time::{Duration, Instant};

/// Sets a stream's read timeout (a [`crate::SocketControl`] method, when
/// the stream has one).
pub(crate) type SetTimeout<'a, S> = &'a dyn Fn(&S, Option<Duration>) -> io::Result<()>;

/// Bytes asked from the stream per read while the head is incomplete.
const CHUNK: usize = 4096;

/// Reads from `stream` until `parse` recognises a complete head in the
/// bytes so far; returns what `parse` produced and the bytes after the head.
///
/// `set_timeout` (when the stream supports it) is called before each read
/// with the time left, so a peer that trickles bytes (slow loris) is cut off
/// at `deadline` and not merely per read. The buffer never grows past the
/// head limit plus one chunk, whatever `parse` does.
pub(crate) fn read_head<S, T>(
    stream: &mut S,
    limits: &HandshakeLimits,
    deadline: Instant,
    set_timeout: Option<SetTimeout<'_, S>>,
    mut parse: impl FnMut(&[u8]) -> Result<Option<(T, usize)>>,
) -> Result<(T, Vec<u8>)>
where
    S: Read,
{
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Error::Timeout("opening handshake"));
        }
        if let Some(set) = set_timeout {
            set(stream, Some(left.max(Duration::from_millis(1))))?;
        }
        let len = buf.len();
        buf.resize(len + CHUNK, 0);
        let n = match stream.read(&mut buf[len..]) {
            Ok(0) => return Err(Error::Handshake(HandshakeError::Eof)),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => 0,
            Err(e) if is_timeout(&e) => return Err(Error::Timeout("opening handshake")),
            Err(e) => return Err(crate::tls::map_io_error(e)),
        };
        buf.truncate(len + n);
        if let Some((value, head_len)) = parse(&buf)? {
            let leftover = buf.get(head_len..).map(<[u8]>::to_vec).unwrap_or_default();
            return Ok((value, leftover));
        }
        if buf.len() > limits.max_head_bytes {
            return Err(Error::Handshake(HandshakeError::TooLarge));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Finds the blank line that ends a head.
    fn blank_line(buf: &[u8]) -> Result<Option<((), usize)>> {
        Ok(buf
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|i| ((), i + 4)))
    }

    fn limits(max: usize) -> HandshakeLimits {
        HandshakeLimits {
            max_head_bytes: max,
            ..HandshakeLimits::default()
        }
    }

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(60)
    }

    #[test]
    fn bytes_after_the_head_are_kept() {
        let mut input: &[u8] = b"HTTP/1.1 101 OK\r\n\r\n\x81\x02hi";
        let ((), rest) =
            read_head(&mut input, &limits(1024), far(), None, blank_line).expect("head");
        assert_eq!(rest, b"\x81\x02hi");
    }

    #[test]
    fn head_over_the_limit_is_rejected() {
        let big = vec![b'a'; 10_000];
        let mut input: &[u8] = &big;
        let err =
            read_head(&mut input, &limits(1024), far(), None, blank_line).expect_err("too large");
        assert!(
            matches!(err, Error::Handshake(HandshakeError::TooLarge)),
            "{err:?}"
        );
    }

    #[test]
    fn end_of_stream_before_the_head_ends() {
        let mut input: &[u8] = b"HTTP/1.1 101";
        let err = read_head(&mut input, &limits(1024), far(), None, blank_line).expect_err("eof");
        assert!(
            matches!(err, Error::Handshake(HandshakeError::Eof)),
            "{err:?}"
        );
    }

    #[test]
    fn past_deadline_times_out_without_reading() {
        let mut input: &[u8] = b"HTTP/1.1 101 OK\r\n\r\n";
        let err = read_head(&mut input, &limits(1024), Instant::now(), None, blank_line)
            .expect_err("timeout");
        assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    }
}
