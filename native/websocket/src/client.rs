//! The client: DNS, TCP, TLS and the opening handshake (RFC 6455 §4.1).

use crate::config::WebSocketConfig;
use crate::head::{read_head, SetTimeout};
use crate::stream::{MaybeTlsStream, SocketControl};
use crate::tls::{self, TlsOptions};
use crate::websocket::WebSocket;
use devian_ws_protocol::handshake::client::{ClientHandshake, ClientRequest, ClientResponse};
use devian_ws_protocol::handshake::HandshakeLimits;
use devian_ws_protocol::{Error, Limits, Result, Role, WsUrl};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Default bound on establishing one TCP connection.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Starts building a client connection to `url` (`ws://` or `wss://`).
///
/// ```no_run
/// let mut ws = devian_websocket::connect("ws://127.0.0.1:9001/chat").protocol("chat").connect()?;
/// ws.send(devian_websocket::Message::text("hello"))?;
/// # Ok::<(), devian_websocket::Error>(())
/// ```
pub fn connect(url: impl Into<String>) -> ClientBuilder {
    ClientBuilder::new(url)
}

/// Options of one client connection; finish with [`ClientBuilder::connect`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    url: String,
    request: ClientRequest,
    config: WebSocketConfig,
    tls: TlsOptions,
    tls_config: Option<Arc<rustls::ClientConfig>>,
    connect_timeout: Duration,
    handshake_limits: HandshakeLimits,
}

impl ClientBuilder {
    /// A builder for `url` with default settings.
    pub fn new(url: impl Into<String>) -> Self {
        ClientBuilder {
            url: url.into(),
            request: ClientRequest::default(),
            config: WebSocketConfig::default(),
            tls: TlsOptions::default(),
            tls_config: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            handshake_limits: HandshakeLimits::default(),
        }
    }

    /// Offers a sub-protocol (Sec-WebSocket-Protocol); call again for more,
    /// in order of preference.
    pub fn protocol(mut self, protocol: impl Into<String>) -> Self {
        self.request.protocols.push(protocol.into());
        self
    }

    /// Offers several sub-protocols, in order of preference.
    pub fn protocols<I, P>(mut self, protocols: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        self.request
            .protocols
            .extend(protocols.into_iter().map(Into::into));
        self
    }

    /// Adds a request header (e.g. Authorization).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.request.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the Origin header.
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.request.origin = Some(origin.into());
        self
    }

    /// Adds one Sec-WebSocket-Extensions offer (e.g.
    /// `permessage-deflate; client_max_window_bits`).
    ///
    /// [`WebSocket`] itself implements no extension: frames with RSV bits
    /// set still fail the connection (1002), so offer only what the server
    /// will not turn on, or handle the extension above this layer.
    pub fn extension_offer(mut self, offer: impl Into<String>) -> Self {
        self.request.extensions.push(offer.into());
        self
    }

    /// Frame and message size limits for what the server sends.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.config.limits = limits;
        self
    }

    /// All connection settings at once (replaces earlier `limits`).
    pub fn config(mut self, config: WebSocketConfig) -> Self {
        self.config = config;
        self
    }

    /// TLS verification options for `wss://`.
    pub fn tls(mut self, options: TlsOptions) -> Self {
        self.tls = options;
        self
    }

    /// A ready rustls configuration for `wss://`, used instead of
    /// [`ClientBuilder::tls`] (e.g. shared between many connections).
    pub fn tls_config(mut self, config: Arc<rustls::ClientConfig>) -> Self {
        self.tls_config = Some(config);
        self
    }

    /// Bound on establishing TCP to each resolved address (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Bounds on the server's response head and on the whole handshake
    /// (TLS included).
    pub fn handshake_limits(mut self, limits: HandshakeLimits) -> Self {
        self.handshake_limits = limits;
        self
    }

    /// Connects: resolves the host, tries each address in turn, runs TLS for
    /// `wss://` and the opening handshake, all bounded in time. The socket
    /// is left without read or write timeouts.
    pub fn connect(self) -> Result<WebSocket<MaybeTlsStream>> {
        let url = WsUrl::parse(&self.url)?;
        let tcp = connect_tcp(&url.host, url.port, self.connect_timeout)?;
        // TCP_NODELAY: frames are written whole, so Nagle only adds latency.
        tcp.set_nodelay(true)?;
        let deadline = Instant::now() + self.handshake_limits.timeout;
        let budget = remaining(deadline)?;
        tcp.set_read_timeout(Some(budget))?;
        tcp.set_write_timeout(Some(budget))?;

        let stream = if url.secure {
            let config = match self.tls_config {
                Some(config) => config,
                None => tls::client_config(&self.tls)?,
            };
            tls::connect(tcp, &url.host, config)?
        } else {
            MaybeTlsStream::Plain(tcp)
        };
        let ws = handshake(
            stream,
            &url,
            &self.request,
            self.config,
            &self.handshake_limits,
            deadline,
        )?;
        ws.get_ref().set_read_timeout(None)?;
        ws.get_ref().set_write_timeout(None)?;
        Ok(ws)
    }
}

