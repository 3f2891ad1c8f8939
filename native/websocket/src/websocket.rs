//! The blocking WebSocket: a stream driven by the sans-I/O [`Decoder`] and
//! [`Encoder`].

use crate::config::WebSocketConfig;
use crate::stream::{is_timeout, SocketControl};
use devian_ws_protocol::deflate::{DeflateParams, PerMessageDeflate};
use devian_ws_protocol::protocol::frame::extend_masked;
use devian_ws_protocol::protocol::Reply;
use devian_ws_protocol::{
    CloseCode, Decoded, Decoder, Encoder, Error, Message, MessageKind, Opcode, Result, Role,
    MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN,
};
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

/// The longest close reason, in bytes: a Close payload is a control frame
/// payload (at most 125 bytes, RFC 6455 §5.5) and the code takes 2 (§5.5.1).
pub const MAX_CLOSE_REASON: usize = MAX_CONTROL_PAYLOAD - 2;

/// Upper bound on reads while draining a closing connection, on top of the
/// close timeout, so a peer that trickles bytes cannot keep us forever even
/// when the stream has no timeouts.
const MAX_LINGER_READS: usize = 1024;

/// Socket controls captured from a [`SocketControl`] stream, so that
/// `WebSocket<S>` itself only needs `Read + Write`.
struct Control<S> {
    read_timeout: fn(&S) -> io::Result<Option<Duration>>,
    set_read_timeout: fn(&S, Option<Duration>) -> io::Result<()>,
    shutdown: fn(&mut S) -> io::Result<()>,
}

impl<S: SocketControl> Control<S> {
    fn of() -> Self {
        Control {
            read_timeout: <S as SocketControl>::read_timeout,
            set_read_timeout: <S as SocketControl>::set_read_timeout,
            shutdown: <S as SocketControl>::shutdown,
        }
    }
}

/// A WebSocket connection over a blocking stream `S` (after the opening
/// handshake), in the client or the server role.
///
/// Reading answers Pings and echoes the peer's Close automatically; a peer
/// that breaks the protocol gets a Close with the matching code (1002, 1007,
/// 1009) before the error is returned. After a Close has been sent nothing
/// else is sent.
pub struct WebSocket<S> {
    stream: S,
    role: Role,
    decoder: Decoder,
    encoder: Encoder,
    config: WebSocketConfig,
    /// Bytes received and not decoded yet: `in_buf[in_pos..in_end]`. The
    /// vector keeps its length between reads, so a read does not zero it.
    in_buf: Vec<u8>,
    in_pos: usize,
    in_end: usize,
    /// The data message being reassembled by the decoder.
    message: Vec<u8>,
    /// Frames being written; reused between sends.
    out: Vec<u8>,
    protocol: Option<String>,
    close_sent: bool,
    close_received: bool,
    /// The connection is over; every call now fails with `AlreadyClosed`.
    terminated: bool,
    control: Option<Control<S>>,
    /// permessage-deflate parameters, when the handshake agreed on it.
    deflate: Option<DeflateParams>,
}

impl<S> std::fmt::Debug for WebSocket<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSocket")
            .field("role", &self.role)
            .field("protocol", &self.protocol)
            .field("close_sent", &self.close_sent)
            .field("close_received", &self.close_received)
            .field("terminated", &self.terminated)
            .finish_non_exhaustive()
    }
}

impl<S: Read + Write> WebSocket<S> {
    /// Wraps a stream on which the opening handshake is already done.
    ///
    /// `leftover` holds bytes read after the handshake head (frames the peer
    /// sent right away); they are decoded before anything is read from the
    /// stream. The close handshake is bounded only by the stream's own
    /// timeouts; for streams that implement [`SocketControl`], call
    /// [`WebSocket::with_socket_control`] to bound it by the config.
    pub fn from_raw_socket(
        stream: S,
        role: Role,
        config: WebSocketConfig,
        protocol: Option<String>,
        leftover: Vec<u8>,
    ) -> Self {
        let mut decoder = Decoder::new(role, config.limits);
        decoder.set_auto_pong(config.auto_pong);
        WebSocket {
            stream,
            role,
            decoder,
            encoder: Encoder::new(role),
            config,
            in_end: leftover.len(),
            in_buf: leftover,
            in_pos: 0,
            message: Vec::new(),
            out: Vec::new(),
            protocol,
            close_sent: false,
            close_received: false,
            terminated: false,
            control: None,
            deflate: None,
        }
    }

