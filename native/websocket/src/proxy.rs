//! Reaching the server through a proxy: an HTTP `CONNECT` tunnel (RFC 9110
//! §9.3.6) or SOCKS5 (RFC 1928, username/password per RFC 1929).
//!
//! [`connect_via`] opens TCP to the proxy (and TLS to it, for an `https://`
//! proxy) and asks it for a tunnel to the target; what it returns is a stream
//! to the target, on which TLS (for `wss://`, nested inside the proxy's TLS
//! when there is one) and the WebSocket upgrade then run unchanged. The whole
//! exchange is bounded by the caller's connect deadline.
//!
//! Credentials never leave this module in text: [`Proxy`]'s `Debug` and
//! `Display` show `***`, and errors name the proxy's host, not its URL.

use crate::client::{remaining_for, resolve, resolve_and_connect};
use crate::head::read_head;
use crate::stream::{DeadlineIo, MaybeTlsStream};
use crate::tls::{self, TlsOptions};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use devian_ws_protocol::handshake::HandshakeLimits;
use devian_ws_protocol::{Error, Result, WsUrl};
use std::fmt;
use std::io::{Read, Write};
use std::net::{IpAddr, TcpStream};
use std::time::Instant;

/// How to talk to the proxy.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ProxyKind {
    /// HTTP `CONNECT` over plain TCP to the proxy (`http://`).
    HttpConnect,
    /// HTTP `CONNECT` over TLS to the proxy (`https://`); for `wss://` the
    /// server's TLS then runs inside the proxy's.
    HttpsConnect,
    /// SOCKS5, the target name resolved here (`socks5://`).
    Socks5,
    /// SOCKS5, the target name resolved by the proxy (`socks5h://`).
    Socks5RemoteDns,
}

/// A proxy: where it is, how to talk to it, and optional credentials.
///
/// Parsed from `http://[user:pass@]host:port`, `https://…`, `socks5://…` or
/// `socks5h://…` (user and password percent-decoded).
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    kind: ProxyKind,
    host: String,
    port: u16,
    credentials: Option<(String, String)>,
}

impl Proxy {
    /// Parses a proxy URL (see the type's docs). The port defaults to 8080
    /// for `http://`, 443 for `https://` and 1080 for SOCKS5.
    pub fn parse(url: &str) -> Result<Proxy> {
        let bad = |why: &str| Error::Url(format!("proxy URL: {why}"));
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("expected scheme://host:port"))?;
        let (kind, default_port) = match scheme.to_ascii_lowercase().as_str() {
            "http" => (ProxyKind::HttpConnect, 8080),
            "socks5" => (ProxyKind::Socks5, 1080),
            "https" => (ProxyKind::HttpsConnect, 443),
            "socks5h" => (ProxyKind::Socks5RemoteDns, 1080),
            _ => return Err(bad("the scheme must be http, https, socks5 or socks5h")),
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let credentials = match userinfo {
            Some(u) => {
                let (user, pass) = u.split_once(':').unwrap_or((u, ""));
                Some((percent_decode(user)?, percent_decode(pass)?))
            }
            None => None,
        };
        let (host, port) =
            split_host_port(hostport, default_port).ok_or_else(|| bad("bad host or port"))?;
        if host.is_empty() {
            return Err(bad("no host"));
        }
        if let Some((user, pass)) = &credentials {
            // RFC 1929: each is 1..=255 bytes.
            let socks = matches!(kind, ProxyKind::Socks5 | ProxyKind::Socks5RemoteDns);
            if socks && (user.is_empty() || user.len() > 255 || pass.len() > 255) {
                return Err(bad("SOCKS5 user and password must be 1..=255 bytes"));
            }
        }
        Ok(Proxy {
            kind,
            host,
            port,
            credentials,
        })
    }

    /// The proxy the environment names for `target`, by the common
    /// conventions: `HTTPS_PROXY` for `wss://`, `HTTP_PROXY` for `ws://`
    /// (lower-case names too), else `ALL_PROXY`; none if `NO_PROXY` lists
    /// the target's host (`*`, a name, or a `.suffix` / `suffix` matching it
    /// and its subdomains). `Ok(None)`: no proxy.
    pub fn from_env(target: &WsUrl) -> Result<Option<Proxy>> {
        Proxy::from_vars(target, &|name| std::env::var(name).ok())
    }

