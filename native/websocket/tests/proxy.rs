//! The blocking client through real proxies on loopback: tinyproxy (HTTP
//! CONNECT, RFC 9110 §9.3.6, Basic auth), tinyproxy behind stunnel4 (an
//! `https://` proxy: TLS to the proxy) and microsocks (SOCKS5, RFC 1928,
//! username/password per RFC 1929), `ws://` and `wss://`, and each way a
//! proxy can fail.

mod common;

use common::certs::Ca;
use common::proxies::{free_port, ProxyServer};
use common::{echo, spawn_raw, spawn_ws};
use devian_websocket::{connect, tls, CloseCode, Error, Message, Proxy, ProxySetting, TlsOptions};
use std::time::{Duration, Instant};

const AUTH: Option<(&str, &str)> = Some(("alice", "s3cret"));

fn proxy(url: &str) -> ProxySetting {
    ProxySetting::Use(Proxy::parse(url).expect("proxy URL"))
}

/// Echoes `sizes` through `setting` to a fresh server (TLS with a test CA if `secure`).
fn echo_through(setting: ProxySetting, secure: bool, host: &str, sizes: &[usize]) {
    echo_through_trusting(setting, secure, host, sizes, &Ca::new(), None)
}

/// [`echo_through`] with the server's CA `ca`, also trusting `proxy_ca` (an
/// `https://` proxy's).
fn echo_through_trusting(
    setting: ProxySetting,
    secure: bool,
    host: &str,
    sizes: &[usize],
    ca: &Ca,
    proxy_ca: Option<&Ca>,
) {
    let tls_server = secure.then(|| {
        let leaf = ca.leaf(&["localhost", "127.0.0.1"], false);
        tls::server_config(leaf.chain_pem.as_bytes(), leaf.key_pem.as_bytes())
            .expect("server config")
    });
    let server = spawn_ws(1, tls_server, &[], echo);
    let scheme = if secure { "wss" } else { "ws" };
    let url = format!("{scheme}://{host}:{}/", server.addr.port());
    let mut builder = connect(url)
        .proxy(setting)
        .connect_timeout(Duration::from_secs(10));
    let mut roots = Vec::new();
    if secure {
        roots.push(ca.pem.clone().into_bytes());
    }
    if let Some(proxy_ca) = proxy_ca {
        roots.push(proxy_ca.pem.clone().into_bytes());
    }
    if !roots.is_empty() {
        builder = builder.tls(TlsOptions {
            extra_roots_pem: roots,
            ..TlsOptions::default()
        });
    }
    let mut ws = builder.connect().expect("connect through the proxy");
    for &size in sizes {
        let payload: Vec<u8> = (0..size).map(|i| (i * 7 + size) as u8).collect();
        ws.send(Message::Binary(payload.clone())).expect("send");
        match ws.read().expect("echo") {
            Message::Binary(got) => assert!(got == payload, "{size} bytes echoed intact"),
            other => panic!("unexpected {other:?}"),
        }
    }
    ws.close(CloseCode::NORMAL, "bye").expect("close");
    while ws.read().is_ok() {}
    server.join();
}

const SIZES: [usize; 5] = [0, 125, 65_536, 1 << 20, 16 << 20];

#[test]
fn ws_through_http_connect_with_basic_auth_up_to_16_mib() {
    let p = ProxyServer::tinyproxy(0, AUTH, &[]);
    echo_through(proxy(&p.url("http", AUTH)), false, "127.0.0.1", &SIZES);
}

#[test]
fn wss_through_http_connect_tunnels_tls_end_to_end() {
    let p = ProxyServer::tinyproxy(0, None, &[]);
    echo_through(proxy(&p.url("http", None)), true, "localhost", &SIZES);
}

/// tinyproxy (with `auth`) behind stunnel4: an `https://` proxy whose
/// certificate, for "localhost" and 127.0.0.1, a fresh CA signs.
fn https_proxy(auth: Option<(&str, &str)>) -> (Ca, ProxyServer, ProxyServer) {
    let ca = Ca::new();
    let leaf = ca.leaf(&["localhost", "127.0.0.1"], false);
    let backend = ProxyServer::tinyproxy(0, auth, &[]);
    let front = ProxyServer::tls_front(&backend, &leaf.chain_pem, &leaf.key_pem);
    (ca, front, backend)
}

