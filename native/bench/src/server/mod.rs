//! Loopback benchmark servers: ours (`devian-websocket`) and the peer's
//! (`tungstenite`), both running the same small application so every client
//! is measured against identical server behaviour.
//!
//! The request path picks what a connection does:
//! - `/echo`: every Text/Binary message is sent back unchanged.
//! - `/sink`: Binary messages are counted and dropped; the Text message
//!   `done` is answered with the count as Text (one-way client → server).
//! - `/source`: the Text message `N SIZE` is answered with `N` Binary
//!   messages of `SIZE` bytes (one-way server → client).

mod listener;
pub mod ours;
pub mod peer;

pub use listener::RunningServer;

use std::fmt;
use std::str::FromStr;

/// Upper bounds on a `/source` request, so a stray command cannot make the
/// server stream forever or allocate without bound.
const MAX_SOURCE_COUNT: u64 = 10_000_000;
const MAX_SOURCE_SIZE: usize = 16 << 20;

/// Which server implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    /// `devian-websocket`, this project's blocking server.
    Ours,
    /// `tungstenite`, the reference Rust implementation.
    Tungstenite,
}

impl ServerKind {
    /// Both servers, ours first.
    pub const ALL: [ServerKind; 2] = [ServerKind::Ours, ServerKind::Tungstenite];

    /// Short name used in tables, JSON and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ServerKind::Ours => "devian-websocket",
            ServerKind::Tungstenite => "tungstenite",
        }
    }
}

impl fmt::Display for ServerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ServerKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "ours" | "devian-websocket" => Ok(ServerKind::Ours),
            "tungstenite" => Ok(ServerKind::Tungstenite),
            _ => Err(format!(
                "unknown server {s:?} (expected ours or tungstenite)"
            )),
        }
    }
}

/// What a connection does, chosen by its request path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Echo every data message.
    Echo,
    /// Count Binary messages; answer `done` with the count.
    Sink,
    /// Answer `N SIZE` with N Binary messages of SIZE bytes.
    Source,
}

impl Mode {
    /// The mode for a request target; the query string is ignored and any
    /// unknown path echoes, so ordinary WebSocket clients also work.
    pub fn from_path(target: &str) -> Mode {
        let path = target.split('?').next().unwrap_or("");
        match path {
            "/sink" => Mode::Sink,
            "/source" => Mode::Source,
            _ => Mode::Echo,
        }
    }

    /// The request path that selects this mode.
    pub fn path(self) -> &'static str {
        match self {
            Mode::Echo => "/echo",
            Mode::Sink => "/sink",
            Mode::Source => "/source",
        }
    }
}

/// The text command that asks a `/source` connection for `count` messages
/// of `size` bytes.
pub fn source_command(count: u64, size: usize) -> String {
    format!("{count} {size}")
}

/// Parses a `/source` command; `None` for anything malformed or over the bounds.
pub fn parse_source_command(text: &str) -> Option<(u64, usize)> {
    let mut parts = text.split_ascii_whitespace();
    let count: u64 = parts.next()?.parse().ok()?;
    let size: usize = parts.next()?.parse().ok()?;
    if parts.next().is_some() || count > MAX_SOURCE_COUNT || size > MAX_SOURCE_SIZE {
        return None;
    }
    Some((count, size))
}

/// The text that ends a `/sink` stream.
pub const SINK_DONE: &str = "done";

/// One message as the application sees it.
pub enum Incoming<D> {
    /// A Binary message (or Text on `/echo`, which is echoed as is).
    Data(D),
    /// A Text message: a command on `/sink` and `/source`.
    Text(String),
    /// The connection ended (close handshake done, or an error).
    Closed,
}

/// The part of a server connection the application needs; implemented by
/// both servers so the application logic is shared.
pub trait AppConn {
    /// A received data message, kept in the library's own type so an echo
    /// costs what that library makes it cost.
    type Data;
    /// The next message; Ping/Pong are handled by the library.
    fn recv(&mut self) -> Result<Incoming<Self::Data>, String>;
    /// Sends `data` back (an echo, or one message of a `/source` stream).
    fn send_data(&mut self, data: &Self::Data) -> Result<(), String>;
    /// Builds a Binary message of `payload` for a `/source` stream.
    fn make_data(&self, payload: Vec<u8>) -> Self::Data;
    /// Sends a Text message.
    fn send_text(&mut self, text: &str) -> Result<(), String>;
}