    /// [`Proxy::from_env`] over any variable lookup.
    fn from_vars(target: &WsUrl, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Option<Proxy>> {
        let var = |name: &str| {
            lookup(name)
                .or_else(|| lookup(&name.to_ascii_lowercase()))
                .filter(|v| !v.trim().is_empty())
        };
        if let Some(no_proxy) = var("NO_PROXY") {
            if no_proxy_matches(&no_proxy, &target.host) {
                return Ok(None);
            }
        }
        let scheme_var = if target.secure {
            "HTTPS_PROXY"
        } else {
            "HTTP_PROXY"
        };
        match var(scheme_var).or_else(|| var("ALL_PROXY")) {
            Some(url) => Proxy::parse(url.trim()).map(Some),
            None => Ok(None),
        }
    }

    /// How this proxy is spoken to.
    pub fn kind(&self) -> ProxyKind {
        self.kind
    }

    /// The proxy's host name or address (IPv6 without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }
}

// Never print the credentials.
impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.kind {
            ProxyKind::HttpConnect => "http",
            ProxyKind::HttpsConnect => "https",
            ProxyKind::Socks5 => "socks5",
            ProxyKind::Socks5RemoteDns => "socks5h",
        };
        let auth = if self.credentials.is_some() {
            "***@"
        } else {
            ""
        };
        write!(f, "{scheme}://{auth}{}:{}", self.host, self.port)
    }
}

/// Which proxy a connection uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ProxySetting {
    /// No proxy, whatever the environment says (the default).
    #[default]
    Direct,
    /// This proxy.
    Use(Proxy),
    /// The one the environment names ([`Proxy::from_env`]), looked up at
    /// each connect; direct if none.
    FromEnvironment,
}

impl ProxySetting {
    /// The proxy to use for `target`, if any.
    pub fn resolve(&self, target: &WsUrl) -> Result<Option<Proxy>> {
        match self {
            ProxySetting::Direct => Ok(None),
            ProxySetting::Use(p) => Ok(Some(p.clone())),
            ProxySetting::FromEnvironment => Proxy::from_env(target),
        }
    }
}

/// Opens a connection to `target` through `proxy` (directly if `None`), all
/// within `deadline`. The stream is ready for TLS to the server and the
/// upgrade: plain TCP, or for an `https://` proxy the TLS session with the
/// proxy, whose certificate is checked against `proxy_tls`' roots (its
/// certificate pins are the server's and do not apply to the proxy).
pub fn connect_via(
    proxy: Option<&Proxy>,
    target: &WsUrl,
    proxy_tls: &TlsOptions,
    deadline: Instant,
) -> Result<MaybeTlsStream> {
    let Some(proxy) = proxy else {
        return resolve_and_connect(&target.host, target.port, deadline).map(MaybeTlsStream::Plain);
    };
    let tcp = resolve_and_connect(&proxy.host, proxy.port, deadline).map_err(|e| match e {
        Error::Io(io) => Error::Proxy(format!(
            "cannot reach proxy {}:{}: {io}",
            proxy.host, proxy.port
        )),
        other => other,
    })?;
    let stream = match proxy.kind {
        ProxyKind::HttpsConnect => {
            let config = tls::client_config(&TlsOptions {
                pinned_sha256: Vec::new(),
                ..proxy_tls.clone()
            })?;
            let mut s = tls::connect_tcp(tcp, &proxy.host, config, deadline)?;
            let mut io = DeadlineIo::new(&s.sock, deadline);
            let mut through = rustls::Stream::new(&mut s.conn, &mut io);
            http_connect(&mut through, proxy, target, deadline)?;
            MaybeTlsStream::Tls(s)
        }
        ProxyKind::HttpConnect => {
            http_connect(
                &mut DeadlineIo::new(&tcp, deadline),
                proxy,
                target,
                deadline,
            )?;
            MaybeTlsStream::Plain(tcp)
        }
        ProxyKind::Socks5 | ProxyKind::Socks5RemoteDns => {
            let mut tcp = tcp;
            socks5(&mut tcp, proxy, target, deadline)?;
            MaybeTlsStream::Plain(tcp)
        }
    };
    stream.tcp().set_read_timeout(None)?;
    stream.tcp().set_write_timeout(None)?;
    Ok(stream)
}

/// The authority `host:port` of the target, IPv6 in brackets.
fn authority(target: &WsUrl) -> String {
    let host = target.host.trim_matches(['[', ']']);
    if host.contains(':') {
        format!("[{host}]:{}", target.port)
    } else {
        format!("{host}:{}", target.port)
    }
}