    /// Turns on permessage-deflate (RFC 7692) with the parameters the
    /// handshake agreed on: messages from [`WebSocket::send`] are
    /// compressed, compressed messages from the peer are inflated (bounded
    /// by the message size limit). The handshake functions of this crate
    /// call this when [`WebSocketConfig::permessage_deflate`] is set and
    /// the peer agreed; call it yourself only after your own negotiation.
    pub fn with_permessage_deflate(mut self, params: DeflateParams) -> Self {
        self.decoder
            .set_extension(Box::new(PerMessageDeflate::new(self.role, params)));
        self.encoder
            .set_extension(Box::new(PerMessageDeflate::new(self.role, params)));
        self.deflate = Some(params);
        self
    }

    /// The agreed permessage-deflate parameters, or `None` when messages
    /// are not compressed.
    pub fn permessage_deflate(&self) -> Option<DeflateParams> {
        self.deflate
    }

    /// Lets the connection set read timeouts and shut the socket down, so
    /// the close handshake and the end of a failed connection are bounded
    /// by [`WebSocketConfig::close_timeout`] and the server closes TCP first.
    pub fn with_socket_control(mut self) -> Self
    where
        S: SocketControl,
    {
        self.control = Some(Control::of());
        self
    }

    /// The sub-protocol the handshake agreed on, if any.
    pub fn protocol(&self) -> Option<&str> {
        self.protocol.as_deref()
    }

    /// Which end of the connection this is.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The connection settings.
    pub fn config(&self) -> &WebSocketConfig {
        &self.config
    }

    /// The underlying stream.
    pub fn get_ref(&self) -> &S {
        &self.stream
    }

    /// The underlying stream, mutably. Reading or writing it directly
    /// corrupts the WebSocket framing; use it for socket options.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// Gives the stream back, dropping any bytes not yet decoded.
    pub fn into_inner(self) -> S {
        self.stream
    }

    /// Whether a Close frame has been sent (no more sends are possible).
    pub fn close_sent(&self) -> bool {
        self.close_sent
    }

    /// Whether the peer's Close frame has been received.
    pub fn close_received(&self) -> bool {
        self.close_received
    }

    /// Whether the connection is over (closed cleanly or failed).
    pub fn is_terminated(&self) -> bool {
        self.terminated
    }

    /// Sends a message. `Message::Close` sends a Close frame without
    /// waiting for the answer (see [`WebSocket::close`] for that).
    pub fn send(&mut self, msg: Message) -> Result<()> {
        match msg {
            Message::Text(text) => self.send_data(MessageKind::Text, text.as_bytes()),
            Message::Binary(data) => self.send_data(MessageKind::Binary, &data),
            Message::Ping(data) => self.ping(&data),
            Message::Pong(data) => self.pong(&data),
            Message::Close(code, reason) => self.send_close(code, &reason),
        }
    }

    /// Sends one unfragmented Text or Binary message from a borrowed payload.
    pub fn send_data(&mut self, kind: MessageKind, payload: &[u8]) -> Result<()> {
        self.check_writable()?;
        self.out.clear();
        if payload.len() > self.config.write_buffer_size && !self.encoder.has_extension() {
            return self.send_streamed(kind, payload);
        }
        self.encoder.encode_message(kind, payload, &mut self.out);
        self.write_out()
    }

