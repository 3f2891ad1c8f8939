//! Our client against our server over TCP on 127.0.0.1.

mod common;

use common::{echo, header_value, read_http_head, spawn_raw, spawn_ws};
use devian_websocket::protocol::error::HandshakeError;
use devian_websocket::protocol::handshake::accept_key;
use devian_websocket::{connect, CloseCode, Error, Limits, Message, WebSocketConfig};
use std::io::Write;

fn url(server_addr: std::net::SocketAddr) -> String {
    format!("ws://{server_addr}/echo")
}

/// Reads the next message, skipping Pongs and Pings (auto-answered).
fn next_data(ws: &mut devian_websocket::WebSocket<devian_websocket::MaybeTlsStream>) -> Message {
    loop {
        match ws.read().expect("read") {
            Message::Ping(_) | Message::Pong(_) => continue,
            msg => return msg,
        }
    }
}

#[test]
fn text_and_binary_of_every_length_class_round_trip() {
    let server = spawn_ws(1, None, &[], echo);
    let mut ws = connect(url(server.addr)).connect().expect("connect");

    ws.send(Message::text("hello, wörld")).expect("send text");
    assert_eq!(next_data(&mut ws), Message::text("hello, wörld"));
    ws.send(Message::text("")).expect("send empty text");
    assert_eq!(next_data(&mut ws), Message::text(""));

    // RFC 6455 §5.2: 7-bit length (0, 125), 16-bit (126, 65535), 64-bit
    // (65536 and up); 16 MiB is the default frame limit itself.
    for len in [0usize, 125, 126, 65535, 65536, 16 << 20] {
        let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        ws.send(Message::Binary(payload.clone()))
            .expect("send binary");
        assert_eq!(next_data(&mut ws), Message::Binary(payload), "length {len}");
    }

    ws.close(CloseCode::NORMAL, "done").expect("close");
    let seen = server.join().remove(0).expect("server side");
    assert_eq!(seen.len(), 2 + 6 + 1);
    assert_eq!(
        seen.last(),
        Some(&Message::Close(CloseCode::NORMAL, "done".into()))
    );
}

// RFC 6455 §5.3: a payload larger than the write buffer is masked and
// written piece by piece. The key phase must carry across pieces and the
// tail must be right at every length; the server's echo, larger than its
// own buffer too, goes out unmasked from the payload itself.
#[test]
fn rfc6455_5_3_messages_larger_than_the_write_buffer_go_out_in_masked_pieces() {
    let server = spawn_ws(1, None, &[], echo);
    let config = WebSocketConfig {
        write_buffer_size: 1000,
        ..WebSocketConfig::default()
    };
    let mut ws = connect(url(server.addr))
        .config(config)
        .connect()
        .expect("connect");
    for len in [1001usize, 1023, 1024, 1025, 4099, 70_001] {
        let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        ws.send(Message::Binary(payload.clone())).expect("send");
        assert_eq!(next_data(&mut ws), Message::Binary(payload), "length {len}");
    }
    // Two-byte characters across the piece boundaries.
    let text = format!("{}x", "é".repeat(3000));
    ws.send(Message::text(text.clone())).expect("send text");
    assert_eq!(next_data(&mut ws), Message::text(text));
    ws.close(CloseCode::NORMAL, "").expect("close");
    let seen = server.join().remove(0).expect("server side");
    assert_eq!(seen.len(), 6 + 1 + 1);
}

// RFC 6455 §5.4: a fragmented message arrives as one message.
#[test]
fn fragmented_send_is_reassembled() {
    let server = spawn_ws(1, None, &[], echo);
    let mut ws = connect(url(server.addr)).connect().expect("connect");

    let text = "fragments ".repeat(100);
    ws.send_fragmented(&Message::text(text.clone()), 7)
        .expect("fragmented text");
    assert_eq!(next_data(&mut ws), Message::text(text));

    // Split inside a multi-byte character: validation spans fragments (§8.1).
    let text = "ééééé".to_string();
    ws.send_fragmented(&Message::text(text.clone()), 3)
        .expect("fragmented text");
    assert_eq!(next_data(&mut ws), Message::text(text));

    let bin: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
    ws.send_fragmented(&Message::Binary(bin.clone()), 4096)
        .expect("fragmented binary");
    assert_eq!(next_data(&mut ws), Message::Binary(bin));

    ws.send_fragmented(&Message::Binary(Vec::new()), 10)
        .expect("empty fragmented");
    assert_eq!(next_data(&mut ws), Message::Binary(Vec::new()));

    assert!(matches!(
        ws.send_fragmented(&Message::Ping(vec![]), 10),
        Err(Error::Usage(_))
    ));
    ws.close(CloseCode::NORMAL, "").expect("close");
    server.join().remove(0).expect("server side");
}

