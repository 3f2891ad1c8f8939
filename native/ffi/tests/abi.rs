//! ABI tests: everything here goes through the exported `extern "C"`
//! functions exactly as C or C# calls them.

mod support;

use devian_ws::*;
use std::ptr::{null, null_mut};
use support::*;

/// Handles that were never issued: 0, made-up values, all bits set.
const BOGUS: [u64; 4] = [0, 1, 0xdead_beef_0000_0007, u64::MAX];

/// Every function taking a handle, called with `h` and otherwise valid arguments.
fn call_all(h: u64) -> Vec<(&'static str, DwsStatus)> {
    let s = c("x");
    let proxy = c("socks5h://127.0.0.1:1080");
    let pem = b"-----BEGIN CERTIFICATE-----\n";
    let pin = [0u8; 32];
    let codes = [1006u16];
    let data = b"hi";
    let mut ev = DwsEvent::NONE;
    let mut state = 0u32;
    let mut stats = DwsStats::default();
    let mut reserved: *mut u8 = null_mut();
    unsafe {
        vec![
            ("add_protocol", dws_client_add_protocol(h, ap(&s))),
            ("add_header", dws_client_add_header(h, ap(&s), ap(&s))),
            ("set_origin", dws_client_set_origin(h, ap(&s))),
            ("set_proxy", dws_client_set_proxy(h, ap(&proxy))),
            ("set_proxy_from_env", dws_client_set_proxy_from_env(h)),
            (
                "add_root_ca_pem",
                dws_client_add_root_ca_pem(h, pem.as_ptr().cast(), pem.len() as u64),
            ),
            ("pin_sha256", dws_client_pin_sha256(h, pin.as_ptr().cast())),
            (
                "dangerous",
                dws_client_dangerous_accept_any_certificate(h, 0),
            ),
            (
                "reconnect_codes",
                dws_client_set_reconnect_codes(h, codes.as_ptr().cast(), 1),
            ),
            ("auth_query", dws_client_set_auth_query(h, ap(&s), ap(&s))),
            (
                "auth_first_message",
                dws_client_set_auth_first_message(h, ap(&s), ap(&s), ap(&s)),
            ),
            (
                "auth_subprotocol",
                dws_client_set_auth_subprotocol(h, ap(&s)),
            ),
            ("auth_header", dws_client_set_auth_header(h, ap(&s), ap(&s))),
            ("connect", dws_client_connect(h)),
            (
                "send",
                dws_client_send(h, DWS_MESSAGE_BINARY, data.as_ptr().cast(), 2),
            ),
            ("send_reserve", dws_client_send_reserve(h, 2, &mut reserved)),
            ("send_commit", dws_client_send_commit(h, DWS_MESSAGE_BINARY)),
            ("send_abort", dws_client_send_abort(h)),
            ("wait", dws_client_wait(h, 0)),
            ("poll", dws_client_poll(h, &mut ev)),
            ("release", dws_client_release(h)),
            ("state", dws_client_state(h, &mut state)),
            ("stats", dws_client_stats(h, &mut stats)),
            ("close", dws_client_close(h, 1000, ap(&s))),
            ("free", dws_client_free(h)),
        ]
    }
}

fn assert_all_invalid(h: u64) {
    for (name, status) in call_all(h) {
        assert_eq!(
            status,
            DwsStatus::InvalidHandle,
            "{name} with handle {h:#x}"
        );
        assert!(
            last_error().contains("handle") || last_error().contains("freed"),
            "{name}: {}",
            last_error()
        );
    }
    let mut buf = [0u8; 8];
    assert_eq!(
        unsafe { dws_client_protocol(h, buf.as_mut_ptr().cast(), 8) },
        0
    );
}

#[test]
fn never_issued_handles_are_invalid_handle_for_every_function() {
    let _t = serial();
    for h in BOGUS {
        assert_all_invalid(h);
    }
}

#[test]
fn a_handle_used_after_free_is_invalid_and_double_free_fails() {
    let _t = serial();
    let h = new_client("ws://127.0.0.1:9/", None);
    assert_eq!(dws_client_free(h), DwsStatus::Ok);
    assert_eq!(dws_client_free(h), DwsStatus::InvalidHandle, "double free");
    assert_all_invalid(h);
}

#[test]
fn a_stale_generation_never_reaches_the_slots_new_client() {
    let _t = serial();
    let old = new_client("ws://127.0.0.1:9/a", None);
    assert_eq!(dws_client_free(old), DwsStatus::Ok);
    let new = new_client("ws://127.0.0.1:9/b", None);
    assert_eq!(new as u32, old as u32, "the slot is reused");
    assert_ne!(new, old);
    assert_all_invalid(old);
    // The new client is untouched by all those calls (including the stale free).
    let p = c("chat");
    assert_eq!(
        unsafe { dws_client_add_protocol(new, ap(&p)) },
        DwsStatus::Ok
    );
    assert_eq!(dws_client_free(new), DwsStatus::Ok);
}

