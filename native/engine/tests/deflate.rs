//! permessage-deflate (RFC 7692) through the engine against the project's
//! own server, which accepts deflate when offered.

mod common;

use common::*;
use devian_ws_engine::{Client, MessageKind};
use devian_ws_protocol::deflate::DeflateConfig;

/// Tells the client whether deflate was agreed, then echoes.
fn report_then_echo(mut ws: Ws, seen: Seen) {
    let state = if ws.permessage_deflate().is_some() {
        "deflate=on"
    } else {
        "deflate=off"
    };
    if ws.send(devian_websocket::Message::text(state)).is_ok() {
        echo(ws, seen);
    }
}

fn noise(n: usize) -> Vec<u8> {
    // A multiplicative hash of the index: no repeats for DEFLATE to find.
    (0..n as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

// RFC 7692 §5, §7.2: with Config::permessage_deflate the engine offers,
// the server agrees, and compressible and incompressible messages of all
// sizes round-trip.
#[test]
fn rfc7692_engine_round_trips_compressed() {
    for deflate in [
        DeflateConfig::default(),
        DeflateConfig {
            client_no_context_takeover: true,
            server_no_context_takeover: true,
            level: 1,
        },
    ] {
        let server = Server::start(report_then_echo);
        let mut c = config(&server.url());
        c.permessage_deflate = Some(deflate);
        let client = Client::connect(c).unwrap();
        wait_open(&client);
        assert_eq!(receive_n(&client, 1), vec![b"deflate=on".to_vec()]);
        let text = "The quick brown fox jumps over the lazy dog. ".repeat(24_000);
        let messages = [
            (MessageKind::Text, text.clone().into_bytes()),
            (MessageKind::Text, text.into_bytes()),
            (MessageKind::Binary, noise(1 << 20)),
            (MessageKind::Binary, Vec::new()),
            (MessageKind::Text, b"Hello".to_vec()),
        ];
        for (kind, payload) in &messages {
            client.send(*kind, payload).unwrap();
        }
        let got = receive_n(&client, messages.len());
        for ((_, sent), got) in messages.iter().zip(&got) {
            assert_eq!(sent, got);
        }
    }
}

// Off by default: no offer, and the server does not compress.
#[test]
fn rfc7692_off_by_default() {
    let server = Server::start(report_then_echo);
    let client = Client::connect(config(&server.url())).unwrap();
    wait_open(&client);
    assert_eq!(receive_n(&client, 1), vec![b"deflate=off".to_vec()]);
    client.send(MessageKind::Text, b"plain").unwrap();
    assert_eq!(receive_n(&client, 1), vec![b"plain".to_vec()]);
}