// RFC 6455 §5.5.2/§5.5.3: a Ping is answered with a Pong carrying the same
// payload; an unsolicited Pong is allowed and needs no answer.
#[test]
fn ping_is_answered_and_unsolicited_pong_allowed() {
    let server = spawn_ws(1, None, &[], echo);
    let mut ws = connect(url(server.addr)).connect().expect("connect");

    ws.ping(b"are you there").expect("ping");
    assert_eq!(
        ws.read().expect("pong"),
        Message::Pong(b"are you there".to_vec())
    );
    ws.pong(b"heartbeat").expect("unsolicited pong");
    // §5.5: control payloads are at most 125 bytes.
    assert!(matches!(ws.ping(&[0; 126]), Err(Error::Usage(_))));

    ws.close(CloseCode::NORMAL, "").expect("close");
    let seen = server.join().remove(0).expect("server side");
    assert_eq!(
        seen,
        vec![
            Message::Ping(b"are you there".to_vec()),
            Message::Pong(b"heartbeat".to_vec()),
            Message::Close(CloseCode::NORMAL, String::new()),
        ]
    );
}

// RFC 6455 §7.1.2/§5.5.1: client-initiated close with code and reason; the
// server sees both; nothing can be sent afterwards.
#[test]
fn client_close_code_and_reason_round_trip() {
    let server = spawn_ws(1, None, &[], echo);
    let mut ws = connect(url(server.addr)).connect().expect("connect");
    ws.close(CloseCode(4001), "bye now").expect("close");
    assert!(matches!(
        ws.send(Message::text("late")),
        Err(Error::AlreadyClosed)
    ));
    assert!(matches!(ws.read(), Err(Error::AlreadyClosed)));
    let seen = server.join().remove(0).expect("server side");
    assert_eq!(
        seen,
        vec![Message::Close(CloseCode(4001), "bye now".into())]
    );
}

// Server-initiated close: the client gets the Close, echoes it, and then
// sees the end of the connection (the server closes TCP first, §7.1.1).
#[test]
fn server_close_reaches_client_and_iterator_ends() {
    let server = spawn_ws(1, None, &[], |ws| {
        ws.send(Message::text("before close"))
            .map_err(|e| e.to_string())?;
        ws.close(CloseCode::GOING_AWAY, "maintenance")
            .map_err(|e| e.to_string())?;
        Ok(Vec::new())
    });
    let mut ws = connect(url(server.addr)).connect().expect("connect");
    let got: Vec<Message> = ws
        .messages()
        .collect::<Result<_, _>>()
        .expect("clean close");
    assert_eq!(
        got,
        vec![
            Message::text("before close"),
            Message::Close(CloseCode::GOING_AWAY, "maintenance".into())
        ]
    );
    assert!(ws.close_sent() && ws.close_received());
    server.join().remove(0).expect("server side");
}

// RFC 6455 §4.2.2: the server picks one of the offered sub-protocols.
#[test]
fn subprotocol_negotiated() {
    let server = spawn_ws(2, None, &["chat.v2", "chat.v1"], echo);
    let mut ws = connect(url(server.addr))
        .protocol("other")
        .protocol("chat.v1")
        .connect()
        .expect("connect");
    assert_eq!(ws.protocol(), Some("chat.v1"));
    ws.close(CloseCode::NORMAL, "").expect("close");

    // Nothing in common: no sub-protocol, the connection still opens.
    let mut ws = connect(url(server.addr))
        .protocols(["x", "y"])
        .connect()
        .expect("connect");
    assert_eq!(ws.protocol(), None);
    ws.close(CloseCode::NORMAL, "").expect("close");
    for seen in server.join() {
        seen.expect("server side");
    }
}