#[test]
fn null_pointers_are_reported_for_every_pointer_parameter() {
    let _t = serial();
    use DwsStatus::NullPointer as NP;
    let url = c("ws://127.0.0.1:9/");
    let mut h = 0u64;
    unsafe {
        assert_eq!(dws_options_default(null_mut()), NP);
        assert_eq!(dws_client_new(null(), null_str(), &mut h), NP);
        assert_eq!(dws_client_new(null(), ap(&url), null_mut()), NP);
    }
    let h = new_client("ws://127.0.0.1:9/", None);
    let s = c("x");
    unsafe {
        let cases = [
            ("add_protocol", dws_client_add_protocol(h, null_str())),
            (
                "add_header name",
                dws_client_add_header(h, null_str(), ap(&s)),
            ),
            (
                "add_header value",
                dws_client_add_header(h, ap(&s), null_str()),
            ),
            ("set_origin", dws_client_set_origin(h, null_str())),
            ("add_root_ca_pem", dws_client_add_root_ca_pem(h, null(), 10)),
            ("pin_sha256", dws_client_pin_sha256(h, null())),
            (
                "reconnect_codes",
                dws_client_set_reconnect_codes(h, null(), 2),
            ),
            (
                "auth_query name",
                dws_client_set_auth_query(h, null_str(), ap(&s)),
            ),
            (
                "auth_query token",
                dws_client_set_auth_query(h, ap(&s), null_str()),
            ),
            (
                "first_message template",
                dws_client_set_auth_first_message(h, null_str(), ap(&s), ap(&s)),
            ),
            (
                "first_message token",
                dws_client_set_auth_first_message(h, ap(&s), null_str(), ap(&s)),
            ),
            (
                "first_message type",
                dws_client_set_auth_first_message(h, ap(&s), ap(&s), null_str()),
            ),
            (
                "auth_subprotocol",
                dws_client_set_auth_subprotocol(h, null_str()),
            ),
            (
                "auth_header name",
                dws_client_set_auth_header(h, null_str(), ap(&s)),
            ),
            (
                "auth_header value",
                dws_client_set_auth_header(h, ap(&s), null_str()),
            ),
            ("poll", dws_client_poll(h, null_mut())),
            ("state", dws_client_state(h, null_mut())),
            ("stats", dws_client_stats(h, null_mut())),
        ];
        for (name, status) in cases {
            assert_eq!(status, NP, "{name}");
        }
        // Data pointers are checked before the client's state is.
        assert_eq!(dws_client_send(h, DWS_MESSAGE_BINARY, null(), 3), NP);
        assert_eq!(dws_client_send_reserve(h, 3, null_mut()), NP);
        // Size queries with a null buffer are allowed and copy nothing.
        assert_eq!(dws_client_protocol(h, null_mut(), 0), 0);
        assert!(dws_last_error(null_mut(), 64) > 0);
        assert_eq!(dws_list(null_mut(), 4), 0, "null array with a capacity");
    }
    assert_eq!(dws_client_free(h), DwsStatus::Ok);
}

#[test]
fn invalid_utf8_strings_are_rejected() {
    let _t = serial();
    let bad = std::ffi::CString::new(vec![b'w', b's', 0xc3, 0x28]).expect("no NUL");
    let mut h = 0u64;
    assert_eq!(
        unsafe { dws_client_new(null(), ap(&bad), &mut h) },
        DwsStatus::InvalidUtf8
    );
    assert_eq!(h, 0, "nothing written on failure");
    let h = new_client("ws://127.0.0.1:9/", None);
    assert_eq!(
        unsafe { dws_client_add_protocol(h, ap(&bad)) },
        DwsStatus::InvalidUtf8
    );
    assert_eq!(
        unsafe { dws_client_set_auth_query(h, ap(&c("token")), ap(&bad)) },
        DwsStatus::InvalidUtf8
    );
    // RFC 6455 §5.6: a text message must be UTF-8.
    let bytes = [0xffu8, 0xfe];
    assert_eq!(
        unsafe { dws_client_send(h, DWS_MESSAGE_TEXT, bytes.as_ptr().cast(), 2) },
        DwsStatus::InvalidUtf8
    );
    assert_eq!(dws_client_free(h), DwsStatus::Ok);
}

#[test]
fn invalid_arguments_are_rejected_before_connect() {
    let _t = serial();
    let h = new_client("ws://127.0.0.1:9/", None);
    use DwsStatus::InvalidArgument as IA;
    let data = b"x";
    unsafe {
        // RFC 6455 §4.1: sub-protocols are tokens; a comma would split the header.
        assert_eq!(dws_client_add_protocol(h, ap(&c("a,b"))), IA);
        assert_eq!(
            dws_client_add_header(h, ap(&c("X-A")), ap(&c("1\r\nX-B: 2"))),
            IA
        );
        assert_eq!(dws_client_dangerous_accept_any_certificate(h, 2), IA);
        assert_eq!(dws_client_add_root_ca_pem(h, data.as_ptr().cast(), 0), IA);
        assert_eq!(dws_client_send(h, 3, data.as_ptr().cast(), 1), IA, "kind 3");
        // RFC 6455 §7.4.1: 1005/1006/1015 are never sent.
        assert_eq!(dws_client_close(h, 1006, null_str()), IA);
        assert_eq!(dws_client_close(h, 999, null_str()), IA);
        // RFC 6455 §5.5: the reason fits a 125-byte control frame with the code.
        let long = c(&"r".repeat(124));
        assert_eq!(dws_client_close(h, 1000, ap(&long)), IA);
    }
    let bad = DwsOptions {
        pong_timeout_ms: 0,
        ..default_options()
    };
    let url = c("ws://127.0.0.1:9/");
    let mut h2 = 0u64;
    assert_eq!(unsafe { dws_client_new(&bad, ap(&url), &mut h2) }, IA);
    assert!(last_error().contains("pong_timeout_ms"), "{}", last_error());
    assert_eq!(dws_client_free(h), DwsStatus::Ok);
}

