//! Reference server for the C# `WebSocketConnectionManager`: topics with
//! fan-out, request/response, and echo, in both envelopes the manager speaks.
//! Prints `listening on ADDR` once bound.
//!
//! ```text
//! pubsub_server 127.0.0.1:PORT
//! ```
//!
//! Binary envelope (FrameV1 `[opcode: i32 LE][payload]`, binary messages):
//!
//! | opcode | name | payload |
//! | --- | --- | --- |
//! | -201 | subscribe | topic (UTF-8) |
//! | -202 | unsubscribe | topic |
//! | -203 | publish (client → server) | `[topic length: u16 LE][topic][data]` |
//! | -204 | message (server → subscriber) | `[topic length: u16 LE][topic][data]` |
//! | -205 | request | `[id: u32 LE][data]` |
//! | -206 | response | `[id: u32 LE][data]` |
//!
//! JSON envelope (seed 002; text messages): `{"type": "subscribe" |
//! "unsubscribe" | "publish" | "message" | "request" | "response",
//! "channel": "...", "id": "...", "data": <any JSON>}`.
//!
//! A publish goes to every connection subscribed to the topic (the publisher
//! too, if subscribed), in the envelope each subscriber subscribed with. A
//! request is answered with a response carrying its id and data. Any other
//! message is echoed unchanged.

use devian_websocket::{HandshakeLimits, Message, WebSocket, WebSocketConfig, WebSocketUpgrade};
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SUBSCRIBE: i32 = -201;
const UNSUBSCRIBE: i32 = -202;
const PUBLISH: i32 = -203;
const MESSAGE: i32 = -204;
const REQUEST: i32 = -205;
const RESPONSE: i32 = -206;

/// How long a connection's loop waits for input before delivering what
/// other connections published to it.
const POLL: Duration = Duration::from_millis(2);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Codec {
    Binary,
    Json,
}

/// Subscribers by topic: each connection's outbox and the envelope it speaks.
type Topics = Arc<Mutex<HashMap<String, Vec<(usize, Codec, Sender<Message>)>>>>;

fn main() -> ExitCode {
    let Some(addr) = std::env::args().nth(1) else {
        eprintln!("usage: pubsub_server ADDR");
        return ExitCode::from(2);
    };
    let listener = match TcpListener::bind(&addr) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("pubsub_server: bind {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "listening on {}",
        listener.local_addr().map(|a| a.to_string()).unwrap_or(addr)
    );
    let _ = std::io::stdout().flush();
    let topics: Topics = Arc::default();
    for (id, tcp) in listener.incoming().enumerate() {
        let Ok(tcp) = tcp else { continue };
        let topics = Arc::clone(&topics);
        std::thread::spawn(move || {
            if let Err(e) = serve(id, tcp, &topics) {
                eprintln!("pubsub_server: connection {id}: {e}");
            }
            for subscribers in topics.lock().unwrap().values_mut() {
                subscribers.retain(|(c, _, _)| *c != id);
            }
        });
    }
    ExitCode::SUCCESS
}

fn serve(id: usize, tcp: TcpStream, topics: &Topics) -> Result<(), String> {
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let stream = devian_websocket::MaybeTlsStream::Plain(tcp);
    let mut ws = WebSocketUpgrade::handshake(
        stream,
        &HandshakeLimits::default(),
        WebSocketConfig::default(),
        |_| None,
    )
    .map_err(|e| format!("handshake: {e}"))?;
    ws.get_ref()
        .tcp()
        .set_read_timeout(Some(POLL))
        .map_err(|e| e.to_string())?;
    let (outbox, inbox): (Sender<Message>, Receiver<Message>) = channel();
    loop {
        // What others published to us goes out between reads.
        while let Ok(m) = inbox.try_recv() {
            ws.send(m).map_err(|e| format!("send: {e}"))?;
        }
        let message = match ws.read() {
            Ok(m) => m,
            Err(devian_websocket::Error::Io(e)) if devian_websocket::is_timeout(&e) => continue,
            Err(devian_websocket::Error::ConnectionClosed) => return Ok(()),
            Err(e) => return Err(format!("read: {e}")),
        };
        match message {
            Message::Binary(data) => on_binary(id, &mut ws, data, &outbox, topics)?,
            Message::Text(text) => on_text(id, &mut ws, text, &outbox, topics)?,
            _ => {}
        }
    }
}