/// A raw server answering the handshake with `extra` headers and then
/// `after` in the same write.
fn raw_101(extra: &'static str, after: &'static [u8]) -> common::TestServer<()> {
    spawn_raw(1, move |mut tcp| {
        let head = read_http_head(&mut tcp);
        let key = header_value(&head, "Sec-WebSocket-Key").expect("key");
        let mut response = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {}\r\n{extra}\r\n",
            accept_key(&key)
        )
        .into_bytes();
        response.extend_from_slice(after);
        tcp.write_all(&response).expect("write 101");
        // Wait for the client to hang up before closing (bounded by the read timeout).
        let _ = read_http_head(&mut tcp);
    })
}

// RFC 6455 §4.1 (client step 6 of the response checks): a sub-protocol the
// client did not offer fails the handshake.
#[test]
fn unoffered_subprotocol_rejected() {
    let server = raw_101("Sec-WebSocket-Protocol: sneaky\r\n", b"");
    let err = connect(url(server.addr))
        .protocol("chat")
        .connect()
        .expect_err("must fail");
    assert!(
        matches!(&err, Error::Handshake(HandshakeError::UnofferedSubprotocol(p)) if p == "sneaky"),
        "{err:?}"
    );
    server.join();
}

// A frame sent in the same TCP segment as the 101 must not be lost.
#[test]
fn bytes_right_after_101_are_kept() {
    // Unmasked server Text frame "hello", then a Close 1000 (§5.5.1).
    let server = raw_101("", b"\x81\x05hello\x88\x02\x03\xe8");
    let mut ws = connect(url(server.addr)).connect().expect("connect");
    assert_eq!(ws.read().expect("first frame"), Message::text("hello"));
    assert_eq!(
        ws.read().expect("close"),
        Message::Close(CloseCode::NORMAL, String::new())
    );
    // The raw server waits for us to hang up.
    drop(ws);
    server.join();
}

// RFC 6455 §10.4/§7.4.1: a message over the limit fails the connection with
// 1009 (the peer sees the code), and our side returns TooBig.
#[test]
fn message_over_limit_fails_with_1009() {
    let server = spawn_ws(1, None, &[], |ws| {
        ws.send(Message::Binary(vec![7; 2000]))
            .map_err(|e| e.to_string())?;
        let mut seen = Vec::new();
        loop {
            match ws.read() {
                Ok(m) => seen.push(m),
                Err(_) => return Ok(seen),
            }
        }
    });
    let limits = Limits {
        max_frame_size: 1000,
        max_message_size: 1000,
    };
    let mut ws = connect(url(server.addr))
        .limits(limits)
        .connect()
        .expect("connect");
    let err = ws.read().expect_err("too big");
    assert!(matches!(err, Error::TooBig { .. }), "{err:?}");
    assert!(ws.is_terminated());
    let seen = server.join().remove(0).expect("server side");
    assert!(
        matches!(seen.first(), Some(Message::Close(code, _)) if *code == CloseCode::MESSAGE_TOO_BIG),
        "{seen:?}"
    );
}

// RFC 6455 §5.1: a server must not mask; a masked frame fails the
// connection with 1002.
#[test]
fn masked_frame_from_server_fails_with_1002() {
    let server = raw_101("", b"\x81\x85\x01\x02\x03\x04ignored");
    let mut ws = connect(url(server.addr)).connect().expect("connect");
    let err = ws.read().expect_err("protocol error");
    assert_eq!(err.close_code(), Some(CloseCode::PROTOCOL_ERROR), "{err:?}");
    server.join();
}

#[test]
fn auto_pong_can_be_turned_off() {
    let server = spawn_ws(1, None, &[], |ws| {
        ws.ping(b"manual").map_err(|e| e.to_string())?;
        echo(ws)
    });
    let config = WebSocketConfig {
        auto_pong: false,
        ..WebSocketConfig::default()
    };
    let mut ws = connect(url(server.addr))
        .config(config)
        .connect()
        .expect("connect");
    assert_eq!(ws.read().expect("ping"), Message::Ping(b"manual".to_vec()));
    ws.pong(b"by hand").expect("pong");
    ws.close(CloseCode::NORMAL, "").expect("close");
    let seen = server.join().remove(0).expect("server side");
    assert_eq!(seen[0], Message::Pong(b"by hand".to_vec()));
}