fn default_options() -> DwsOptions {
    let mut o = std::mem::MaybeUninit::<DwsOptions>::uninit();
    assert_eq!(
        unsafe { dws_options_default(o.as_mut_ptr()) },
        DwsStatus::Ok
    );
    // SAFETY: fully written by dws_options_default on Ok.
    unsafe { o.assume_init() }
}

#[test]
fn before_connect_send_poll_and_close_are_invalid_state() {
    let _t = serial();
    let h = new_client("ws://127.0.0.1:9/", None);
    let data = b"early";
    let mut ev = DwsEvent::NONE;
    unsafe {
        assert_eq!(
            dws_client_send(h, DWS_MESSAGE_TEXT, data.as_ptr().cast(), 5),
            DwsStatus::InvalidState
        );
        assert!(last_error().contains("connect"), "{}", last_error());
        let mut p: *mut u8 = null_mut();
        assert_eq!(
            dws_client_send_reserve(h, 5, &mut p),
            DwsStatus::InvalidState
        );
        assert_eq!(
            dws_client_send_commit(h, DWS_MESSAGE_TEXT),
            DwsStatus::InvalidState
        );
        assert_eq!(dws_client_poll(h, &mut ev), DwsStatus::InvalidState);
        assert_eq!(
            dws_client_close(h, 1000, null_str()),
            DwsStatus::InvalidState
        );
        let mut state = 99u32;
        assert_eq!(dws_client_state(h, &mut state), DwsStatus::Ok);
        assert_eq!(state, DWS_STATE_CLOSED);
        let mut stats = DwsStats {
            reconnects: 5,
            ..Default::default()
        };
        assert_eq!(dws_client_stats(h, &mut stats), DwsStatus::Ok);
        assert_eq!(stats, DwsStats::default());
        assert_eq!(dws_client_release(h), DwsStatus::Ok, "nothing held is fine");
    }
    assert_eq!(dws_client_free(h), DwsStatus::Ok);
}

#[test]
fn last_error_truncates_and_reports_the_full_length() {
    let _t = serial();
    assert_eq!(dws_client_free(0), DwsStatus::InvalidHandle);
    let full = last_error();
    assert!(full.len() > 4);
    let mut small = [0u8; 4];
    let n = unsafe { dws_last_error(small.as_mut_ptr().cast(), 4) };
    assert_eq!(n as usize, full.len());
    assert_eq!(&small, &full.as_bytes()[..4]);
    // Per thread: another thread has no error yet.
    let other = std::thread::spawn(|| unsafe { dws_last_error(null_mut(), 0) })
        .join()
        .expect("thread");
    assert_eq!(other, 0);
}

#[test]
fn list_reports_live_handles_and_truncates_to_capacity() {
    let _t = serial();
    let before = unsafe { dws_list(null_mut(), 0) };
    let a = new_client("ws://127.0.0.1:9/a", None);
    let b = new_client("ws://127.0.0.1:9/b", None);
    let mut all = vec![0u64; before as usize + 2];
    let n = unsafe { dws_list(all.as_mut_ptr().cast(), all.len() as u32) };
    assert_eq!(n, before + 2);
    assert!(all.contains(&a) && all.contains(&b));
    let mut one = [0u64; 1];
    assert_eq!(
        unsafe { dws_list(one.as_mut_ptr().cast(), 1) },
        before + 2,
        "count exceeds capacity"
    );
    assert_ne!(one[0], 0);
    assert_eq!(dws_client_free(a), DwsStatus::Ok);
    assert_eq!(dws_client_free(b), DwsStatus::Ok);
    assert_eq!(unsafe { dws_list(null_mut(), 0) }, before);
}

#[test]
fn poll_after_shutdown_all_is_invalid_handle() {
    let _t = serial();
    let handles = [
        new_client("ws://127.0.0.1:9/a", None),
        new_client("ws://127.0.0.1:9/b", None),
    ];
    // The status also reflects the engine's own shutdown (asserted Ok in
    // the end-to-end test); the handles must be gone either way.
    let _ = dws_shutdown_all();
    assert_eq!(unsafe { dws_list(null_mut(), 0) }, 0);
    for h in handles {
        let mut ev = DwsEvent::NONE;
        assert_eq!(
            unsafe { dws_client_poll(h, &mut ev) },
            DwsStatus::InvalidHandle
        );
        assert_eq!(dws_client_free(h), DwsStatus::InvalidHandle);
    }
}