#[test]
fn ws_through_an_https_proxy_with_basic_auth_up_to_16_mib() {
    let (proxy_ca, front, _backend) = https_proxy(AUTH);
    let url = front.url("https", AUTH).replace("127.0.0.1", "localhost");
    echo_through_trusting(
        proxy(&url),
        false,
        "127.0.0.1",
        &SIZES,
        &Ca::new(),
        Some(&proxy_ca),
    );
}

#[test]
fn wss_through_an_https_proxy_nests_the_servers_tls_in_the_proxys() {
    let (proxy_ca, front, _backend) = https_proxy(None);
    let setting = proxy(&front.url("https", None));
    echo_through_trusting(
        setting,
        true,
        "localhost",
        &SIZES,
        &Ca::new(),
        Some(&proxy_ca),
    );
}

#[test]
fn an_https_proxy_with_an_untrusted_certificate_is_refused() {
    let (_proxy_ca, front, _backend) = https_proxy(None);
    // Refused at the proxy's TLS handshake, before any tunnel is asked for.
    let err = connect(format!("ws://127.0.0.1:{}/", free_port()))
        .proxy(proxy(&front.url("https", None)))
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .expect_err("the proxy's certificate is not trusted");
    assert!(
        matches!(
            err,
            Error::Tls(devian_websocket::protocol::error::TlsError::UnknownIssuer)
        ),
        "{err:?}"
    );
}

#[test]
fn ws_and_wss_through_socks5_without_auth() {
    let p = ProxyServer::microsocks(0, None);
    echo_through(proxy(&p.url("socks5", None)), false, "127.0.0.1", &SIZES);
    echo_through(
        proxy(&p.url("socks5", None)),
        true,
        "localhost",
        &[0, 65_536],
    );
}

// socks5h: the proxy resolves "localhost" (a domain address, RFC 1928 §5 ATYP 3).
#[test]
fn wss_through_socks5h_with_username_and_password() {
    let p = ProxyServer::microsocks(0, AUTH);
    echo_through(proxy(&p.url("socks5h", AUTH)), true, "localhost", &SIZES);
}

// RFC 1928 §5 ATYP 4: an IPv6 target, when the machine has IPv6 loopback.
#[test]
fn socks5_carries_an_ipv6_target() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("no IPv6 loopback here: the IPv6 address form is covered by the unit tests only");
        return;
    }
    let listener = std::net::TcpListener::bind("[::1]:0").expect("bind ::1");
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().expect("accept");
        let stream = devian_websocket::MaybeTlsStream::Plain(tcp);
        let mut ws = devian_websocket::WebSocketUpgrade::handshake(
            stream,
            &Default::default(),
            Default::default(),
            |_| None,
        )
        .expect("handshake");
        let _ = echo(&mut ws);
    });
    let p = ProxyServer::microsocks(0, None);
    let mut ws = connect(format!("ws://[::1]:{port}/"))
        .proxy(proxy(&p.url("socks5", None)))
        .connect()
        .expect("connect to [::1] through SOCKS5");
    ws.send(Message::text("v6")).unwrap();
    assert_eq!(ws.read().unwrap(), Message::text("v6"));
    ws.close(CloseCode::NORMAL, "").unwrap();
    while ws.read().is_ok() {}
    handle.join().unwrap();
}

fn connect_error(setting: ProxySetting, url: &str, timeout: Duration) -> Error {
    connect_error_trusting(setting, url, timeout, TlsOptions::default())
}

fn connect_error_trusting(
    setting: ProxySetting,
    url: &str,
    timeout: Duration,
    tls: TlsOptions,
) -> Error {
    connect(url)
        .proxy(setting)
        .tls(tls)
        .connect_timeout(timeout)
        .connect()
        .expect_err("must fail")
}

