//! wss:// with certificates generated at test time: a trusted CA, and each
//! TLS failure users need to tell apart.

mod common;

use common::certs::{self, Ca};
use common::{echo, spawn_ws};
use devian_websocket::protocol::error::TlsError;
use devian_websocket::tls::{self, TlsOptions};
use devian_websocket::{connect, CloseCode, Error, Message};

/// Trust exactly `ca` (not the Mozilla roots).
fn trusting(ca: &Ca) -> TlsOptions {
    TlsOptions {
        extra_roots_pem: vec![ca.pem.clone().into_bytes()],
        no_default_roots: true,
        ..TlsOptions::default()
    }
}

fn tls_server(leaf: &certs::Leaf) -> std::sync::Arc<rustls::ServerConfig> {
    tls::server_config(leaf.chain_pem.as_bytes(), leaf.key_pem.as_bytes()).expect("server config")
}

#[test]
fn wss_echo_with_test_ca() {
    let ca = Ca::new();
    let leaf = ca.leaf(&["localhost"], false);
    let server = spawn_ws(1, Some(tls_server(&leaf)), &["chat"], echo);
    // "localhost" may resolve to ::1 first, where nothing listens: the
    // client must go on to 127.0.0.1.
    let mut ws = connect(format!("wss://localhost:{}/secure", server.addr.port()))
        .tls(trusting(&ca))
        .protocol("chat")
        .connect()
        .expect("wss connect");
    assert!(ws.get_ref().is_tls());
    assert_eq!(ws.protocol(), Some("chat"));
    ws.send(Message::text("over tls")).expect("send");
    assert_eq!(ws.read().expect("echo"), Message::text("over tls"));
    let big = vec![0xa5u8; 1 << 20];
    ws.send(Message::Binary(big.clone())).expect("send 1 MiB");
    assert_eq!(ws.read().expect("echo"), Message::Binary(big));
    ws.close(CloseCode::NORMAL, "tls bye").expect("close");
    let seen = server.join().remove(0).expect("server side");
    assert_eq!(
        seen.last(),
        Some(&Message::Close(CloseCode::NORMAL, "tls bye".into()))
    );
}

#[test]
fn wss_to_ip_literal_checks_ip_san() {
    let ca = Ca::new();
    let leaf = ca.leaf(&["127.0.0.1"], false);
    let server = spawn_ws(1, Some(tls_server(&leaf)), &[], echo);
    let mut ws = connect(format!("wss://{}/", server.addr))
        .tls(trusting(&ca))
        .connect()
        .expect("connect");
    ws.close(CloseCode::NORMAL, "").expect("close");
    server.join().remove(0).expect("server side");
}

/// Connects to a TLS server presenting `leaf` and returns the client's error.
fn tls_failure(leaf: &certs::Leaf, host: &str, opts: TlsOptions) -> Error {
    let server = spawn_ws(1, Some(tls_server(leaf)), &[], echo);
    let err = connect(format!("wss://{host}:{}/", server.addr.port()))
        .tls(opts)
        .connect()
        .expect_err("must fail");
    // The server's side fails too (alert from the client); only ours matters.
    let _ = server.join();
    err
}

#[test]
fn unknown_ca_is_unknown_issuer() {
    let ca = Ca::new();
    let leaf = ca.leaf(&["localhost"], false);
    let err = tls_failure(&leaf, "localhost", TlsOptions::default());
    assert!(
        matches!(err, Error::Tls(TlsError::UnknownIssuer)),
        "{err:?}"
    );
}

#[test]
fn certificate_for_another_name_is_wrong_host_name() {
    let ca = Ca::new();
    let leaf = ca.leaf(&["other.example"], false);
    let err = tls_failure(&leaf, "localhost", trusting(&ca));
    assert!(
        matches!(err, Error::Tls(TlsError::WrongHostName)),
        "{err:?}"
    );
}

#[test]
fn expired_certificate_is_expired() {
    let ca = Ca::new();
    let leaf = ca.leaf(&["localhost"], true);
    let err = tls_failure(&leaf, "localhost", trusting(&ca));
    assert!(matches!(err, Error::Tls(TlsError::Expired)), "{err:?}");
}

#[test]
fn pinning_match_connects_and_mismatch_fails() {
    let ca = Ca::new();
    let leaf = ca.leaf(&["localhost"], false);

    let pinned = TlsOptions {
        pinned_sha256: vec![tls::sha256_fingerprint(&leaf.der)],
        ..trusting(&ca)
    };
    let server = spawn_ws(1, Some(tls_server(&leaf)), &[], echo);
    let mut ws = connect(format!("wss://localhost:{}/", server.addr.port()))
        .tls(pinned)
        .connect()
        .expect("pin match");
    ws.close(CloseCode::NORMAL, "").expect("close");
    server.join().remove(0).expect("server side");

    let other = ca.leaf(&["localhost"], false);
    let wrong_pin = TlsOptions {
        pinned_sha256: vec![tls::sha256_fingerprint(&other.der)],
        ..trusting(&ca)
    };
    let err = tls_failure(&leaf, "localhost", wrong_pin);
    assert!(matches!(err, Error::Tls(TlsError::PinMismatch)), "{err:?}");
}

#[test]
fn dangerous_mode_connects_to_self_signed_server() {
    let leaf = certs::self_signed(&["localhost"]);
    // Without the opt-in, a self-signed certificate is refused ...
    let err = tls_failure(&leaf, "localhost", TlsOptions::default());
    assert!(
        matches!(err, Error::Tls(TlsError::UnknownIssuer)),
        "{err:?}"
    );

    // ... and with it, accepted.
    let server = spawn_ws(1, Some(tls_server(&leaf)), &[], echo);
    let opts = TlsOptions {
        dangerous_accept_any_certificate: true,
        ..TlsOptions::default()
    };
    let mut ws = connect(format!("wss://localhost:{}/", server.addr.port()))
        .tls(opts)
        .connect()
        .expect("connect");
    ws.send(Message::text("insecure but working"))
        .expect("send");
    assert_eq!(
        ws.read().expect("echo"),
        Message::text("insecure but working")
    );
    ws.close(CloseCode::NORMAL, "").expect("close");
    server.join().remove(0).expect("server side");
}