/// RFC 9110 §9.3.6: `CONNECT host:port`, then any 2xx opens the tunnel.
/// `io` bounds every read and write by `deadline`.
fn http_connect(
    io: &mut (impl Read + Write),
    proxy: &Proxy,
    target: &WsUrl,
    deadline: Instant,
) -> Result<()> {
    let authority = authority(target);
    let mut request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some((user, pass)) = &proxy.credentials {
        let token = BASE64.encode(format!("{user}:{pass}"));
        request.push_str(&format!("Proxy-Authorization: Basic {token}\r\n"));
    }
    request.push_str("\r\n");
    io.write_all(request.as_bytes())
        .and_then(|()| io.flush())
        .map_err(|e| stalled(e, "proxy CONNECT"))?;
    let (status, leftover) = read_head(
        io,
        &HandshakeLimits::default(),
        deadline,
        None,
        parse_status,
    )
    .map_err(|e| match e {
        Error::Timeout(_) => Error::Timeout("proxy CONNECT"),
        // Over TLS a proxy that hangs up is an unexpected end of stream.
        Error::Handshake(_) | Error::Io(_) => {
            Error::Proxy("the proxy closed or sent no valid HTTP answer to CONNECT".into())
        }
        other => other,
    })?;
    match status {
        200..=299 if leftover.is_empty() => Ok(()),
        200..=299 => Err(Error::Proxy(
            "the proxy sent data before the tunnel was used".into(),
        )),
        // 407 is the standard answer; some proxies (tinyproxy) answer 401.
        401 | 407 => Err(Error::Proxy(if proxy.credentials.is_some() {
            format!("HTTP {status}: proxy authentication failed (wrong user or password)")
        } else {
            format!("HTTP {status}: proxy authentication required (give user:password in the proxy URL)")
        })),
        other => Err(Error::Proxy(format!(
            "the proxy refused CONNECT to {authority}: HTTP {other}"
        ))),
    }
}

/// The status code once the whole response head is in `buf`.
fn parse_status(buf: &[u8]) -> Result<Option<(u16, usize)>> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = std::str::from_utf8(&buf[..end])
        .map_err(|_| Error::Proxy("non-UTF-8 answer to CONNECT".into()))?;
    let status_line = head.lines().next().unwrap_or_default();
    let mut parts = status_line.split(' ');
    let version = parts.next().unwrap_or_default();
    let code = parts.next().and_then(|c| c.parse::<u16>().ok());
    match code {
        Some(code) if version.starts_with("HTTP/1.") => Ok(Some((code, end + 4))),
        _ => Err(Error::Proxy(
            "malformed status line in the answer to CONNECT".into(),
        )),
    }
}

/// RFC 1928 (and RFC 1929 for a user and password).
fn socks5(tcp: &mut TcpStream, proxy: &Proxy, target: &WsUrl, deadline: Instant) -> Result<()> {
    const VERSION: u8 = 5;
    const NO_AUTH: u8 = 0;
    const USER_PASS: u8 = 2;
    let method = if proxy.credentials.is_some() {
        USER_PASS
    } else {
        NO_AUTH
    };
    write_all_by(tcp, &[VERSION, 1, method], deadline)?;
    let mut choice = [0u8; 2];
    read_exact_by(tcp, &mut choice, deadline)?;
    if choice[0] != VERSION {
        return Err(Error::Proxy("not a SOCKS5 proxy".into()));
    }
    match (choice[1], &proxy.credentials) {
        (NO_AUTH, _) => {}
        (USER_PASS, Some((user, pass))) => {
            let mut auth = vec![1, user.len() as u8];
            auth.extend_from_slice(user.as_bytes());
            auth.push(pass.len() as u8);
            auth.extend_from_slice(pass.as_bytes());
            write_all_by(tcp, &auth, deadline)?;
            let mut status = [0u8; 2];
            read_exact_by(tcp, &mut status, deadline)?;
            if status[1] != 0 {
                return Err(Error::Proxy(
                    "SOCKS5 authentication failed (wrong user or password)".into(),
                ));
            }
        }
        (0xff, None) => {
            return Err(Error::Proxy(
                "the SOCKS5 proxy requires authentication (give user:password in the proxy URL)"
                    .into(),
            ))
        }
        _ => {
            return Err(Error::Proxy(
                "the SOCKS5 proxy offered no acceptable authentication method".into(),
            ))
        }
    }

    let mut request = vec![VERSION, 1 /* CONNECT */, 0];
    let host = target.host.trim_matches(['[', ']']);
    let ip = match host.parse::<IpAddr>() {
        Ok(ip) => Some(ip),
        Err(_) if proxy.kind == ProxyKind::Socks5 => {
            Some(resolve_local(host, target.port, deadline)?)
        }
        Err(_) => None,
    };
    match ip {
        Some(IpAddr::V4(v4)) => {
            request.push(1);
            request.extend_from_slice(&v4.octets());
        }
        Some(IpAddr::V6(v6)) => {
            request.push(4);
            request.extend_from_slice(&v6.octets());
        }
        None => {
            if host.len() > 255 {
                return Err(Error::Url(
                    "host name longer than 255 bytes for SOCKS5".into(),
                ));
            }
            request.push(3);
            request.push(host.len() as u8);
            request.extend_from_slice(host.as_bytes());
        }
    }
    request.extend_from_slice(&target.port.to_be_bytes());
    write_all_by(tcp, &request, deadline)?;

    let mut reply = [0u8; 4];
    read_exact_by(tcp, &mut reply, deadline)?;
    if reply[0] != VERSION {
        return Err(Error::Proxy("malformed SOCKS5 reply".into()));
    }
    if reply[1] != 0 {
        return Err(Error::Proxy(format!(
            "the SOCKS5 proxy refused: {}",
            socks5_reply(reply[1])
        )));
    }
    // The bound address, which we do not need, still has to be read.
    let addr_len = match reply[3] {
        1 => 4,
        4 => 16,
        3 => {
            let mut len = [0u8; 1];
            read_exact_by(tcp, &mut len, deadline)?;
            usize::from(len[0])
        }
        _ => return Err(Error::Proxy("malformed SOCKS5 reply address".into())),
    };
    let mut bound = vec![0u8; addr_len + 2];
    read_exact_by(tcp, &mut bound, deadline)
}

