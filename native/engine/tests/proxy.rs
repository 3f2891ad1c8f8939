//! The engine through real proxies on loopback (tinyproxy for HTTP CONNECT,
//! tinyproxy behind stunnel4 for an `https://` proxy, microsocks for
//! SOCKS5): traffic, keep-alive, and reconnect through a proxy that goes
//! down and comes back.

mod common;

#[path = "../../websocket/tests/common/proxies.rs"]
mod proxies;

use common::*;
use devian_ws_engine::{Client, CloseCode, Event, MessageKind, Proxy, ProxySetting};
use proxies::ProxyServer;
use std::sync::Arc;
use std::time::Duration;

const AUTH: Option<(&str, &str)> = Some(("bob", "pa55"));

fn through(url: &str) -> ProxySetting {
    ProxySetting::Use(Proxy::parse(url).expect("proxy URL"))
}

#[test]
fn messages_and_keepalive_flow_through_an_http_connect_proxy() {
    let server = Server::start(echo);
    let p = ProxyServer::tinyproxy(0, AUTH, &[]);
    let mut cfg = config(&server.url());
    cfg.proxy = through(&p.url("http", AUTH));
    cfg.keepalive.ping_interval = Some(Duration::from_millis(50));
    let client = Client::connect(cfg).unwrap();
    wait_open(&client);
    for i in 0..100u32 {
        client
            .send(MessageKind::Binary, &i.to_le_bytes().repeat(i as usize))
            .unwrap();
    }
    let got = receive_n(&client, 100);
    for (i, m) in got.iter().enumerate() {
        assert_eq!(m, &(i as u32).to_le_bytes().repeat(i), "message {i}");
    }
    // Pings answered through the tunnel: the RTT is measured.
    wait_until(|| client.stats().last_rtt_us > 0);
    client.close(CloseCode::NORMAL, "").unwrap();
    let closed = wait_closed(&client, |_| {});
    assert!(closed.was_clean, "{closed:?}");
}

/// Through tinyproxy behind stunnel4 (TLS to the proxy), to a `ws://` or a
/// `wss://` server; the latter nests the server's TLS in the proxy's, so
/// every frame and keep-alive ping crosses two sessions each way while a
/// second thread sends.
fn echo_through_an_https_proxy(secure: bool) {
    let (server_ca, proxy_ca) = (certs::Ca::new(), certs::Ca::new());
    let leaf = server_ca.leaf(&["localhost", "127.0.0.1"], false);
    let opts = ServerOptions {
        tls: secure.then(|| (leaf.chain_pem.clone(), leaf.key_pem.clone())),
        ..Default::default()
    };
    let server = Server::start_with(opts, echo);
    let proxy_leaf = proxy_ca.leaf(&["localhost"], false);
    let backend = ProxyServer::tinyproxy(0, AUTH, &[]);
    let front = ProxyServer::tls_front(&backend, &proxy_leaf.chain_pem, &proxy_leaf.key_pem);
    let scheme = if secure { "wss" } else { "ws" };
    let mut cfg = config(&format!("{scheme}://127.0.0.1:{}/", server.addr.port()));
    cfg.proxy = through(&front.url("https", AUTH).replace("127.0.0.1", "localhost"));
    cfg.tls.extra_roots_pem = vec![
        server_ca.pem.clone().into_bytes(),
        proxy_ca.pem.clone().into_bytes(),
    ];
    cfg.tls.no_default_roots = true;
    cfg.keepalive.ping_interval = Some(Duration::from_millis(50));
    let client = Arc::new(Client::connect(cfg).unwrap());
    wait_open(&client);
    const N: usize = 300;
    let sender = {
        let c = Arc::clone(&client);
        std::thread::spawn(move || {
            for i in 0..N {
                let mut p = (i as u64).to_be_bytes().to_vec();
                p.resize(8 + (i * 7919) % 200_000, i as u8);
                while c.send(MessageKind::Binary, &p).is_err() {
                    c.wait_for_room(p.len(), Duration::from_millis(50));
                }
            }
        })
    };
    let got = receive_n(&client, N);
    sender.join().unwrap();
    for (i, m) in got.iter().enumerate() {
        assert_eq!(m[..8], (i as u64).to_be_bytes(), "message {i}");
        assert_eq!(m.len(), 8 + (i * 7919) % 200_000, "message {i}");
        assert!(m[8..].iter().all(|&b| b == i as u8), "message {i}");
    }
    wait_until(|| client.stats().last_rtt_us > 0);
    client.close(CloseCode::NORMAL, "").unwrap();
    let closed = wait_closed(&client, |_| {});
    assert!(closed.was_clean, "{closed:?}");
}

#[test]
fn ws_through_an_https_proxy() {
    echo_through_an_https_proxy(false);
}

#[test]
fn wss_through_an_https_proxy_runs_the_servers_tls_inside_the_proxys() {
    echo_through_an_https_proxy(true);
}

#[test]
fn reconnect_recovers_when_the_socks5_proxy_comes_back() {
    let server = Server::start(echo);
    let p = ProxyServer::microsocks(0, AUTH);
    let port = p.port;
    let mut cfg = config(&server.url());
    cfg.proxy = through(&p.url("socks5h", AUTH));
    let client = Client::connect(cfg).unwrap();
    wait_open(&client);
    client.send_text("before").unwrap();
    assert_eq!(receive_n(&client, 1), [b"before".to_vec()]);

    drop(p); // the tunnel dies with the proxy
    wait_event(&client, |e| matches!(e, Event::Reconnecting { .. }), |_| {});
    client.send_text("while down").unwrap(); // reconnect buffer
    std::thread::sleep(Duration::from_millis(300)); // some attempts fail against no proxy
    let _p = ProxyServer::microsocks(port, AUTH);
    wait_event(
        &client,
        |e| matches!(e, Event::Reconnected),
        |e| assert!(!matches!(e, Event::Closed { .. }), "gave up: {e:?}"),
    );
    assert_eq!(receive_n(&client, 1), [b"while down".to_vec()]);
}

#[test]
fn a_wrong_password_ends_in_a_proxy_error_event() {
    let p = ProxyServer::tinyproxy(0, AUTH, &[]);
    let mut cfg = config("ws://127.0.0.1:9/");
    cfg.proxy = through(&p.url("http", Some(("bob", "nope"))));
    cfg.reconnect.enabled = false;
    let client = Client::connect(cfg).unwrap();
    let mut errors = Vec::new();
    let closed = wait_closed(&client, |e| {
        if let Event::Error { kind, text } = e {
            errors.push((kind, text));
        }
    });
    assert_eq!(closed.code, CloseCode::ABNORMAL);
    assert!(
        errors
            .iter()
            .any(|(k, t)| *k == devian_ws_engine::ErrorKind::Proxy
                && t.contains("authentication failed")
                && !t.contains("nope")),
        "{errors:?}"
    );
}
