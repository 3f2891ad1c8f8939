//! Reading from a socket into a vector's spare capacity, without zeroing it first.
//!
//! Safe Rust can only read into initialized memory, so a large message read
//! in place would first be `memset` and then overwritten by the kernel's
//! copy: measured on a 1 MiB stream, the `memset` cost as much CPU as the
//! copy itself, about a third of the receive thread's time. This module is
//! the engine's only `unsafe` code.

use std::io;
use std::net::TcpStream;

/// Appends what one `recv` returns (at most `max` bytes) to `out`; `Ok(0)`
/// at end of stream. Blocks like a read of the socket would, including
/// its read timeout.
#[allow(unsafe_code)]
pub(crate) fn recv_append(sock: &TcpStream, out: &mut Vec<u8>, max: usize) -> io::Result<usize> {
    out.reserve(max);
    let len = out.len();
    let n = socket2::SockRef::from(sock).recv(&mut out.spare_capacity_mut()[..max])?;
    // `recv` returns at most the `max` bytes it was given...
    assert!(n <= max);
    // SAFETY: ...and socket2 documents that it passes the buffer straight to
    // recv(2), which initialized its first `n` bytes; `len + n` is within
    // the capacity reserved above.
    unsafe { out.set_len(len + n) };
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    #[test]
    fn appends_what_arrives_up_to_max_then_reports_end_of_stream() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut peer = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (sock, _) = listener.accept().unwrap();
        peer.write_all(b"0123456789").unwrap();

        let mut out = b"kept".to_vec();
        let mut got = 0;
        while got < 10 {
            let n = recv_append(&sock, &mut out, 4).unwrap();
            assert!((1..=4).contains(&n), "at most `max` bytes per read");
            got += n;
        }
        assert_eq!(
            out, b"kept0123456789",
            "earlier bytes kept, new ones appended"
        );

        drop(peer);
        assert_eq!(recv_append(&sock, &mut out, 4).unwrap(), 0);
        assert_eq!(out.len(), 14, "nothing appended at end of stream");
    }
}