/// RFC 1928 §6 reply codes.
fn socks5_reply(code: u8) -> &'static str {
    match code {
        1 => "general failure",
        2 => "connection not allowed by ruleset",
        3 => "network unreachable",
        4 => "host unreachable",
        5 => "connection refused by the target",
        6 => "TTL expired",
        7 => "command not supported",
        8 => "address type not supported",
        _ => "unknown reply code",
    }
}

/// `socks5://`: the name is resolved here (under the connect deadline, like
/// any lookup), and the first address is sent.
fn resolve_local(host: &str, port: u16, deadline: Instant) -> Result<IpAddr> {
    resolve(host, port, deadline)?
        .first()
        .map(|a| a.ip())
        .ok_or_else(|| Error::Url(format!("{host:?} resolved to no address")))
}

fn write_all_by(tcp: &mut TcpStream, bytes: &[u8], deadline: Instant) -> Result<()> {
    tcp.set_write_timeout(Some(remaining_for(deadline, "proxy handshake")?))?;
    tcp.write_all(bytes)
        .map_err(|e| stalled(e, "proxy handshake"))
}

fn read_exact_by(tcp: &mut TcpStream, buf: &mut [u8], deadline: Instant) -> Result<()> {
    let mut filled = 0;
    while filled < buf.len() {
        tcp.set_read_timeout(Some(remaining_for(deadline, "proxy handshake")?))?;
        match tcp.read(&mut buf[filled..]) {
            Ok(0) => {
                return Err(Error::Proxy(
                    "the proxy closed the connection during its handshake".into(),
                ))
            }
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(stalled(e, "proxy handshake")),
        }
    }
    Ok(())
}

fn stalled(e: std::io::Error, what: &'static str) -> Error {
    if crate::stream::is_timeout(&e) {
        Error::Timeout(what)
    } else {
        Error::Io(e)
    }
}

fn split_host_port(hostport: &str, default_port: u16) -> Option<(String, u16)> {
    if let Some(rest) = hostport.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok().filter(|&p| p != 0)?,
            None if after.is_empty() => default_port,
            None => return None,
        };
        return Some((host.to_owned(), port));
    }
    match hostport.rsplit_once(':') {
        Some((host, port)) => Some((
            host.to_ascii_lowercase(),
            port.parse().ok().filter(|&p| p != 0)?,
        )),
        None => Some((hostport.to_ascii_lowercase(), default_port)),
    }
}

fn percent_decode(s: &str) -> Result<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| {
                    Error::Url("proxy URL: bad percent-encoding in the credentials".into())
                })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| Error::Url("proxy URL: credentials are not UTF-8".into()))
}