#[test]
fn options_default_round_trips_through_client_new() {
    let _t = serial();
    let o = default_options();
    assert_eq!(o, DwsOptions::default());
    assert_eq!(o.struct_size as usize, std::mem::size_of::<DwsOptions>());
    assert_eq!(o.reconnect_max_delay_ms, 30_000, "seed 002: 30 s cap");
    let h = new_client("ws://127.0.0.1:9/", Some(&o));
    assert_eq!(dws_client_free(h), DwsStatus::Ok);
}

// A struct_size the library does not know is refused before anything past it
// is read: a caller compiled against another layout never has its memory
// read past the end (or misread).
#[test]
fn options_with_a_foreign_struct_size_are_refused() {
    let _t = serial();
    let url = c("ws://127.0.0.1:9/");
    let size = std::mem::size_of::<DwsOptions>() as u32;
    for bad in [0, 4, size - 8, size + 8, u32::MAX] {
        let o = DwsOptions {
            struct_size: bad,
            ..default_options()
        };
        let mut h = 0u64;
        assert_eq!(
            unsafe { dws_client_new(&o, ap(&url), &mut h) },
            DwsStatus::InvalidArgument,
            "struct_size {bad}"
        );
        assert!(last_error().contains("struct_size"), "{}", last_error());
        assert_eq!(h, 0, "no handle issued");
    }
}

// ---- End to end through the engine, against a loopback echo server ----

use std::time::{Duration, Instant};
use support::echo_server::{EchoServer, DEFLATE_GREETING};

/// Bound on waiting for any one event.
const EVENT_TIMEOUT: Duration = Duration::from_secs(10);

/// Copies the bytes an event points at (valid until the next poll/release).
fn event_bytes(ev: &DwsEvent) -> Vec<u8> {
    if ev.len == 0 {
        return Vec::new();
    }
    assert!(!ev.data.is_null());
    // SAFETY: the library keeps `len` bytes at `data` until the next poll or release.
    unsafe { std::slice::from_raw_parts(ev.data, ev.len as usize) }.to_vec()
}

/// Polls until an event of `kind` arrives, returning it and its bytes;
/// panics on a Closed event first (unless waiting for it) or after EVENT_TIMEOUT.
fn poll_until(h: u64, kind: u32) -> (DwsEvent, Vec<u8>) {
    let deadline = Instant::now() + EVENT_TIMEOUT;
    // Bounded in count as well as time: 1 ms sleeps for at most EVENT_TIMEOUT.
    for _ in 0..EVENT_TIMEOUT.as_millis() {
        let mut ev = DwsEvent::NONE;
        match unsafe { dws_client_poll(h, &mut ev) } {
            DwsStatus::Ok if ev.kind == kind => return (ev, event_bytes(&ev)),
            DwsStatus::Ok if ev.kind == DWS_EVENT_CLOSED => {
                panic!(
                    "closed while waiting for {kind}: {}",
                    String::from_utf8_lossy(&event_bytes(&ev))
                )
            }
            DwsStatus::Ok => {}
            DwsStatus::Empty => std::thread::sleep(Duration::from_millis(1)),
            other => panic!("poll: {other:?}: {}", last_error()),
        }
        if Instant::now() > deadline {
            break;
        }
    }
    panic!("no event {kind} within {EVENT_TIMEOUT:?}")
}

fn quiet_options() -> DwsOptions {
    // No keep-alive pings or reconnects: the test controls every frame.
    DwsOptions {
        ping_interval_ms: 0,
        reconnect_enabled: 0,
        ..default_options()
    }
}

// A consumer may be reading a polled event on one thread (inside Update())
// while another calls dws_shutdown_all: the event's memory must outlive the
// shutdown until it is released.
#[test]
fn shutdown_all_keeps_a_borrowed_event_until_it_is_released() {
    let _t = serial();
    let server = EchoServer::start(1);
    let h = new_client(&server.url("/echo"), Some(&quiet_options()));
    assert_eq!(dws_client_connect(h), DwsStatus::Ok);
    poll_until(h, DWS_EVENT_OPEN);
    let payload: Vec<u8> = (0..4096u32).map(|i| (i * 7) as u8).collect();
    let status = unsafe {
        dws_client_send(
            h,
            DWS_MESSAGE_BINARY,
            payload.as_ptr().cast(),
            payload.len() as u64,
        )
    };
    assert_eq!(status, DwsStatus::Ok);
    let (borrowed, bytes) = poll_until(h, DWS_EVENT_MESSAGE);
    assert_eq!(bytes, payload);

    assert_eq!(dws_shutdown_all(), DwsStatus::Ok);
    // Other clients churn through the buffer pool meanwhile.
    let other = new_client(&server.url("/echo"), Some(&quiet_options()));
    assert_eq!(dws_client_free(other), DwsStatus::Ok);

    assert_eq!(
        event_bytes(&borrowed),
        payload,
        "borrowed event intact after shutdown_all"
    );
    assert_eq!(
        unsafe { dws_list(null_mut(), 0) },
        0,
        "a retired handle is not listed"
    );
    let mut ev = DwsEvent::NONE;
    assert_eq!(
        unsafe { dws_client_poll(h, &mut ev) },
        DwsStatus::InvalidHandle
    );
    // Found by the c_abi fuzz target: the handle is checked before the
    // arguments, so a retired handle with a bad argument is InvalidHandle too.
    assert_eq!(
        unsafe { dws_client_close(h, 28048, null_str()) },
        DwsStatus::InvalidHandle
    );
    assert_eq!(
        unsafe { dws_client_add_protocol(h, null_str()) },
        DwsStatus::InvalidHandle
    );
    assert_eq!(
        dws_client_release(h),
        DwsStatus::Ok,
        "the borrow is released"
    );
    assert_eq!(
        dws_client_release(h),
        DwsStatus::InvalidHandle,
        "then the handle is gone"
    );
    assert_eq!(dws_client_free(h), DwsStatus::InvalidHandle);
}