/// The time left until `deadline`, or a timeout error.
fn remaining(deadline: Instant) -> Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(Error::Timeout("opening handshake"))
    } else {
        Ok(left)
    }
}

/// Connects to the first address of `host:port` that answers.
fn connect_tcp(host: &str, port: u16, timeout: Duration) -> Result<TcpStream> {
    let addrs: Vec<SocketAddr> = (host, port).to_socket_addrs()?.collect();
    let mut last = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, timeout) {
            Ok(tcp) => return Ok(tcp),
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) if e.kind() == io::ErrorKind::TimedOut => Error::Timeout("TCP connect"),
        Some(e) => Error::Io(e),
        None => Error::Url(format!("{host:?} resolved to no address")),
    })
}

/// Runs the opening handshake with socket control (timeouts per read up to
/// `deadline`); the WebSocket gets socket control too.
fn handshake<S>(
    mut stream: S,
    url: &WsUrl,
    request: &ClientRequest,
    config: WebSocketConfig,
    limits: &HandshakeLimits,
    deadline: Instant,
) -> Result<WebSocket<S>>
where
    S: Read + Write + SocketControl,
{
    let set: SetTimeout<'_, S> = &|s, t| s.set_read_timeout(t);
    let (response, leftover) = exchange(&mut stream, url, request, limits, deadline, Some(set))?;
    Ok(
        WebSocket::from_raw_socket(stream, Role::Client, config, response.protocol, leftover)
            .with_socket_control(),
    )
}

/// Writes the request and reads the response head; returns the response
/// and the bytes that followed it (frames sent right after the 101).
fn exchange<S: Read + Write>(
    stream: &mut S,
    url: &WsUrl,
    request: &ClientRequest,
    limits: &HandshakeLimits,
    deadline: Instant,
    set_timeout: Option<SetTimeout<'_, S>>,
) -> Result<(ClientResponse, Vec<u8>)> {
    let (state, bytes) = ClientHandshake::start(url, request);
    stream.write_all(&bytes).map_err(tls::map_io_error)?;
    stream.flush().map_err(tls::map_io_error)?;
    read_head(stream, limits, deadline, set_timeout, |buf| {
        state.parse_response(buf, limits)
    })
}

/// Runs the client opening handshake on any connected stream (TLS, if
/// wanted, must already be layered in), with default settings. `url` gives
/// the Host header and the resource.
///
/// The response is bounded by [`HandshakeLimits`] in size; in time it is
/// bounded only by the stream's own read timeout, so set one first.
pub fn client_handshake<S: Read + Write>(
    stream: S,
    url: &str,
    request: &ClientRequest,
) -> Result<WebSocket<S>> {
    client_handshake_with(
        stream,
        url,
        request,
        WebSocketConfig::default(),
        &HandshakeLimits::default(),
    )
}

/// [`client_handshake`] with explicit connection settings and handshake limits.
pub fn client_handshake_with<S: Read + Write>(
    mut stream: S,
    url: &str,
    request: &ClientRequest,
    config: WebSocketConfig,
    limits: &HandshakeLimits,
) -> Result<WebSocket<S>> {
    let url = WsUrl::parse(url)?;
    let deadline = Instant::now() + limits.timeout;
    let (response, leftover) = exchange(&mut stream, &url, request, limits, deadline, None)?;
    Ok(WebSocket::from_raw_socket(
        stream,
        Role::Client,
        config,
        response.protocol,
        leftover,
    ))
}