/// Runs the application of `mode` on one connection until it ends.
pub fn run_app<C: AppConn>(mode: Mode, conn: &mut C) -> Result<(), String> {
    let mut sunk: u64 = 0;
    loop {
        match conn.recv()? {
            Incoming::Closed => return Ok(()),
            Incoming::Data(d) => match mode {
                Mode::Echo => conn.send_data(&d)?,
                Mode::Sink => sunk += 1,
                Mode::Source => {}
            },
            Incoming::Text(t) => match mode {
                Mode::Echo => conn.send_text(&t)?,
                Mode::Sink if t == SINK_DONE => {
                    conn.send_text(&sunk.to_string())?;
                    sunk = 0;
                }
                Mode::Sink => {}
                Mode::Source => {
                    let Some((count, size)) = parse_source_command(&t) else {
                        return Err(format!("bad source command {t:?}"));
                    };
                    let data = conn.make_data(vec![0xA5; size]);
                    for _ in 0..count {
                        conn.send_data(&data)?;
                    }
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_by_path() {
        assert_eq!(Mode::from_path("/sink"), Mode::Sink);
        assert_eq!(Mode::from_path("/source?x=1"), Mode::Source);
        assert_eq!(Mode::from_path("/echo"), Mode::Echo);
        assert_eq!(Mode::from_path("/"), Mode::Echo);
        for m in [Mode::Echo, Mode::Sink, Mode::Source] {
            assert_eq!(Mode::from_path(m.path()), m);
        }
    }

    #[test]
    fn source_commands_round_trip_and_are_bounded() {
        assert_eq!(
            parse_source_command(&source_command(12, 1024)),
            Some((12, 1024))
        );
        assert_eq!(parse_source_command("12"), None);
        assert_eq!(parse_source_command("12 34 56"), None);
        assert_eq!(parse_source_command("-1 4"), None);
        assert_eq!(
            parse_source_command(&source_command(MAX_SOURCE_COUNT + 1, 1)),
            None
        );
        assert_eq!(
            parse_source_command(&source_command(1, MAX_SOURCE_SIZE + 1)),
            None
        );
    }

    #[test]
    fn server_kinds_parse() {
        for k in ServerKind::ALL {
            assert_eq!(k.name().parse::<ServerKind>(), Ok(k));
        }
        assert!("nginx".parse::<ServerKind>().is_err());
    }

    /// A scripted connection: replays `input`, records what is sent.
    struct Script {
        input: std::vec::IntoIter<Incoming<Vec<u8>>>,
        sent: Vec<String>,
    }

    impl AppConn for Script {
        type Data = Vec<u8>;
        fn recv(&mut self) -> Result<Incoming<Vec<u8>>, String> {
            Ok(self.input.next().unwrap_or(Incoming::Closed))
        }
        fn send_data(&mut self, data: &Vec<u8>) -> Result<(), String> {
            self.sent.push(format!("bin {}", data.len()));
            Ok(())
        }
        fn make_data(&self, payload: Vec<u8>) -> Vec<u8> {
            payload
        }
        fn send_text(&mut self, text: &str) -> Result<(), String> {
            self.sent.push(format!("text {text}"));
            Ok(())
        }
    }

    fn script(mode: Mode, input: Vec<Incoming<Vec<u8>>>) -> Result<Vec<String>, String> {
        let mut s = Script {
            input: input.into_iter(),
            sent: Vec::new(),
        };
        run_app(mode, &mut s).map(|()| s.sent)
    }

    #[test]
    fn echo_sink_and_source_behave() {
        let data = |n: usize| Incoming::Data(vec![1; n]);
        let text = |t: &str| Incoming::Text(t.to_string());
        assert_eq!(
            script(Mode::Echo, vec![data(3), text("hi"), data(0)]),
            Ok(vec!["bin 3".into(), "text hi".into(), "bin 0".into()])
        );
        assert_eq!(
            script(
                Mode::Sink,
                vec![data(3), data(4), text(SINK_DONE), data(1), text(SINK_DONE)]
            ),
            Ok(vec!["text 2".into(), "text 1".into()])
        );
        assert_eq!(
            script(Mode::Source, vec![text(&source_command(2, 5))]),
            Ok(vec!["bin 5".into(), "bin 5".into()])
        );
        assert!(script(Mode::Source, vec![text("lots please")]).is_err());
    }
}