#[test]
fn end_to_end_send_poll_release_close_free() {
    let _t = serial();
    let server = EchoServer::start(1);
    let h = new_client(&server.url("/echo"), Some(&quiet_options()));
    unsafe {
        assert_eq!(dws_client_add_protocol(h, ap(&c("chat.v1"))), DwsStatus::Ok);
        assert_eq!(dws_client_connect(h), DwsStatus::Ok);
        assert_eq!(
            dws_client_connect(h),
            DwsStatus::InvalidState,
            "connect twice"
        );
        assert_eq!(
            dws_client_add_protocol(h, ap(&c("late"))),
            DwsStatus::InvalidState,
            "configure after connect"
        );
    }

    // RFC 6455 §4.2.2: the server picked the offered sub-protocol.
    let (_, protocol) = poll_until(h, DWS_EVENT_OPEN);
    assert_eq!(protocol, b"chat.v1");
    let mut buf = [0u8; 16];
    let n = unsafe { dws_client_protocol(h, buf.as_mut_ptr().cast(), 16) };
    assert_eq!(&buf[..n as usize], b"chat.v1");
    let mut state = 0u32;
    assert_eq!(unsafe { dws_client_state(h, &mut state) }, DwsStatus::Ok);
    assert_eq!(state, DWS_STATE_OPEN);

    let text = "héllo";
    let binary: Vec<u8> = (0..=255u8).collect();
    unsafe {
        assert_eq!(
            dws_client_send(h, DWS_MESSAGE_TEXT, text.as_ptr().cast(), text.len() as u64),
            DwsStatus::Ok
        );
        assert_eq!(
            dws_client_send(
                h,
                DWS_MESSAGE_BINARY,
                binary.as_ptr().cast(),
                binary.len() as u64
            ),
            DwsStatus::Ok
        );
        assert_eq!(
            dws_client_send(h, DWS_MESSAGE_BINARY, null(), 0),
            DwsStatus::Ok,
            "empty message"
        );
        assert_eq!(
            send_reserved(h, DWS_MESSAGE_BINARY, b"\xf9\xff\xff\xffabc"),
            DwsStatus::Ok
        );
    }

    // Echoed in order (RFC 6455 §5.4: messages are delivered in order).
    let (ev, bytes) = poll_until(h, DWS_EVENT_MESSAGE);
    assert_eq!(
        (ev.message_kind, bytes.as_slice()),
        (DWS_MESSAGE_TEXT, text.as_bytes())
    );
    let (ev, bytes) = poll_until(h, DWS_EVENT_MESSAGE);
    assert_eq!(
        (ev.message_kind, bytes),
        (DWS_MESSAGE_BINARY, binary.clone())
    );
    assert_eq!(dws_client_release(h), DwsStatus::Ok);
    assert_eq!(dws_client_release(h), DwsStatus::Ok, "double release");
    let (ev, bytes) = poll_until(h, DWS_EVENT_MESSAGE);
    assert_eq!(
        (ev.message_kind, ev.len, bytes.len()),
        (DWS_MESSAGE_BINARY, 0, 0)
    );
    let (ev, bytes) = poll_until(h, DWS_EVENT_MESSAGE);
    assert_eq!(ev.message_kind, DWS_MESSAGE_BINARY);
    assert_eq!(
        bytes,
        [0xf9, 0xff, 0xff, 0xff, b'a', b'b', b'c'],
        "built in the reserved buffer"
    );

    let mut stats = DwsStats::default();
    assert_eq!(unsafe { dws_client_stats(h, &mut stats) }, DwsStatus::Ok);
    assert_eq!((stats.messages_sent, stats.messages_received), (4, 4));
    assert_eq!(stats.bytes_sent, (text.len() + binary.len() + 7) as u64);

    // RFC 6455 §7.1.2: close handshake; the server echoes our code.
    let bye = c("bye");
    assert_eq!(
        unsafe { dws_client_close(h, 1000, ap(&bye)) },
        DwsStatus::Ok
    );
    assert_eq!(
        unsafe { dws_client_close(h, 1000, ap(&bye)) },
        DwsStatus::Closed,
        "double close"
    );
    let (ev, _) = poll_until(h, DWS_EVENT_CLOSED);
    assert_eq!((ev.code, ev.was_clean), (1000, 1));
    assert_eq!(
        unsafe { dws_client_send(h, DWS_MESSAGE_TEXT, b"x".as_ptr().cast(), 1) },
        DwsStatus::Closed
    );

    assert_eq!(dws_client_free(h), DwsStatus::Ok);
    assert_eq!(dws_client_free(h), DwsStatus::InvalidHandle);
    assert!(
        server.finished.recv_timeout(EVENT_TIMEOUT).is_ok(),
        "server saw the connection end"
    );
}

