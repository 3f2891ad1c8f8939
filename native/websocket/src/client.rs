//! The client: DNS, TCP, TLS and the opening handshake (RFC 6455 §4.1).

use crate::config::WebSocketConfig;
use crate::head::{read_head, SetTimeout};
use crate::proxy::{connect_via, ProxySetting};
use crate::stream::{MaybeTlsStream, SocketControl};
use crate::tls::{self, TlsOptions};
use crate::websocket::WebSocket;
use devian_ws_protocol::deflate::{negotiation, DeflateConfig};
use devian_ws_protocol::handshake::client::{ClientHandshake, ClientRequest, ClientResponse};
use devian_ws_protocol::handshake::HandshakeLimits;
use devian_ws_protocol::{Error, Limits, Result, Role, WsUrl};
use std::io::{Read, Write};
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
    proxy: ProxySetting,
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
            proxy: ProxySetting::Direct,
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

    /// Adds one raw Sec-WebSocket-Extensions offer.
    ///
    /// [`WebSocket`] only implements permessage-deflate, and only through
    /// [`ClientBuilder::permessage_deflate`]; for an offer added here,
    /// frames with RSV bits set still fail the connection (1002), so offer
    /// only what the server will not turn on, or handle the extension above
    /// this layer.
    pub fn extension_offer(mut self, offer: impl Into<String>) -> Self {
        self.request.extensions.push(offer.into());
        self
    }

    /// Offers permessage-deflate (RFC 7692) with `config`; when the server
    /// agrees, messages are compressed both ways. Off by default. Sets
    /// [`WebSocketConfig::permessage_deflate`].
    pub fn permessage_deflate(mut self, config: DeflateConfig) -> Self {
        self.config.permessage_deflate = Some(config);
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

    /// TLS verification options for `wss://`. An `https://` proxy's
    /// certificate is checked against the same roots (not the pins).
    pub fn tls(mut self, options: TlsOptions) -> Self {
        self.tls = options;
        self
    }

    /// A ready rustls configuration for `wss://`, used instead of
    /// [`ClientBuilder::tls`] (e.g. shared between many connections). It
    /// applies to the server only; an `https://` proxy is checked with
    /// [`ClientBuilder::tls`]'s options.
    pub fn tls_config(mut self, config: Arc<rustls::ClientConfig>) -> Self {
        self.tls_config = Some(config);
        self
    }

    /// Bound on establishing TCP (default 10 s), shared by the resolved
    /// addresses (see [`tcp_connect`]).
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

    /// Connects through a proxy ([`ProxySetting::Use`]), or as the
    /// environment says ([`ProxySetting::FromEnvironment`]); direct by default.
    pub fn proxy(mut self, proxy: ProxySetting) -> Self {
        self.proxy = proxy;
        self
    }

    /// Connects: resolves the host, tries each address in turn, runs TLS for
    /// `wss://` and the opening handshake, all bounded in time. The socket
    /// is left without read or write timeouts.
    pub fn connect(self) -> Result<WebSocket<MaybeTlsStream>> {
        let url = WsUrl::parse(&self.url)?;
        // Refuse a request that would inject header lines before any I/O.
        self.request.validate()?;
        let proxy = self.proxy.resolve(&url)?;
        let tunnel = connect_via(
            proxy.as_ref(),
            &url,
            &self.tls,
            Instant::now() + self.connect_timeout,
        )?;
        let deadline = Instant::now() + self.handshake_limits.timeout;
        let budget = remaining(deadline)?;
        tunnel.set_read_timeout(Some(budget))?;
        tunnel.set_write_timeout(Some(budget))?;

        let stream = if url.secure {
            let config = match self.tls_config {
                Some(config) => config,
                None => tls::client_config(&self.tls)?,
            };
            tls::connect(tunnel, &url.host, config, deadline)?
        } else {
            tunnel
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
    remaining_for(deadline, "opening handshake")
}

/// The time left until `deadline`, or `Timeout(what)`.
pub(crate) fn remaining_for(deadline: Instant, what: &'static str) -> Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(Error::Timeout(what))
    } else {
        Ok(left)
    }
}

/// Opens a TCP connection to `url`'s host and port, with `TCP_NODELAY`
/// (frames are written whole, so Nagle would only add latency).
///
/// Tries each resolved address in turn until `deadline`. Each attempt gets
/// an equal share of the time left, so an unreachable first address (say,
/// a black-holed IPv6 route) cannot use up the whole budget before the
/// next one is tried. Name resolution itself is the system's and is not
/// bounded by `deadline`.
pub fn tcp_connect(url: &WsUrl, deadline: Instant) -> Result<TcpStream> {
    resolve_and_connect(&url.host, url.port, deadline)
}

/// [`tcp_connect`] to any `host` and `port` (the server's, or a proxy's).
pub(crate) fn resolve_and_connect(host: &str, port: u16, deadline: Instant) -> Result<TcpStream> {
    let addrs = resolve(host, port, deadline)?;
    let mut last = None;
    for (i, addr) in addrs.iter().enumerate() {
        let left = remaining_for(deadline, "TCP connect")?;
        let share = left / u32::try_from(addrs.len() - i).unwrap_or(u32::MAX);
        match TcpStream::connect_timeout(addr, share.max(Duration::from_millis(1))) {
            Ok(tcp) => {
                tcp.set_nodelay(true)?;
                return Ok(tcp);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) if crate::stream::is_timeout(&e) => Error::Timeout("TCP connect"),
        Some(e) => Error::Io(e),
        None => Error::Url(format!("{host:?} resolved to no address")),
    })
}

/// Resolves `host` by `deadline`. The system resolver cannot be cancelled,
/// so a name (not an IP literal) is looked up on a thread of its own, which
/// is abandoned if the deadline passes first; it ends when the lookup does.
pub(crate) fn resolve(host: &str, port: u16, deadline: Instant) -> Result<Vec<SocketAddr>> {
    if let Ok(ip) = host.trim_matches(['[', ']']).parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let name = host.to_owned();
    std::thread::Builder::new()
        .name("devian-ws-dns".into())
        .spawn(move || {
            let _ = tx.send((name.as_str(), port).to_socket_addrs().map(Vec::from_iter));
        })?;
    let left = remaining(deadline).map_err(|_| Error::Timeout("DNS lookup"))?;
    match rx.recv_timeout(left) {
        Ok(result) => Ok(result?),
        Err(_) => Err(Error::Timeout("DNS lookup")),
    }
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
    let request = with_deflate_offer(request, &config);
    let (response, leftover) = exchange(&mut stream, url, &request, limits, deadline, Some(set))?;
    let deflate = deflate_agreed(&config, &response)?;
    let ws = WebSocket::from_raw_socket(stream, Role::Client, config, response.protocol, leftover)
        .with_socket_control();
    Ok(match deflate {
        Some(params) => ws.with_permessage_deflate(params),
        None => ws,
    })
}

/// `request` plus the permessage-deflate offer when `config` turns it on.
fn with_deflate_offer(request: &ClientRequest, config: &WebSocketConfig) -> ClientRequest {
    let mut request = request.clone();
    if let Some(deflate) = &config.permessage_deflate {
        request.extensions.push(negotiation::client_offer(deflate));
    }
    request
}

/// The deflate parameters the server agreed to, checked per RFC 7692 §7.1.
fn deflate_agreed(
    config: &WebSocketConfig,
    response: &ClientResponse,
) -> Result<Option<devian_ws_protocol::deflate::DeflateParams>> {
    match &config.permessage_deflate {
        Some(deflate) => negotiation::client_accept(deflate, &response.extensions),
        None => Ok(None),
    }
}

/// Checks and writes the request, then reads the response head; returns the response
/// and the bytes that followed it (frames sent right after the 101).
fn exchange<S: Read + Write>(
    stream: &mut S,
    url: &WsUrl,
    request: &ClientRequest,
    limits: &HandshakeLimits,
    deadline: Instant,
    set_timeout: Option<SetTimeout<'_, S>>,
) -> Result<(ClientResponse, Vec<u8>)> {
    let (state, bytes) = ClientHandshake::try_start(url, request)?;
    stream.write_all(&bytes).map_err(tls::map_io_error)?;
    stream.flush().map_err(tls::map_io_error)?;
    read_head(stream, limits, deadline, set_timeout, |buf| {
        state.parse_response(buf, limits)
    })
}

/// Writes the upgrade request to `stream` and reads the server's response
/// head (RFC 6455 §4.1), for transports that drive the connection
/// themselves afterwards (the threaded engine does). Returns the response
/// and the bytes that followed the head: frames the server sent right
/// after the 101, to decode before anything read later.
///
/// The request is validated first. The head is bounded by `limits` in size
/// and by `deadline` in time: `set_read_timeout`, when given, is called
/// before each read with the time left, so a server that trickles bytes is
/// cut off at `deadline` rather than per read. Bound writes with the
/// socket's write timeout.
pub fn client_upgrade<S: Read + Write>(
    stream: &mut S,
    url: &WsUrl,
    request: &ClientRequest,
    limits: &HandshakeLimits,
    deadline: Instant,
    set_read_timeout: Option<&dyn Fn(Option<Duration>) -> std::io::Result<()>>,
) -> Result<(ClientResponse, Vec<u8>)> {
    let adapter;
    let set: Option<SetTimeout<'_, S>> = match set_read_timeout {
        Some(f) => {
            adapter = move |_: &S, t: Option<Duration>| f(t);
            Some(&adapter)
        }
        None => None,
    };
    exchange(stream, url, request, limits, deadline, set)
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
    let request = with_deflate_offer(request, &config);
    let (response, leftover) = exchange(&mut stream, &url, &request, limits, deadline, None)?;
    let deflate = deflate_agreed(&config, &response)?;
    let ws = WebSocket::from_raw_socket(stream, Role::Client, config, response.protocol, leftover);
    Ok(match deflate {
        Some(params) => ws.with_permessage_deflate(params),
        None => ws,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7230 §3.2 (via RFC 6455 §4.1): a value with CR/LF would inject
    // header lines; it is refused before any socket is opened (port 9 is
    // never contacted, so the error cannot be a connection failure).
    #[test]
    fn header_injection_is_refused_before_connecting() {
        let err = connect("ws://127.0.0.1:9/")
            .header("X-Token", "a\r\nEvil: 1")
            .connect()
            .expect_err("injected header");
        assert!(matches!(err, Error::Usage(_)), "{err:?}");
        let err = connect("ws://127.0.0.1:9/")
            .protocol("two words")
            .connect()
            .expect_err("bad sub-protocol");
        assert!(matches!(err, Error::Usage(_)), "{err:?}");
    }

    #[test]
    fn tcp_connect_sets_nodelay_and_respects_the_deadline() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let url = WsUrl::parse(&format!("ws://127.0.0.1:{port}/")).expect("url");
        let far = Instant::now() + Duration::from_secs(10);
        let tcp = tcp_connect(&url, far).expect("connects");
        assert!(tcp.nodelay().expect("nodelay"));
        // No time left: a timeout, without trying the (listening) address.
        let err = tcp_connect(&url, Instant::now()).expect_err("no time left");
        assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    }

    #[test]
    fn handshake_on_a_stream_validates_the_request_too() {
        let request = ClientRequest {
            headers: vec![("X-Token".into(), "a\nb".into())],
            ..ClientRequest::default()
        };
        let mut stream = std::io::Cursor::new(Vec::new());
        let err = client_handshake(&mut stream, "ws://127.0.0.1:9/", &request)
            .expect_err("injected header");
        assert!(matches!(err, Error::Usage(_)), "{err:?}");
        assert!(stream.get_ref().is_empty(), "nothing was written");
    }
}