fn on_binary<S: std::io::Read + Write>(
    id: usize,
    ws: &mut WebSocket<S>,
    data: Vec<u8>,
    outbox: &Sender<Message>,
    topics: &Topics,
) -> Result<(), String> {
    let opcode = data
        .get(..4)
        .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let body = data.get(4..).unwrap_or_default();
    match opcode {
        Some(SUBSCRIBE) => subscribe(
            id,
            topics,
            &String::from_utf8_lossy(body),
            Codec::Binary,
            outbox,
        ),
        Some(UNSUBSCRIBE) => unsubscribe(id, topics, &String::from_utf8_lossy(body)),
        Some(PUBLISH) if body.len() >= 2 => {
            let len = usize::from(u16::from_le_bytes([body[0], body[1]]));
            let Some(topic) = body.get(2..2 + len) else {
                return Ok(());
            };
            let payload = &body[2 + len..];
            publish(
                topics,
                &String::from_utf8_lossy(topic),
                |codec| match codec {
                    Codec::Binary => Message::Binary(frame(MESSAGE, &body[..2 + len], payload)),
                    Codec::Json => json_message(&String::from_utf8_lossy(topic), payload),
                },
            );
        }
        Some(REQUEST) if body.len() >= 4 => {
            let reply = frame(RESPONSE, &body[..4], &body[4..]);
            ws.send(Message::Binary(reply)).map_err(|e| e.to_string())?;
        }
        _ => ws.send(Message::Binary(data)).map_err(|e| e.to_string())?,
    }
    Ok(())
}

fn on_text<S: std::io::Read + Write>(
    id: usize,
    ws: &mut WebSocket<S>,
    text: String,
    outbox: &Sender<Message>,
    topics: &Topics,
) -> Result<(), String> {
    // Fields as raw JSON, so `data` is passed on byte for byte.
    let Ok(fields) = serde_json::from_str::<HashMap<String, Box<RawValue>>>(&text) else {
        return ws.send(Message::Text(text)).map_err(|e| e.to_string());
    };
    let string = |name: &str| {
        fields
            .get(name)
            .and_then(|v| serde_json::from_str::<String>(v.get()).ok())
            .unwrap_or_default()
    };
    let data = fields.get("data").map_or("null", |v| v.get());
    match string("type").as_str() {
        "subscribe" => subscribe(id, topics, &string("channel"), Codec::Json, outbox),
        "unsubscribe" => unsubscribe(id, topics, &string("channel")),
        "publish" => {
            let channel = string("channel");
            publish(topics, &channel, |codec| match codec {
                Codec::Json => json_message(&channel, data.as_bytes()),
                Codec::Binary => {
                    let mut head = (channel.len() as u16).to_le_bytes().to_vec();
                    head.extend_from_slice(channel.as_bytes());
                    Message::Binary(frame(MESSAGE, &head, data.as_bytes()))
                }
            });
        }
        "request" => {
            let request_id = fields.get("id").map_or("null", |v| v.get());
            let reply = format!("{{\"type\":\"response\",\"id\":{request_id},\"data\":{data}}}");
            ws.send(Message::Text(reply)).map_err(|e| e.to_string())?;
        }
        _ => ws.send(Message::Text(text)).map_err(|e| e.to_string())?,
    }
    Ok(())
}

fn frame(opcode: i32, head: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + head.len() + data.len());
    out.extend_from_slice(&opcode.to_le_bytes());
    out.extend_from_slice(head);
    out.extend_from_slice(data);
    out
}

/// `{"type":"message","channel":…,"data":…}`: `data` spliced in as the
/// publisher's JSON text, or as a string when it is not JSON (a binary
/// publisher's bytes).
fn json_message(channel: &str, data: &[u8]) -> Message {
    let channel = serde_json::Value::String(channel.to_owned());
    let data = match std::str::from_utf8(data) {
        Ok(text) if serde_json::from_str::<&RawValue>(text).is_ok() => text.to_owned(),
        _ => serde_json::Value::String(String::from_utf8_lossy(data).into_owned()).to_string(),
    };
    Message::Text(format!(
        "{{\"type\":\"message\",\"channel\":{channel},\"data\":{data}}}"
    ))
}

fn subscribe(id: usize, topics: &Topics, topic: &str, codec: Codec, outbox: &Sender<Message>) {
    let mut topics = topics.lock().unwrap();
    let subscribers = topics.entry(topic.to_owned()).or_default();
    if !subscribers.iter().any(|(c, _, _)| *c == id) {
        subscribers.push((id, codec, outbox.clone()));
    }
}

fn unsubscribe(id: usize, topics: &Topics, topic: &str) {
    if let Some(subscribers) = topics.lock().unwrap().get_mut(topic) {
        subscribers.retain(|(c, _, _)| *c != id);
    }
}

/// Sends `make(codec)` to every subscriber of `topic`, in subscription order.
fn publish(topics: &Topics, topic: &str, make: impl Fn(Codec) -> Message) {
    let topics = topics.lock().unwrap();
    if let Some(subscribers) = topics.get(topic) {
        let (mut binary, mut json) = (None, None);
        for (_, codec, tx) in subscribers {
            let slot = if *codec == Codec::Binary {
                &mut binary
            } else {
                &mut json
            };
            let m = slot.get_or_insert_with(|| make(*codec)).clone();
            let _ = tx.send(m);
        }
    }
}