#[test]
fn shutdown_all_closes_every_client_and_invalidates_every_handle() {
    let _t = serial();
    let server = EchoServer::start(2);
    let handles: Vec<u64> = (0..2)
        .map(|i| {
            let h = new_client(&server.url(&format!("/{i}")), Some(&quiet_options()));
            assert_eq!(dws_client_connect(h), DwsStatus::Ok);
            h
        })
        .collect();
    for &h in &handles {
        poll_until(h, DWS_EVENT_OPEN);
        // Nothing borrowed (see shutdown_all_keeps_a_borrowed_event_until_it_is_released).
        assert_eq!(dws_client_release(h), DwsStatus::Ok);
    }
    assert_eq!(dws_shutdown_all(), DwsStatus::Ok, "{}", last_error());
    assert_eq!(unsafe { dws_list(null_mut(), 0) }, 0);
    for &h in &handles {
        let mut ev = DwsEvent::NONE;
        assert_eq!(
            unsafe { dws_client_poll(h, &mut ev) },
            DwsStatus::InvalidHandle,
            "poll after shutdown"
        );
        assert_eq!(dws_client_free(h), DwsStatus::InvalidHandle);
    }
    // Both sockets were closed: the server's connections ended.
    for _ in &handles {
        assert!(server.finished.recv_timeout(EVENT_TIMEOUT).is_ok());
    }
    // The library stays usable after a shutdown (Unity domain reload).
    let h = new_client(&server.url("/after"), None);
    assert_eq!(dws_client_free(h), DwsStatus::Ok);
    assert_eq!(dws_shutdown_all(), DwsStatus::Ok, "idempotent");
}

#[test]
fn a_refused_connection_reports_error_then_closed_1006() {
    let _t = serial();
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let h = new_client(&format!("ws://127.0.0.1:{port}/"), Some(&quiet_options()));
    assert_eq!(
        dws_client_connect(h),
        DwsStatus::Ok,
        "connect returns at once"
    );
    let (ev, text) = poll_until(h, DWS_EVENT_ERROR);
    assert_eq!(ev.error_kind, 1, "I/O: {}", String::from_utf8_lossy(&text));
    assert!(!text.is_empty() && std::str::from_utf8(&text).is_ok());
    // RFC 6455 §7.1.5: no Close frame was received, so the code is 1006.
    let (ev, _) = poll_until(h, DWS_EVENT_CLOSED);
    assert_eq!((ev.code, ev.was_clean), (1006, 0));
    assert_eq!(dws_client_free(h), DwsStatus::Ok);
}

#[test]
fn a_url_the_engine_refuses_is_an_invalid_argument_and_stays_configurable() {
    let _t = serial();
    let h = new_client("http://127.0.0.1:9/", None);
    assert_eq!(dws_client_connect(h), DwsStatus::InvalidArgument);
    assert!(!last_error().is_empty());
    // Still unconnected: configuration calls are accepted.
    assert_eq!(
        unsafe { dws_client_add_protocol(h, ap(&c("chat"))) },
        DwsStatus::Ok
    );
    assert_eq!(dws_client_free(h), DwsStatus::Ok);
}

/// Found by the c_abi fuzz target in a 30-minute campaign:
/// a root CA text without a CERTIFICATE section was reported as `Internal`.
#[test]
fn a_root_ca_pem_without_a_certificate_is_an_invalid_argument_at_connect() {
    let _t = serial();
    let h = new_client("wss://127.0.0.1:9/", None);
    let pem = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    assert_eq!(
        unsafe { dws_client_add_root_ca_pem(h, pem.as_ptr().cast(), pem.len() as u64) },
        DwsStatus::Ok
    );
    assert_eq!(dws_client_connect(h), DwsStatus::InvalidArgument);
    assert!(
        last_error().contains("no CERTIFICATE section"),
        "{}",
        last_error()
    );
    assert_eq!(dws_client_free(h), DwsStatus::Ok);
}

/// Connects a quiet client to `server` and waits for Open.
fn open_client(server: &EchoServer, path: &str) -> u64 {
    let h = new_client(&server.url(path), Some(&quiet_options()));
    assert_eq!(dws_client_connect(h), DwsStatus::Ok, "{}", last_error());
    poll_until(h, DWS_EVENT_OPEN);
    h
}

