//! `shutdown_all` with live connections returns with every thread joined.
//! Its own test binary: it stops every connection in the process.

mod common;

use common::*;
use devian_ws_engine::{shutdown_all, Client, Event, MessageKind, State};
use std::time::{Duration, Instant};

/// Threads of this process whose name starts with `prefix` (from /proc/self/task).
fn threads_named(prefix: &str) -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .filter(|name| name.starts_with(prefix))
        .count()
}

#[test]
fn shutdown_all_joins_every_thread() {
    let server = Server::start(echo);
    let before = threads_named("devian-ws-");
    assert_eq!(before, 0);
    let clients: Vec<Client> = (0..4)
        .map(|_| {
            let mut cfg = config(&server.url());
            cfg.keepalive.ping_interval = Some(Duration::from_millis(50));
            Client::connect(cfg).unwrap()
        })
        .collect();
    for c in &clients {
        wait_open(c);
        c.send(MessageKind::Text, b"live").unwrap();
    }
    for c in &clients {
        assert_eq!(receive_n(c, 1), vec![b"live".to_vec()]);
    }
    // A send thread and a receive thread per connection.
    assert_eq!(threads_named("devian-ws-send"), 4);
    assert_eq!(threads_named("devian-ws-recv"), 4);

    shutdown_all();

    for c in &clients {
        assert_eq!(c.state(), State::Closed);
        wait_event(c, |e| matches!(e, Event::Closed { .. }), |_| {});
        assert!(c.send(MessageKind::Text, b"x").is_err());
    }
    // Joined threads leave /proc a moment after pthread_join returns; bounded wait.
    let deadline = Instant::now() + Duration::from_secs(5);
    while threads_named("devian-ws-") > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(
        threads_named("devian-ws-"),
        0,
        "threads left running after shutdown_all"
    );

    // The library stays usable afterwards (Unity reloads the domain, then reconnects).
    let again = Client::connect(config(&server.url())).unwrap();
    wait_open(&again);
    again.shutdown();
    drop(clients);
}