/// Whether a `NO_PROXY` list exempts `host`.
fn no_proxy_matches(list: &str, host: &str) -> bool {
    let host = host.trim_matches(['[', ']']).to_ascii_lowercase();
    list.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| {
            let entry = entry.to_ascii_lowercase();
            let entry = entry
                .split_once(':')
                .map_or(entry.as_str(), |(h, _)| h)
                .trim_start_matches('.');
            entry == "*" || host == entry || host.ends_with(&format!(".{entry}"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls_parse_with_defaults_and_credentials() {
        let p = Proxy::parse("http://proxy.example:3128").unwrap();
        assert_eq!(
            (p.kind, p.host.as_str(), p.port),
            (ProxyKind::HttpConnect, "proxy.example", 3128)
        );
        let p = Proxy::parse("socks5h://us%40er:p%3Ass@[::1]").unwrap();
        assert_eq!(
            (p.kind, p.host.as_str(), p.port),
            (ProxyKind::Socks5RemoteDns, "::1", 1080)
        );
        assert_eq!(p.credentials, Some(("us@er".into(), "p:ss".into())));
        assert_eq!(Proxy::parse("socks5://10.0.0.1").unwrap().port, 1080);
        assert_eq!(Proxy::parse("http://h").unwrap().port, 8080);
        let p = Proxy::parse("HTTPS://u:p@h").unwrap();
        assert_eq!((p.kind, p.port), (ProxyKind::HttpsConnect, 443));
        assert_eq!(p.to_string(), "https://***@h:443");
        for bad in [
            "proxy:8080",
            "ftp://h:1",
            "http://:80",
            "http://h:0",
            "http://h:x",
        ] {
            assert!(matches!(Proxy::parse(bad), Err(Error::Url(_))), "{bad}");
        }
    }

    #[test]
    fn credentials_never_print() {
        let p = Proxy::parse("http://alice:s3cret@proxy:3128").unwrap();
        for text in [format!("{p}"), format!("{p:?}")] {
            assert!(
                !text.contains("s3cret") && !text.contains("alice"),
                "{text}"
            );
            assert_eq!(text, "http://***@proxy:3128");
        }
    }

    #[test]
    fn no_proxy_matches_names_suffixes_and_star() {
        assert!(no_proxy_matches(
            "localhost, .corp.example",
            "a.corp.example"
        ));
        assert!(no_proxy_matches("corp.example", "corp.example"));
        assert!(no_proxy_matches("corp.example", "x.corp.example"));
        assert!(!no_proxy_matches("corp.example", "notcorp.example"));
        assert!(no_proxy_matches("*", "anything"));
        assert!(no_proxy_matches("127.0.0.1:8080", "127.0.0.1"));
        assert!(!no_proxy_matches("", "h"));
    }

    #[test]
    fn the_environment_picks_by_scheme_and_honours_no_proxy() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let ws = WsUrl::parse("ws://game.example:9000/").unwrap();
        let wss = WsUrl::parse("wss://game.example/").unwrap();
        let env = vars(&[
            ("HTTP_PROXY", "http://p1:3128"),
            ("https_proxy", "socks5h://p2:1080"),
        ]);
        assert_eq!(
            Proxy::from_vars(&ws, &env).unwrap().unwrap().to_string(),
            "http://p1:3128"
        );
        assert_eq!(
            Proxy::from_vars(&wss, &env).unwrap().unwrap().to_string(),
            "socks5h://p2:1080"
        );
        let all = vars(&[
            ("ALL_PROXY", "socks5://p3:1080"),
            ("NO_PROXY", "localhost,.example"),
        ]);
        assert_eq!(
            Proxy::from_vars(&ws, &all).unwrap(),
            None,
            "NO_PROXY lists it"
        );
        let local = WsUrl::parse("ws://127.0.0.1:1/").unwrap();
        assert_eq!(
            Proxy::from_vars(&local, &all).unwrap().unwrap().to_string(),
            "socks5://p3:1080"
        );
        assert_eq!(Proxy::from_vars(&ws, &vars(&[])).unwrap(), None);
        assert!(Proxy::from_vars(&ws, &vars(&[("HTTP_PROXY", "nonsense")])).is_err());
    }

    #[test]
    fn connect_status_lines() {
        assert_eq!(
            parse_status(b"HTTP/1.1 200 Connection established\r\n\r\n").unwrap(),
            Some((200, 39))
        );
        assert_eq!(
            parse_status(b"HTTP/1.0 407 Auth\r\nProxy-Authenticate: Basic\r\n\r\n")
                .unwrap()
                .unwrap()
                .0,
            407
        );
        assert_eq!(parse_status(b"HTTP/1.1 200 OK\r\n").unwrap(), None);
        assert!(parse_status(b"SSH-2.0-x\r\n\r\n").is_err());
    }
}
