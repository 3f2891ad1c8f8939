//! The engine against a real third-party peer: python-websockets.
//!
//! Uses the interop venv (`.tools/venv`, made by `need_venv` in
//! scripts/lib/common.sh) or `DEVIAN_INTEROP_PYTHON`. Without either the tests
//! fail with instructions: a peer test that cannot run must not count as passed.

mod common;

use common::*;
use devian_ws_engine::{Auth, Client, CloseCode, MessageKind};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct PythonPeer {
    child: Child,
    port: u16,
}

impl PythonPeer {
    fn start() -> PythonPeer {
        let python = std::env::var_os("DEVIAN_INTEROP_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.tools/venv/bin/python")
            });
        assert!(
            python.exists(),
            "python-websockets peer not found at {}: run scripts/test (it creates .tools/venv) \
             or set DEVIAN_INTEROP_PYTHON to a python with `websockets` installed",
            python.display()
        );
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/python_echo.py");
        let mut child = Command::new(python)
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start python peer");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("python peer port");
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("python peer said {line:?}"));
        PythonPeer { child, port }
    }

    fn url(&self, path: &str) -> String {
        format!("ws://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for PythonPeer {
    fn drop(&mut self) {
        drop(self.child.stdin.take()); // its signal to stop
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn python_echo_order_size_and_clean_close() {
    let peer = PythonPeer::start();
    let client = Client::connect(config(&peer.url("/"))).unwrap();
    wait_open(&client);
    const N: usize = 2000;
    for i in 0..N {
        let p = format!("m{i}");
        while let Err(devian_ws_engine::Error::Capacity(_)) =
            client.send(MessageKind::Text, p.as_bytes())
        {
            std::thread::yield_now();
        }
    }
    let big: Vec<u8> = (0..4usize << 20).map(|i| (i % 253) as u8).collect();
    client.send(MessageKind::Binary, &big).unwrap();
    let got = receive_n(&client, N + 1);
    for (i, m) in got[..N].iter().enumerate() {
        assert_eq!(m, format!("m{i}").as_bytes());
    }
    assert!(got[N] == big, "4 MiB echo differs");
    client.close(CloseCode::NORMAL, "done").unwrap();
    let closed = wait_closed(&client, |_| {});
    assert_eq!((closed.code, closed.was_clean), (CloseCode::NORMAL, true));
}

#[test]
fn python_answers_keepalive_pings() {
    let peer = PythonPeer::start();
    let mut cfg = config(&peer.url("/"));
    cfg.keepalive.ping_interval = Some(Duration::from_millis(20));
    cfg.keepalive.pong_timeout = Duration::from_secs(5);
    let client = Client::connect(cfg).unwrap();
    wait_open(&client);
    wait_until(|| client.stats().last_rtt_us > 0);
}

#[test]
fn python_sees_query_auth_and_subprotocol_token() {
    let peer = PythonPeer::start();
    let mut cfg = config(&peer.url("/whoami"));
    cfg.auth = Auth::QueryParam {
        name: "access_token".into(),
        token: "s3cr3t/=".into(),
    };
    let client = Client::connect(cfg).unwrap();
    let whoami = String::from_utf8(receive_n(&client, 1).remove(0)).unwrap();
    assert!(
        whoami.contains(r#""path": "/whoami?access_token=s3cr3t%2F%3D""#),
        "{whoami}"
    );

    let mut cfg = config(&peer.url("/whoami"));
    cfg.auth = Auth::Subprotocol {
        token: "tok123".into(),
    };
    let client = Client::connect(cfg).unwrap();
    let whoami = String::from_utf8(receive_n(&client, 1).remove(0)).unwrap();
    assert!(whoami.contains(r#""subprotocol": "tok123""#), "{whoami}");

    let mut cfg = config(&peer.url("/whoami"));
    cfg.auth = Auth::Headers(vec![("Authorization".into(), "Bearer abc".into())]);
    let client = Client::connect(cfg).unwrap();
    let whoami = String::from_utf8(receive_n(&client, 1).remove(0)).unwrap();
    assert!(
        whoami.contains(r#""authorization": "Bearer abc""#),
        "{whoami}"
    );
}