    /// A payload larger than the write buffer goes out as its header and
    /// then in pieces masked into the write buffer one at a time (a
    /// server's unmasked payload straight from `payload`): a large message
    /// costs no buffer of its size, allocated and freed per message.
    fn send_streamed(&mut self, kind: MessageKind, payload: &[u8]) -> Result<()> {
        // Header and piece fit the write buffer, which then keeps its
        // allocation; a multiple of 4, so every piece starts at key phase 0
        // (§5.3).
        let piece = (self.config.write_buffer_size.saturating_sub(MAX_HEADER_LEN) & !3).max(1024);
        let key = self.encoder.encode_header(
            Opcode::from(kind),
            true,
            payload.len() as u64,
            &mut self.out,
        );
        let result = match key {
            None => self
                .stream
                .write_all(&self.out)
                .and_then(|()| self.stream.write_all(payload)),
            Some(key) => payload.chunks(piece).try_for_each(|piece| {
                extend_masked(&mut self.out, piece, key);
                let written = self.stream.write_all(&self.out);
                self.out.clear();
                written
            }),
        };
        self.out.clear();
        let result = result.and_then(|()| self.stream.flush());
        self.finish_write(result)
    }

    /// Sends a Text or Binary message as frames of at most `fragment_size`
    /// payload bytes each (RFC 6455 §5.4): the first frame carries the type,
    /// the others are continuations, the last has FIN set.
    pub fn send_fragmented(&mut self, msg: &Message, fragment_size: usize) -> Result<()> {
        let (opcode, payload) = match msg {
            Message::Text(t) => (Opcode::Text, t.as_bytes()),
            Message::Binary(b) => (Opcode::Binary, b.as_slice()),
            _ => {
                return Err(Error::Usage(
                    "only Text and Binary messages can be fragmented",
                ))
            }
        };
        if fragment_size == 0 {
            return Err(Error::Usage("fragment size must be at least 1"));
        }
        self.check_writable()?;
        let count = payload.len().div_ceil(fragment_size).max(1);
        let mut chunks = payload.chunks(fragment_size);
        for i in 0..count {
            let chunk = chunks.next().unwrap_or(&[]);
            let op = if i == 0 { opcode } else { Opcode::Continuation };
            self.out.clear();
            self.encoder
                .encode_frame(op, i + 1 == count, chunk, &mut self.out);
            self.write_out()?;
        }
        Ok(())
    }

    /// Sends a Ping (payload at most 125 bytes, §5.5).
    pub fn ping(&mut self, payload: &[u8]) -> Result<()> {
        self.send_control(Opcode::Ping, payload)
    }

    /// Sends a Pong; unsolicited Pongs are allowed as a heartbeat (§5.5.3).
    pub fn pong(&mut self, payload: &[u8]) -> Result<()> {
        self.send_control(Opcode::Pong, payload)
    }

    fn send_control(&mut self, opcode: Opcode, payload: &[u8]) -> Result<()> {
        self.check_writable()?;
        self.out.clear();
        self.encoder
            .encode_control(opcode, payload, &mut self.out)?;
        self.write_out()
    }

    /// Sends a Close frame and returns at once. Code 1005 (no status) sends
    /// an empty Close. Nothing can be sent afterwards; keep reading until
    /// the peer's Close arrives (or use [`WebSocket::close`]).
    pub fn send_close(&mut self, code: CloseCode, reason: &str) -> Result<()> {
        self.check_writable()?;
        let code = (code != CloseCode::NO_STATUS).then_some(code);
        self.out.clear();
        self.encoder.encode_close(code, reason, &mut self.out)?;
        // From here on nothing else may be sent, even if the write fails.
        self.close_sent = true;
        self.write_out()
    }