#[test]
fn sends_from_several_threads_arrive_whole_and_in_per_thread_order() {
    let _t = serial();
    const THREADS: u32 = 4;
    const EACH: u32 = 200;
    let server = EchoServer::start(1);
    let h = open_client(&server, "/threads");
    let senders: Vec<_> = (0..THREADS)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..EACH {
                    let msg = format!("{t}:{i}:{}", "x".repeat((i % 50) as usize));
                    let s = unsafe {
                        dws_client_send(h, DWS_MESSAGE_TEXT, msg.as_ptr().cast(), msg.len() as u64)
                    };
                    assert_eq!(s, DwsStatus::Ok, "thread {t} message {i}");
                }
            })
        })
        .collect();
    for s in senders {
        s.join().expect("sender thread");
    }
    let mut next = [0u32; THREADS as usize];
    for _ in 0..THREADS * EACH {
        let (_, bytes) = poll_until(h, DWS_EVENT_MESSAGE);
        let text = String::from_utf8(bytes).expect("text");
        let mut parts = text.splitn(3, ':');
        let t: usize = parts
            .next()
            .and_then(|p| p.parse().ok())
            .expect("thread id");
        let i: u32 = parts.next().and_then(|p| p.parse().ok()).expect("index");
        assert_eq!(i, next[t], "thread {t}'s messages in order, none lost");
        assert_eq!(
            parts.next().map(str::len),
            Some((i % 50) as usize),
            "not torn"
        );
        next[t] += 1;
    }
    assert_eq!(dws_client_free(h), DwsStatus::Ok);
}

/// Reserve, fill with `bytes`, commit: how C# writes a message in place.
fn send_reserved(h: u64, kind: u32, bytes: &[u8]) -> DwsStatus {
    let mut p: *mut u8 = null_mut();
    let s = unsafe { dws_client_send_reserve(h, bytes.len() as u64, &mut p) };
    if s != DwsStatus::Ok {
        return s;
    }
    assert!(!p.is_null() || bytes.is_empty());
    // SAFETY: the library lent `bytes.len()` writable bytes at `p` until the commit.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len()) };
    dws_client_send_commit(h, kind)
}

#[test]
fn a_reservation_is_one_at_a_time_and_ends_with_commit_or_abort() {
    let _t = serial();
    let server = EchoServer::start(1);
    let h = open_client(&server, "/reserve");
    let mut p: *mut u8 = null_mut();
    let mut q: *mut u8 = null_mut();
    unsafe {
        assert_eq!(dws_client_send_reserve(h, 4, &mut p), DwsStatus::Ok);
        assert_eq!(std::slice::from_raw_parts(p, 4), [0; 4], "zeroed");
        assert_eq!(
            dws_client_send_reserve(h, 4, &mut q),
            DwsStatus::InvalidState,
            "one at a time"
        );
        assert_eq!(dws_client_send_abort(h), DwsStatus::Ok);
        assert_eq!(
            dws_client_send_abort(h),
            DwsStatus::Ok,
            "abort with nothing reserved"
        );
        assert_eq!(
            dws_client_send_commit(h, DWS_MESSAGE_BINARY),
            DwsStatus::InvalidState,
            "aborted"
        );
        // RFC 6455 §5.6: text must be UTF-8; the reservation ends anyway.
        assert_eq!(
            send_reserved(h, DWS_MESSAGE_TEXT, b"\xff\xfe"),
            DwsStatus::InvalidUtf8
        );
        assert_eq!(
            dws_client_send_commit(h, DWS_MESSAGE_TEXT),
            DwsStatus::InvalidState
        );
        assert_eq!(dws_client_send_reserve(h, 3, &mut p), DwsStatus::Ok);
        assert_eq!(
            dws_client_send_commit(h, 7),
            DwsStatus::InvalidArgument,
            "bad kind"
        );
        assert_eq!(
            dws_client_send_reserve(h, 1 << 40, &mut p),
            DwsStatus::InvalidArgument,
            "beyond the queue bound"
        );
    }
    assert_eq!(
        send_reserved(h, DWS_MESSAGE_TEXT, "héllo".as_bytes()),
        DwsStatus::Ok
    );
    let (ev, bytes) = poll_until(h, DWS_EVENT_MESSAGE);
    assert_eq!(
        (ev.message_kind, bytes.as_slice()),
        (DWS_MESSAGE_TEXT, "héllo".as_bytes())
    );
    // Freed with a reservation pending: the buffer goes with the handle.
    unsafe { assert_eq!(dws_client_send_reserve(h, 64, &mut p), DwsStatus::Ok) };
    assert_eq!(dws_client_free(h), DwsStatus::Ok);
}

