//! permessage-deflate (RFC 7692) between our client and our server over
//! TCP on 127.0.0.1, plus the client's check of a server's answer.

mod common;

use common::{echo, header_value, read_http_head, spawn_raw, write_quietly};
use devian_websocket::protocol::deflate::{DeflateConfig, DeflateParams};
use devian_websocket::protocol::error::HandshakeError;
use devian_websocket::protocol::handshake::accept_key;
use devian_websocket::{
    connect, CloseCode, Error, HandshakeLimits, MaybeTlsStream, Message, WebSocket,
    WebSocketConfig, WebSocketUpgrade,
};

/// What the echo server reports: the agreed parameters and the messages.
type EchoReport = Result<(Option<DeflateParams>, Vec<Message>), String>;

/// A server that echoes with `deflate` as its setting; it reports the
/// agreed parameters first, then what it received.
fn spawn_echo(deflate: Option<DeflateConfig>) -> common::TestServer<EchoReport> {
    spawn_raw(1, move |tcp| {
        let config = WebSocketConfig {
            permessage_deflate: deflate,
            ..WebSocketConfig::default()
        };
        let mut ws: WebSocket<MaybeTlsStream> = WebSocketUpgrade::handshake(
            MaybeTlsStream::Plain(tcp),
            &HandshakeLimits::default(),
            config,
            |_| None,
        )
        .map_err(|e| format!("handshake: {e}"))?;
        let agreed = ws.permessage_deflate();
        Ok((agreed, echo(&mut ws)?))
    })
}

fn echo_round(ws: &mut WebSocket<MaybeTlsStream>, msg: Message) {
    ws.send(msg.clone()).expect("send");
    loop {
        match ws.read().expect("read") {
            Message::Ping(_) | Message::Pong(_) => continue,
            got => {
                assert_eq!(got, msg);
                return;
            }
        }
    }
}

// RFC 7692 §5: both sides on: deflate is agreed and large compressible,
// incompressible and empty messages survive the round trip.
#[test]
fn rfc7692_5_both_sides_compress() {
    for config in [
        DeflateConfig::default(),
        DeflateConfig {
            client_no_context_takeover: true,
            server_no_context_takeover: true,
            level: 1,
        },
    ] {
        let server = spawn_echo(Some(DeflateConfig::default()));
        let mut ws = connect(format!("ws://{}/", server.addr))
            .permessage_deflate(config)
            .connect()
            .expect("connect");
        let agreed = ws.permessage_deflate().expect("deflate agreed");
        assert_eq!(
            agreed.client_no_context_takeover,
            config.client_no_context_takeover
        );
        let big = "permessage-deflate ".repeat(60_000);
        echo_round(&mut ws, Message::text(big.clone()));
        echo_round(&mut ws, Message::text(big));
        let noise: Vec<u8> = (0..100_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        echo_round(&mut ws, Message::Binary(noise));
        echo_round(&mut ws, Message::Binary(Vec::new()));
        echo_round(&mut ws, Message::text("Hello"));
        ws.close(CloseCode::NORMAL, "done").expect("close");
        let (server_agreed, seen) = server.join().remove(0).expect("server side");
        // The level is each side's own choice; the rest is agreed.
        let server_agreed = server_agreed.map(|p| DeflateParams {
            level: agreed.level,
            ..p
        });
        assert_eq!(server_agreed, Some(agreed));
        assert_eq!(seen.len(), 6);
    }
}

// RFC 7692 §5: deflate only when both sides want it; otherwise the
// connection works uncompressed.
#[test]
fn rfc7692_5_one_side_off_means_no_compression() {
    let server = spawn_echo(None);
    let mut ws = connect(format!("ws://{}/", server.addr))
        .permessage_deflate(DeflateConfig::default())
        .connect()
        .expect("connect");
    assert_eq!(ws.permessage_deflate(), None);
    echo_round(&mut ws, Message::text("plain"));
    ws.close(CloseCode::NORMAL, "").expect("close");
    assert_eq!(server.join().remove(0).expect("server").0, None);

    let server = spawn_echo(Some(DeflateConfig::default()));
    let mut ws = connect(format!("ws://{}/", server.addr))
        .connect()
        .expect("connect");
    assert_eq!(ws.permessage_deflate(), None);
    echo_round(&mut ws, Message::text("plain"));
    ws.close(CloseCode::NORMAL, "").expect("close");
    assert_eq!(server.join().remove(0).expect("server").0, None);
}

/// A raw server answering the upgrade with `extensions` as its
/// Sec-WebSocket-Extensions value.
fn answer_with(extensions: &'static str) -> common::TestServer<Result<String, String>> {
    spawn_raw(1, move |mut tcp| {
        let head = read_http_head(&mut tcp);
        let key = header_value(&head, "Sec-WebSocket-Key").ok_or("no key")?;
        let response = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {}\r\nSec-WebSocket-Extensions: {extensions}\r\n\r\n",
            accept_key(&key)
        );
        write_quietly(&mut tcp, response.as_bytes());
        Ok(head)
    })
}

// RFC 7692 §7.1: the client fails the handshake on an invalid answer, and
// its offer is `permessage-deflate; client_max_window_bits`.
#[test]
fn rfc7692_7_1_client_fails_on_invalid_answer() {
    for answer in [
        "permessage-deflate; foo=1",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
    ] {
        let server = answer_with(answer);
        let err = connect(format!("ws://{}/", server.addr))
            .permessage_deflate(DeflateConfig::default())
            .connect()
            .expect_err(answer);
        assert!(
            matches!(
                err,
                Error::Handshake(HandshakeError::InvalidExtensionParams(_))
            ),
            "{answer}: {err:?}"
        );
        let head = server.join().remove(0).expect("server side");
        assert_eq!(
            header_value(&head, "Sec-WebSocket-Extensions").as_deref(),
            Some("permessage-deflate; client_max_window_bits")
        );
    }
}