#[test]
fn wrong_credentials_are_a_clear_proxy_error_without_the_secret() {
    let http = ProxyServer::tinyproxy(0, AUTH, &[]);
    let socks = ProxyServer::microsocks(0, AUTH);
    let (proxy_ca, https, _backend) = https_proxy(AUTH);
    let target = "ws://127.0.0.1:9/";
    for (setting, want) in [
        (
            proxy(&http.url("http", Some(("alice", "wrong-pw")))),
            "authentication failed",
        ),
        (proxy(&http.url("http", None)), "authentication required"),
        (
            proxy(&socks.url("socks5", Some(("alice", "wrong-pw")))),
            "authentication failed",
        ),
        (proxy(&socks.url("socks5", None)), "requires authentication"),
        (
            proxy(&https.url("https", Some(("alice", "wrong-pw")))),
            "authentication failed",
        ),
    ] {
        let tls = TlsOptions {
            extra_roots_pem: vec![proxy_ca.pem.clone().into_bytes()],
            ..TlsOptions::default()
        };
        let e = connect_error_trusting(setting, target, Duration::from_secs(5), tls);
        let text = e.to_string();
        assert!(
            matches!(e, Error::Proxy(_)) && text.contains(want),
            "{text}"
        );
        assert!(
            !text.contains("wrong-pw") && !text.contains("s3cret"),
            "secret leaked: {text}"
        );
    }
}

#[test]
fn a_proxy_that_refuses_the_port_or_cannot_reach_it_says_so() {
    // tinyproxy allows CONNECT to port 443 only: 403.
    let only_443 = ProxyServer::tinyproxy(0, None, &[443]);
    let server = spawn_ws(1, None, &[], echo);
    let target = format!("ws://127.0.0.1:{}/", server.addr.port());
    let e = connect_error(
        proxy(&only_443.url("http", None)),
        &target,
        Duration::from_secs(5),
    );
    assert!(
        matches!(&e, Error::Proxy(t) if t.contains("refused CONNECT")),
        "{e}"
    );
    drop(server);
    // Nothing listens on the target: tinyproxy answers 500, SOCKS5 replies 5 (refused).
    let closed = format!("ws://127.0.0.1:{}/", free_port());
    let http = ProxyServer::tinyproxy(0, None, &[]);
    let e = connect_error(
        proxy(&http.url("http", None)),
        &closed,
        Duration::from_secs(5),
    );
    assert!(matches!(&e, Error::Proxy(t) if t.contains("HTTP 5")), "{e}");
    let socks = ProxyServer::microsocks(0, None);
    let e = connect_error(
        proxy(&socks.url("socks5", None)),
        &closed,
        Duration::from_secs(5),
    );
    assert!(matches!(&e, Error::Proxy(t) if t.contains("SOCKS5")), "{e}");
}

#[test]
fn a_proxy_that_is_down_is_a_proxy_error() {
    let down = format!("http://127.0.0.1:{}", free_port());
    let e = connect_error(proxy(&down), "ws://127.0.0.1:9/", Duration::from_secs(5));
    assert!(
        matches!(&e, Error::Proxy(t) if t.contains("cannot reach proxy")),
        "{e}"
    );
}

// A proxy that accepts and then says nothing: bounded by connect_timeout.
#[test]
fn a_stalled_proxy_handshake_times_out_within_connect_timeout() {
    for scheme in ["http", "https", "socks5"] {
        let stall = spawn_raw(1, |tcp| {
            std::thread::sleep(Duration::from_secs(4));
            drop(tcp);
        });
        let setting = proxy(&format!("{scheme}://127.0.0.1:{}", stall.addr.port()));
        let started = Instant::now();
        let e = connect_error(setting, "ws://127.0.0.1:9/", Duration::from_millis(700));
        assert!(matches!(e, Error::Timeout(_)), "{scheme}: {e}");
        // A hang check, not a benchmark: well under the proxy's 4 s silence.
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{scheme}: {:?}",
            started.elapsed()
        );
        stall.join();
    }
}

#[test]
fn direct_is_the_default_whatever_the_environment_says() {
    assert_eq!(ProxySetting::default(), ProxySetting::Direct);
}