#[test]
fn proxy_urls_are_checked_and_never_echo_credentials() {
    let _t = serial();
    let h = new_client("ws://127.0.0.1:9/", None);
    let secret = c("ftp://alice:hunter2@proxy:21");
    unsafe {
        assert_eq!(
            dws_client_set_proxy(h, ap(&secret)),
            DwsStatus::InvalidArgument
        );
        assert!(!last_error().contains("hunter2"), "{}", last_error());
        for ok in [
            "http://alice:hunter2@127.0.0.1:3128",
            "https://alice:hunter2@localhost",
            "socks5h://127.0.0.1",
        ] {
            assert_eq!(dws_client_set_proxy(h, ap(&c(ok))), DwsStatus::Ok, "{ok}");
        }
        assert_eq!(
            dws_client_set_proxy(h, null_str()),
            DwsStatus::Ok,
            "null: no proxy"
        );
        assert_eq!(
            dws_client_set_proxy(h, ap(&c(""))),
            DwsStatus::Ok,
            "empty: no proxy"
        );
    }
    assert_eq!(dws_client_set_proxy_from_env(h), DwsStatus::Ok);
    assert_eq!(dws_client_free(h), DwsStatus::Ok);
}

#[test]
fn wait_blocks_until_an_event_and_a_free_ends_it() {
    let _t = serial();
    let h = new_client("ws://127.0.0.1:9/", None);
    assert_eq!(
        dws_client_wait(h, 0),
        DwsStatus::InvalidState,
        "before connect"
    );
    assert_eq!(dws_client_free(h), DwsStatus::Ok);
    let server = EchoServer::start(1);
    let h = open_client(&server, "/wait");
    assert_eq!(
        dws_client_wait(h, 20),
        DwsStatus::Empty,
        "nothing arrives unasked"
    );
    assert_eq!(send_reserved(h, DWS_MESSAGE_TEXT, b"hi"), DwsStatus::Ok);
    assert_eq!(
        dws_client_wait(h, 10_000),
        DwsStatus::Ok,
        "the echo wakes it"
    );
    // Drain the echo so a waiter has nothing; then free the handle under it.
    let mut ev = DwsEvent::NONE;
    unsafe { while dws_client_poll(h, &mut ev) == DwsStatus::Ok {} };
    let waiter = std::thread::spawn(move || dws_client_wait(h, 60_000));
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert_eq!(dws_client_free(h), DwsStatus::Ok);
    assert_eq!(
        waiter.join().unwrap(),
        DwsStatus::InvalidHandle,
        "the free ended the wait"
    );
}

#[test]
fn a_large_message_round_trips_intact() {
    let _t = serial();
    let server = EchoServer::start(1);
    let h = open_client(&server, "/large");
    let big: Vec<u8> = (0..(1u32 << 20))
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let s = send_reserved(h, DWS_MESSAGE_BINARY, &big);
    assert_eq!(s, DwsStatus::Ok, "{}", last_error());
    let (ev, bytes) = poll_until(h, DWS_EVENT_MESSAGE);
    assert_eq!(ev.len as usize, big.len());
    assert!(bytes == big, "payload intact");
    assert_eq!(dws_client_free(h), DwsStatus::Ok);
}

#[test]
fn freeing_while_another_thread_polls_is_safe() {
    let _t = serial();
    let server = EchoServer::start(1);
    let h = open_client(&server, "/race");
    let poller = std::thread::spawn(move || {
        // Bounded: stops at the first InvalidHandle or after 10 s.
        let deadline = Instant::now() + EVENT_TIMEOUT;
        while Instant::now() < deadline {
            let mut ev = DwsEvent::NONE;
            match unsafe { dws_client_poll(h, &mut ev) } {
                DwsStatus::InvalidHandle => return true,
                DwsStatus::Ok | DwsStatus::Empty => std::thread::yield_now(),
                other => panic!("poll: {other:?}"),
            }
        }
        false
    });
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(dws_client_free(h), DwsStatus::Ok);
    assert!(
        poller.join().expect("poller"),
        "the poller saw the handle become invalid"
    );
}

// RFC 7692 through the C ABI: `permessage_deflate = 1` makes the engine
// offer deflate, the server agrees (and says so), and large compressible
// and incompressible messages come back intact.
#[test]
fn permessage_deflate_option_negotiates_and_round_trips() {
    let _t = serial();
    let server = EchoServer::start(1);
    let options = DwsOptions {
        permessage_deflate: 1,
        ..quiet_options()
    };
    let h = new_client(&server.url("/deflate"), Some(&options));
    assert_eq!(dws_client_connect(h), DwsStatus::Ok);
    poll_until(h, DWS_EVENT_OPEN);
    let (_, greeting) = poll_until(h, DWS_EVENT_MESSAGE);
    assert_eq!(greeting, DEFLATE_GREETING.as_bytes());
    let text = "permessage-deflate over the C ABI. ".repeat(30_000);
    let noise: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for (kind, data) in [
        (DWS_MESSAGE_TEXT, text.as_bytes()),
        (DWS_MESSAGE_BINARY, noise.as_slice()),
    ] {
        let status = unsafe { dws_client_send(h, kind, data.as_ptr().cast(), data.len() as u64) };
        assert_eq!(status, DwsStatus::Ok);
        let (ev, bytes) = poll_until(h, DWS_EVENT_MESSAGE);
        assert_eq!(ev.message_kind, kind);
        assert!(bytes == data, "echo differs");
    }
    assert_eq!(dws_client_free(h), DwsStatus::Ok);
}