    /// Closes the connection cleanly (RFC 6455 §7.1.2): sends a Close (unless
    /// one was already sent), reads until the peer's Close (messages that
    /// arrive meanwhile are discarded), then ends TCP: a server shuts down
    /// first, a client waits for the server to do so. Bounded by
    /// [`WebSocketConfig::close_timeout`].
    pub fn close(&mut self, code: CloseCode, reason: &str) -> Result<()> {
        if self.terminated {
            return Err(Error::AlreadyClosed);
        }
        if !self.close_sent {
            self.send_close(code, reason)?;
        }
        let deadline = Instant::now() + self.config.close_timeout;
        let saved = self.saved_read_timeout();
        let mut result = Err(Error::Timeout("close handshake"));
        while Instant::now() < deadline {
            self.arm_read_timeout(deadline);
            match self.read() {
                Ok(Message::Close(..)) => {
                    result = Ok(());
                    break;
                }
                Ok(_) => {}
                Err(Error::Io(e)) if is_timeout(&e) => {}
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.restore_read_timeout(saved);
        match result {
            Ok(()) => match self.finish() {
                Error::ConnectionClosed => Ok(()),
                e => Err(e),
            },
            Err(Error::Timeout(what)) => {
                // The peer had the whole close timeout to read our Close;
                // no point lingering for another one.
                if let Some(control) = &self.control {
                    let _ = (control.shutdown)(&mut self.stream);
                }
                self.terminated = true;
                Err(Error::Timeout(what))
            }
            // ConnectionClosed here means the handshake finished inside read().
            Err(Error::ConnectionClosed) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Reads the next message. Pings are answered (when auto-pong is on)
    /// and a Close is echoed before they are returned.
    ///
    /// After the close handshake completes, returns
    /// [`Error::ConnectionClosed`] once, then [`Error::AlreadyClosed`].
    /// A protocol violation fails the connection: a Close with
    /// [`Error::close_code`] is sent, then the error returned. A read
    /// timeout on the stream comes back as `Error::Io` (WouldBlock or
    /// TimedOut) and leaves the connection usable.
    pub fn read(&mut self) -> Result<Message> {
        loop {
            if self.terminated {
                return Err(Error::AlreadyClosed);
            }
            if self.close_sent && self.close_received {
                return Err(self.finish());
            }
            if self.in_pos < self.in_end {
                match self
                    .decoder
                    .decode(&self.in_buf[self.in_pos..self.in_end], &mut self.message)
                {
                    Err(e) => return Err(self.fail(e)),
                    Ok((consumed, event)) => {
                        self.in_pos += consumed;
                        self.send_reply()?;
                        if let Some(event) = event {
                            return self.deliver(event);
                        }
                        if consumed > 0 {
                            continue;
                        }
                    }
                }
            }
            self.fill()?;
        }
    }

    /// Same as [`WebSocket::read`].
    pub fn receive(&mut self) -> Result<Message> {
        self.read()
    }

    /// An iterator over incoming messages. It yields the peer's Close
    /// message and ends after the close handshake; an error is yielded
    /// once and ends it too (except read timeouts, after which it can go on).
    pub fn messages(&mut self) -> Messages<'_, S> {
        Messages {
            ws: self,
            done: false,
        }
    }

    fn check_writable(&self) -> Result<()> {
        if self.terminated || self.close_sent {
            Err(Error::AlreadyClosed)
        } else {
            Ok(())
        }
    }

    /// Writes `out` as one `write_all` (one frame, or one whole message).
    fn write_out(&mut self) -> Result<()> {
        let result = self
            .stream
            .write_all(&self.out)
            .and_then(|()| self.stream.flush());
        self.out.clear();
        self.finish_write(result)
    }

    /// Keeps the write buffer within its configured size and reports a
    /// failed write.
    fn finish_write(&mut self, result: io::Result<()>) -> Result<()> {
        if self.out.capacity() > self.config.write_buffer_size {
            self.out.shrink_to(self.config.write_buffer_size);
        }
        result.map_err(|e| {
            // A frame may be half written: the stream is unusable now.
            self.terminated = true;
            crate::tls::map_io_error(e)
        })
    }

    /// Sends what the decoder says the protocol requires (§5.5.2, §5.5.1).
    fn send_reply(&mut self) -> Result<()> {
        match self.decoder.take_reply() {
            Some(Reply::Pong(payload)) if !self.close_sent => {
                self.out.clear();
                self.encoder
                    .encode_control(Opcode::Pong, payload.as_slice(), &mut self.out)?;
                self.write_out()
            }
            Some(Reply::Close(code, reason)) if !self.close_sent => {
                let reason = std::str::from_utf8(reason.as_slice()).unwrap_or("");
                self.send_close_quietly(code, reason);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn deliver(&mut self, event: Decoded) -> Result<Message> {
        match event {
            Decoded::Message(kind) => {
                let data = std::mem::take(&mut self.message);
                match kind {
                    MessageKind::Binary => Ok(Message::Binary(data)),
                    // The decoder validated the text; this check is free of
                    // copies and keeps us from trusting it blindly.
                    MessageKind::Text => match String::from_utf8(data) {
                        Ok(text) => Ok(Message::Text(text)),
                        Err(_) => Err(self.fail(Error::InvalidUtf8)),
                    },
                }
            }
            Decoded::Ping(p) => Ok(Message::Ping(p.as_slice().to_vec())),
            Decoded::Pong(p) => Ok(Message::Pong(p.as_slice().to_vec())),
            Decoded::Close(code, reason) => {
                self.close_received = true;
                if !self.close_sent {
                    // The decoder normally asks for the echo (handled in
                    // send_reply); never leave the peer waiting if it did not.
                    self.send_close_quietly(code, "");
                }
                let reason = String::from_utf8_lossy(reason.as_slice()).into_owned();
                Ok(Message::Close(code.unwrap_or(CloseCode::NO_STATUS), reason))
            }
        }
    }

    /// Reads more bytes into `in_buf`.
    fn fill(&mut self) -> Result<()> {
        // The decoder consumes all input it is given (it keeps a partial
        // header itself), so in practice everything was decoded; keep an
        // undecoded tail anyway by moving it to the front.
        if self.in_pos > 0 {
            self.in_buf.copy_within(self.in_pos..self.in_end, 0);
            self.in_end -= self.in_pos;
            self.in_pos = 0;
        }
        // Grows (and zeroes) only the first time, or after a large leftover.
        let want = self.in_end + self.config.read_buffer_size.max(1);
        if self.in_buf.len() < want {
            self.in_buf.resize(want, 0);
        }
        loop {
            match self.stream.read(&mut self.in_buf[self.in_end..]) {
                Ok(0) => {
                    self.terminated = true;
                    // §7.1.5: no Close frame received, so the close code is
                    // 1006 (abnormal closure).
                    return Err(Error::Io(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "connection closed without a close handshake (1006)",
                    )));
                }
                Ok(n) => {
                    self.in_end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if is_timeout(&e) => return Err(Error::Io(e)),
                Err(e) => {
                    self.terminated = true;
                    return Err(crate::tls::map_io_error(e));
                }
            }
        }
    }

    /// Sends a Close on the way out (an echo, or failing the connection),
    /// after which nothing else may be sent. A code or reason the encoder
    /// refuses degrades to an empty Close. A write error is not reported:
    /// the peer may already have closed TCP, and the caller is ending the
    /// connection either way.
    fn send_close_quietly(&mut self, code: Option<CloseCode>, reason: &str) {
        self.out.clear();
        if self
            .encoder
            .encode_close(code, reason, &mut self.out)
            .is_err()
        {
            self.out.clear();
            let _ = self.encoder.encode_close(None, "", &mut self.out);
        }
        self.close_sent = true;
        let _ = self
            .stream
            .write_all(&self.out)
            .and_then(|()| self.stream.flush());
        self.out.clear();
    }

    /// Fails the connection (§7.1.7): a Close with the error's code if we
    /// have not sent one, then the end of the transport.
    fn fail(&mut self, err: Error) -> Error {
        if let Some(code) = err.close_code() {
            if !self.close_sent {
                let reason = err.to_string();
                self.send_close_quietly(Some(code), truncate_utf8(&reason, MAX_CLOSE_REASON));
            }
        }
        self.end_transport(Instant::now() + self.config.close_timeout);
        self.terminated = true;
        err
    }

    /// Ends the connection after a completed close handshake (§7.1.1): the
    /// server closes TCP first; the client waits for that, then closes.
    fn finish(&mut self) -> Error {
        let deadline = Instant::now() + self.config.close_timeout;
        match self.role {
            Role::Server => self.end_transport(deadline),
            Role::Client => {
                let saved = self.saved_read_timeout();
                self.linger(deadline);
                self.restore_read_timeout(saved);
                if let Some(control) = &self.control {
                    let _ = (control.shutdown)(&mut self.stream);
                }
            }
        }
        self.terminated = true;
        Error::ConnectionClosed
    }

    /// Half-closes the transport and drains it until the peer closes too, so
    /// our last frames are not destroyed by a TCP reset (unread input at
    /// close makes the kernel send RST). Needs socket control to be bounded.
    fn end_transport(&mut self, deadline: Instant) {
        let Some(control) = &self.control else { return };
        let _ = (control.shutdown)(&mut self.stream);
        let saved = self.saved_read_timeout();
        self.linger(deadline);
        self.restore_read_timeout(saved);
    }

    /// Reads and discards until end of stream, an error, or the deadline.
    fn linger(&mut self, deadline: Instant) {
        let mut scratch = [0u8; 4096];
        for _ in 0..MAX_LINGER_READS {
            if !self.arm_read_timeout(deadline) {
                return;
            }
            match self.stream.read(&mut scratch) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return,
            }
        }
    }

    /// Sets the read timeout to what is left until `deadline`; false when
    /// the deadline has passed.
    fn arm_read_timeout(&self, deadline: Instant) -> bool {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        if let Some(control) = &self.control {
            // Zero means "no timeout" to the OS: keep at least 1 ms.
            let _ =
                (control.set_read_timeout)(&self.stream, Some(left.max(Duration::from_millis(1))));
        }
        true
    }

    fn saved_read_timeout(&self) -> Option<Option<Duration>> {
        self.control
            .as_ref()
            .and_then(|c| (c.read_timeout)(&self.stream).ok())
    }

    fn restore_read_timeout(&self, saved: Option<Option<Duration>>) {
        if let (Some(control), Some(timeout)) = (&self.control, saved) {
            let _ = (control.set_read_timeout)(&self.stream, timeout);
        }
    }
}

/// Iterator over incoming messages; see [`WebSocket::messages`].
pub struct Messages<'a, S> {
    ws: &'a mut WebSocket<S>,
    done: bool,
}

impl<S: Read + Write> Messages<'_, S> {
    /// The WebSocket, e.g. to send a reply from inside the loop.
    pub fn socket(&mut self) -> &mut WebSocket<S> {
        self.ws
    }
}

impl<S: Read + Write> Iterator for Messages<'_, S> {
    type Item = Result<Message>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.ws.read() {
            Ok(msg) => Some(Ok(msg)),
            Err(Error::ConnectionClosed) | Err(Error::AlreadyClosed) => {
                self.done = true;
                None
            }
            Err(Error::Io(e)) if is_timeout(&e) => Some(Err(Error::Io(e))),
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a char boundary.
fn truncate_utf8(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// An in-memory stream: scripted reads (bytes, or an error kind), and
    /// everything written collected.
    #[derive(Default)]
    struct Script {
        reads: VecDeque<std::result::Result<Vec<u8>, io::ErrorKind>>,
        written: Vec<u8>,
        writes: usize,
    }

    impl Read for Script {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.reads.pop_front() {
                None => Ok(0),
                Some(Err(kind)) => Err(kind.into()),
                Some(Ok(mut bytes)) => {
                    let n = bytes.len().min(buf.len());
                    buf[..n].copy_from_slice(&bytes[..n]);
                    if n < bytes.len() {
                        self.reads.push_front(Ok(bytes.split_off(n)));
                    }
                    Ok(n)
                }
            }
        }
    }

    impl Write for Script {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.written.extend_from_slice(buf);
            self.writes += 1;
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Frames as a client peer sends them (masked).
    fn client_frames(build: impl FnOnce(&mut Encoder, &mut Vec<u8>)) -> Vec<u8> {
        let mut out = Vec::new();
        build(&mut Encoder::new(Role::Client), &mut out);
        out
    }

    /// A server-role WebSocket reading `reads`.
    fn server(reads: Vec<std::result::Result<Vec<u8>, io::ErrorKind>>) -> WebSocket<Script> {
        let stream = Script {
            reads: reads.into(),
            ..Script::default()
        };
        WebSocket::from_raw_socket(
            stream,
            Role::Server,
            WebSocketConfig::default(),
            None,
            Vec::new(),
        )
    }

    /// Everything the WebSocket wrote, decoded as a client would.
    fn sent(ws: &WebSocket<Script>) -> Vec<Decoded> {
        let mut decoder = Decoder::new(Role::Client, devian_ws_protocol::Limits::default());
        let (mut input, mut message, mut events) =
            (&ws.get_ref().written[..], Vec::new(), Vec::new());
        while !input.is_empty() {
            let (n, event) = decoder
                .decode(input, &mut message)
                .expect("our own frames decode");
            input = &input[n..];
            events.extend(event);
            if n == 0 {
                break;
            }
        }
        events
    }

    // RFC 6455 §5.5.1: the peer's Close is echoed once; the connection then
    // reports ConnectionClosed once and AlreadyClosed after that.
    #[test]
    fn rfc6455_5_5_1_peer_close_is_echoed_then_closed() {
        let close = client_frames(|e, o| {
            e.encode_close(Some(CloseCode(4000)), "bye", o)
                .expect("close")
        });
        let mut ws = server(vec![Ok(close)]);
        assert_eq!(
            ws.read().expect("close"),
            Message::Close(CloseCode(4000), "bye".into())
        );
        assert!(matches!(ws.read(), Err(Error::ConnectionClosed)));
        assert!(matches!(ws.read(), Err(Error::AlreadyClosed)));
        assert!(matches!(
            ws.send(Message::text("late")),
            Err(Error::AlreadyClosed)
        ));
        let echoed = sent(&ws);
        assert_eq!(echoed.len(), 1);
        assert!(
            matches!(echoed[0], Decoded::Close(Some(CloseCode(4000)), _)),
            "{echoed:?}"
        );
    }

    // RFC 6455 §5.1 and §7.1.7: an unmasked client frame fails the connection
    // with a 1002 Close before the error is returned.
    #[test]
    fn rfc6455_7_1_7_violation_sends_1002_then_fails() {
        let mut ws = server(vec![Ok(b"\x81\x02hi".to_vec())]);
        let err = ws.read().expect_err("unmasked");
        assert_eq!(err.close_code(), Some(CloseCode::PROTOCOL_ERROR));
        assert!(ws.is_terminated());
        assert!(matches!(
            sent(&ws)[..],
            [Decoded::Close(Some(CloseCode::PROTOCOL_ERROR), _)]
        ));
        assert!(matches!(ws.read(), Err(Error::AlreadyClosed)));
    }

    // RFC 6455 §5.5.2: a Ping is answered with a Pong of the same payload.
    #[test]
    fn rfc6455_5_5_2_ping_answered() {
        let ping = client_frames(|e, o| e.encode_control(Opcode::Ping, b"p1", o).expect("ping"));
        let mut ws = server(vec![Ok(ping)]);
        assert_eq!(ws.read().expect("ping"), Message::Ping(b"p1".to_vec()));
        match &sent(&ws)[..] {
            [Decoded::Pong(p)] => assert_eq!(p.as_slice(), b"p1"),
            other => panic!("{other:?}"),
        }
    }

    // RFC 6455 §5.5.1: after sending a Close, nothing else is sent, not even
    // the Pong a Ping asks for.
    #[test]
    fn rfc6455_5_5_1_nothing_sent_after_close() {
        let ping = client_frames(|e, o| e.encode_control(Opcode::Ping, b"late", o).expect("ping"));
        let mut ws = server(vec![Ok(ping)]);
        ws.send_close(CloseCode::NORMAL, "").expect("close");
        assert_eq!(
            ws.read().expect("ping still delivered"),
            Message::Ping(b"late".to_vec())
        );
        assert!(matches!(ws.ping(b"x"), Err(Error::AlreadyClosed)));
        assert!(matches!(
            sent(&ws)[..],
            [Decoded::Close(Some(CloseCode::NORMAL), _)]
        ));
    }

    // RFC 6455 §7.1.5: the stream ending without a Close is abnormal (1006),
    // not a clean close.
    #[test]
    fn rfc6455_7_1_5_eof_without_close_is_abnormal() {
        let mut ws = server(vec![]);
        match ws.read() {
            Err(Error::Io(e)) => assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof),
            other => panic!("{other:?}"),
        }
        assert!(ws.is_terminated());
    }

    #[test]
    fn read_timeout_leaves_connection_usable() {
        let text = client_frames(|e, o| e.encode_message(MessageKind::Text, b"after", o));
        let mut ws = server(vec![Err(io::ErrorKind::WouldBlock), Ok(text)]);
        assert!(matches!(ws.read(), Err(Error::Io(e)) if is_timeout(&e)));
        assert!(!ws.is_terminated());
        assert_eq!(ws.read().expect("text"), Message::text("after"));
    }

    // Frames that came with the handshake are decoded before reading more,
    // also when they split a frame with the stream.
    #[test]
    fn leftover_decoded_first() {
        let text = client_frames(|e, o| e.encode_message(MessageKind::Text, b"early bird", o));
        let (head, tail) = text.split_at(5);
        let stream = Script {
            reads: vec![Ok(tail.to_vec())].into(),
            ..Script::default()
        };
        let config = WebSocketConfig::default();
        let mut ws = WebSocket::from_raw_socket(stream, Role::Server, config, None, head.to_vec());
        assert_eq!(ws.read().expect("text"), Message::text("early bird"));
    }

    // RFC 6455 §5.2: a frame may arrive in any number of pieces; byte by
    // byte, two frames in a row still decode in order.
    #[test]
    fn frames_trickling_in_byte_by_byte_decode_in_order() {
        let mut bytes = client_frames(|e, o| e.encode_message(MessageKind::Text, b"first", o));
        bytes.extend(client_frames(|e, o| {
            e.encode_message(MessageKind::Binary, &[7; 300], o)
        }));
        let reads = bytes.iter().map(|b| Ok(vec![*b])).collect();
        let mut ws = server(reads);
        assert_eq!(ws.read().expect("text"), Message::text("first"));
        assert_eq!(ws.read().expect("binary"), Message::Binary(vec![7; 300]));
    }

    #[test]
    fn messages_iterator_ends_after_close() {
        let mut bytes = client_frames(|e, o| e.encode_message(MessageKind::Binary, &[1, 2], o));
        bytes.extend(client_frames(|e, o| {
            e.encode_close(None, "", o).expect("close")
        }));
        let mut ws = server(vec![Ok(bytes)]);
        let got: Vec<Message> = ws.messages().map(|m| m.expect("message")).collect();
        assert_eq!(
            got,
            vec![
                Message::Binary(vec![1, 2]),
                Message::Close(CloseCode::NO_STATUS, String::new())
            ]
        );
    }

    #[test]
    fn each_frame_is_one_write_and_fragments_are_continuations() {
        let mut ws = server(vec![]);
        ws.send_fragmented(&Message::text("abcdef"), 4)
            .expect("fragments");
        let mut decoder = Decoder::new(Role::Client, devian_ws_protocol::Limits::default());
        let mut message = Vec::new();
        assert_eq!(ws.get_ref().writes, 2, "one write per frame");
        let written = ws.get_ref().written.clone();
        // Server frames are unmasked: "abcd" then "ef", the first without FIN.
        assert_eq!(&written[..6], b"\x01\x04abcd");
        assert_eq!(&written[6..], b"\x80\x02ef");
        let (n, event) = decoder.decode(&written, &mut message).expect("decode");
        let (_, event2) = decoder.decode(&written[n..], &mut message).expect("decode");
        assert_eq!(event.or(event2), Some(Decoded::Message(MessageKind::Text)));
        assert_eq!(message, b"abcdef");
    }

    #[test]
    fn truncate_keeps_char_boundaries() {
        assert_eq!(truncate_utf8("abc", 123), "abc");
        let s = "é".repeat(100); // 200 bytes, 2 per char
        let t = truncate_utf8(&s, MAX_CLOSE_REASON);
        assert_eq!(t.len(), 122);
        assert!(t.chars().all(|c| c == 'é'));
    }
}
