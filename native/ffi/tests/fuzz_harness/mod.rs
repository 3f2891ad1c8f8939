//! Fuzzer-chosen sequences of C ABI calls (the `c_abi` cargo-fuzz target,
//! replayed on stable by `tests/fuzz_regressions.rs`).
//!
//! The input is decoded with `arbitrary` into up to 64 calls of every `dws_`
//! function, each with fuzzer-chosen handles (live, freed, zero or any
//! number), message kinds, close codes, lengths, strings (valid, non-UTF-8,
//! null) and null or non-null pointers to buffers this harness owns,
//! against a loopback echo peer. It asserts:
//!
//! - no call returns `DWS_STATUS_PANIC`, crashes or hangs (libFuzzer's
//!   timeout and AddressSanitizer catch the last two);
//! - each status is one the header documents for that call in that
//!   situation: a null required pointer is `NullPointer`; a handle that was
//!   never issued or is freed is `InvalidHandle` (once `dws_shutdown_all`
//!   ran, every earlier handle is); `connect` twice, `poll`/`send`/`close`
//!   before `connect` are `InvalidState`; a second `free` is
//!   `InvalidHandle`; configuration after `connect` is `InvalidState`;
//! - `release` and `free` of a handle `dws_shutdown_all` retired are
//!   `InvalidHandle`, or `Ok` once if its polled event was still held;
//! - a send reservation is one at a time per handle, its buffer writable for
//!   exactly the bytes reserved, and it ends with a commit (whatever the
//!   status), an abort or a free;
//! - a polled event's data is readable in full (AddressSanitizer checks the
//!   bytes) until the next poll or release;
//! - whatever the sequence, every live handle can be freed at the end.

#[path = "../support/echo_server.rs"]
#[allow(dead_code)] // shared with the ABI tests
mod echo_server;

use arbitrary::{Arbitrary, Unstructured};
use devian_ws::*;
use interoptopus::patterns::string::AsciiPointer;
use std::collections::HashSet;
use std::ffi::CString;
use std::ptr::{null, null_mut};
use std::sync::OnceLock;

/// Which handle a call gets.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Handle {
    /// One issued in this input and not freed (index modulo their number).
    Live(u8),
    /// One freed earlier in this input.
    Freed(u8),
    Zero,
    Any(u64),
}

/// A string argument.
#[derive(Arbitrary, Debug)]
enum Text {
    Null,
    /// The bytes up to the first NUL (so possibly not UTF-8).
    Bytes(Vec<u8>),
    /// A known-good value for the argument (a token, header value, URL...).
    Good,
}

/// A (pointer, length) argument.
#[derive(Arbitrary, Debug)]
enum Buffer {
    /// Null with a length (0 is allowed for payloads, anything else is `NullPointer`).
    Null(u16),
    Data(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Url {
    Echo,
    Refused,
    Other(Text),
}

#[derive(Arbitrary, Debug)]
enum Options {
    Null,
    Default,
    /// Defaults with some fields changed (any values) and a struct size.
    Changed {
        struct_size: Option<u32>,
        ping_interval_ms: u16,
        max_message_size: u32,
        send_queue_max_messages: u8,
        reconnect_enabled: u8,
        reconnect_buffer_enabled: u8,
        permessage_deflate: u8,
        delivery: u8,
    },
}

#[derive(Arbitrary, Debug)]
enum Call {
    New(Options, Url),
    AddProtocol(Handle, Text),
    AddHeader(Handle, Text, Text),
    SetOrigin(Handle, Text),
    SetProxy(Handle, Text),
    SetProxyFromEnv(Handle),
    AddRootCaPem(Handle, Buffer),
    PinSha256(Handle, bool),
    DangerousAcceptAny(Handle, u8),
    SetReconnectCodes(Handle, Option<Vec<u16>>, u8),
    AuthQuery(Handle, Text, Text),
    AuthFirstMessage(Handle, Text, Text, Text),
    AuthSubprotocol(Handle, Text),
    AuthHeader(Handle, Text, Text),
    Connect(Handle),
    Send(Handle, u8, Buffer),
    /// Reserve `len` bytes (or pass a null out-pointer), fill them with the pattern.
    Reserve(Handle, u16, bool, u8),
    Commit(Handle, u8),
    Abort(Handle),
    /// Wait up to 0..=7 ms for an event.
    Wait(Handle, u8),
    Poll(Handle, bool),
    Release(Handle),
    State(Handle, bool),
    Stats(Handle, bool),
    Protocol(Handle, u8, bool),
    Close(Handle, u16, Text),
    Free(Handle),
    List(u8, bool),
    LastError(u8, bool),
    ShutdownAll,
    /// Let the engine threads run (0..=3 ms).
    Sleep(u8),
}

/// What the harness knows about a handle it was given.
#[derive(Default)]
struct Model {
    live: Vec<u64>,
    connected: HashSet<u64>,
    freed: Vec<u64>,
    /// Handles with a send reservation pending.
    reserved: HashSet<u64>,
    /// Invalidated by `dws_shutdown_all`; one whose event was still held
    /// answers `release` / `free` once more (`Ok`).
    retired: HashSet<u64>,
}

impl Model {
    fn pick(&self, h: Handle) -> (u64, bool) {
        match h {
            Handle::Live(i) if !self.live.is_empty() => {
                (self.live[usize::from(i) % self.live.len()], true)
            }
            Handle::Freed(i) if !self.freed.is_empty() => {
                (self.freed[usize::from(i) % self.freed.len()], false)
            }
            Handle::Live(_) | Handle::Freed(_) | Handle::Zero => (0, false),
            Handle::Any(v) => (v, self.live.contains(&v)),
        }
    }
}

fn echo_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        // Serves for the life of the process.
        let server = std::mem::ManuallyDrop::new(echo_server::EchoServer::start(usize::MAX));
        server.url("/fuzz")
    })
}

/// A C string for `text`, `good` standing for a valid value; `None` for null.
fn c_string(text: &Text, good: &str) -> Option<CString> {
    match text {
        Text::Null => None,
        Text::Good => Some(CString::new(good).expect("no NUL")),
        Text::Bytes(b) => {
            let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
            Some(CString::new(&b[..end]).expect("cut at the first NUL"))
        }
    }
}

/// Only loopback is dialled: a fuzzer-made URL the library would accept is
/// replaced by `good` when its host (`host_of`) is anything but 127.0.0.1,
/// ::1 or localhost, so no input makes the campaign look up or connect to
/// another machine. Malformed URLs still reach the library as they are.
fn loopback_only(text: &Text, good: &str, host_of: fn(&str) -> Option<String>) -> Option<CString> {
    let s = c_string(text, good)?;
    let host = s.to_str().ok().and_then(host_of);
    let loopback = |h: &str| {
        let h = h.trim_matches(['[', ']']);
        h.eq_ignore_ascii_case("localhost")
            || h.parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    };
    match host {
        Some(h) if !loopback(&h) => Some(CString::new(good).expect("no NUL")),
        _ => Some(s),
    }
}

fn target_host(url: &str) -> Option<String> {
    devian_ws_protocol::WsUrl::parse(url).ok().map(|u| u.host)
}

fn proxy_host(url: &str) -> Option<String> {
    devian_websocket::Proxy::parse(url)
        .ok()
        .map(|p| p.host().to_owned())
}

fn ptr(s: &Option<CString>) -> AsciiPointer<'_> {
    s.as_deref()
        .map_or_else(AsciiPointer::default, AsciiPointer::from_cstr)
}

fn buffer(b: &Buffer) -> (*const std::ffi::c_void, u64) {
    match b {
        Buffer::Null(len) => (null(), u64::from(*len)),
        Buffer::Data(d) => (d.as_ptr().cast(), d.len() as u64),
    }
}

/// The status a call with a `live` (or not) handle and a `null` required
/// pointer (or not) may return. With a bad handle or pointer: that error, or
/// another error of `otherwise` (the header does not order the checks), but
/// never success. Else one of `otherwise`.
fn expect_for(call: &Call, status: DwsStatus, live: bool, null: bool, otherwise: &[DwsStatus]) {
    if live && !null {
        return expect(call, status, otherwise);
    }
    let mut allowed: Vec<DwsStatus> = otherwise
        .iter()
        .copied()
        .filter(|s| !matches!(s, DwsStatus::Ok | DwsStatus::Empty))
        .collect();
    if !live {
        allowed.push(DwsStatus::InvalidHandle);
    }
    if null {
        allowed.push(DwsStatus::NullPointer);
    }
    expect(call, status, &allowed);
}

/// Asserts `status` is one of `allowed`, naming the call.
fn expect(call: &Call, status: DwsStatus, allowed: &[DwsStatus]) {
    assert_ne!(
        status,
        DwsStatus::Panic,
        "{call:?} panicked: {}",
        last_error()
    );
    assert!(
        allowed.contains(&status),
        "{call:?} returned {status:?}, documented: {allowed:?} ({})",
        last_error()
    );
}

fn last_error() -> String {
    let mut buf = [0u8; 256];
    let n = unsafe { dws_last_error(buf.as_mut_ptr().cast(), buf.len() as u32) };
    String::from_utf8_lossy(&buf[..(n as usize).min(buf.len())]).into_owned()
}

/// Runs one input; panics if a status is not what the header documents.
pub fn check_call_sequence(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(calls) = u.arbitrary_len::<Call>().and_then(|n| {
        (0..n.min(64))
            .map(|_| Call::arbitrary(&mut u))
            .collect::<arbitrary::Result<Vec<_>>>()
    }) else {
        return;
    };
    let mut model = Model::default();
    // DEVIAN_FUZZ_TRACE=1 prints the sequence, to read a saved reproducer.
    let trace = std::env::var_os("DEVIAN_FUZZ_TRACE").is_some_and(|v| v == "1");
    for call in &calls {
        if trace {
            eprintln!("fuzz call: {call:?}");
        }
        run(call, &mut model);
    }
    for h in std::mem::take(&mut model.live) {
        let status = dws_client_free(h);
        assert_eq!(status, DwsStatus::Ok, "free at the end: {}", last_error());
    }
}

/// What sending on `h` may return once its arguments are valid.
fn sending(m: &Model, h: u64) -> &'static [DwsStatus] {
    use DwsStatus::*;
    if m.connected.contains(&h) {
        &[
            Ok,
            QueueFull,
            InvalidState,
            Closed,
            InvalidArgument,
            InvalidUtf8,
        ]
    } else {
        &[InvalidState, InvalidArgument, InvalidUtf8]
    }
}

fn run(call: &Call, m: &mut Model) {
    use DwsStatus::*;
    // A configuration call: Ok, or a documented refusal of its arguments or timing.
    let configure = |m: &Model, h: Handle, args_null: bool, f: &dyn Fn(u64) -> DwsStatus| {
        let (h, live) = m.pick(h);
        let status = f(h);
        let otherwise: &[DwsStatus] = if m.connected.contains(&h) {
            &[InvalidState, InvalidArgument, InvalidUtf8]
        } else {
            &[Ok, InvalidArgument, InvalidUtf8]
        };
        expect_for(call, status, live, args_null, otherwise);
    };
    match call {
        Call::New(options, url) => {
            let url = match url {
                Url::Echo => Some(CString::new(echo_url()).expect("no NUL")),
                Url::Refused => Some(CString::new("ws://127.0.0.1:1/").expect("no NUL")),
                Url::Other(t) => loopback_only(t, "wss://127.0.0.1:1/x", target_host),
            };
            let mut opts = DwsOptions::default();
            let opts_ptr = match options {
                Options::Null => null(),
                Options::Default => &opts as *const DwsOptions,
                Options::Changed {
                    struct_size,
                    ping_interval_ms,
                    max_message_size,
                    send_queue_max_messages,
                    reconnect_enabled,
                    reconnect_buffer_enabled,
                    permessage_deflate,
                    delivery,
                } => {
                    opts.struct_size = struct_size.unwrap_or(DwsOptions::SIZE);
                    opts.ping_interval_ms = u32::from(*ping_interval_ms);
                    opts.max_message_size = u64::from(*max_message_size);
                    opts.send_queue_max_messages = u32::from(*send_queue_max_messages);
                    opts.reconnect_enabled = *reconnect_enabled;
                    opts.reconnect_buffer_enabled = *reconnect_buffer_enabled;
                    opts.permessage_deflate = *permessage_deflate;
                    opts.delivery = u32::from(*delivery);
                    &opts as *const DwsOptions
                }
            };
            let mut h = 0u64;
            let status = unsafe { dws_client_new(opts_ptr, ptr(&url), &mut h) };
            if url.is_none() {
                expect(call, status, &[NullPointer]);
            } else {
                expect(call, status, &[Ok, InvalidArgument, InvalidUtf8]);
            }
            if status == Ok {
                assert_ne!(h, 0, "Ok with a zero handle");
                m.live.push(h);
            }
        }
        Call::AddProtocol(h, t) => {
            let s = c_string(t, "chat");
            configure(m, *h, s.is_none(), &|h| unsafe {
                dws_client_add_protocol(h, ptr(&s))
            });
        }
        Call::AddHeader(h, n, v) => {
            let (n, v) = (c_string(n, "X-Fuzz"), c_string(v, "1"));
            configure(m, *h, n.is_none() || v.is_none(), &|h| unsafe {
                dws_client_add_header(h, ptr(&n), ptr(&v))
            });
        }
        Call::SetOrigin(h, t) => {
            let s = c_string(t, "https://example.com");
            configure(m, *h, s.is_none(), &|h| unsafe {
                dws_client_set_origin(h, ptr(&s))
            });
        }
        Call::SetProxy(h, t) => {
            let s = loopback_only(t, "socks5h://127.0.0.1:1", proxy_host);
            // Null means "no proxy": never a NullPointer.
            configure(m, *h, false, &|h| unsafe {
                dws_client_set_proxy(h, ptr(&s))
            });
        }
        Call::SetProxyFromEnv(h) => {
            configure(m, *h, false, &|h| dws_client_set_proxy_from_env(h));
        }
        Call::AddRootCaPem(h, b) => {
            let (p, len) = buffer(b);
            configure(m, *h, p.is_null() && len > 0, &|h| unsafe {
                dws_client_add_root_ca_pem(h, p, len)
            });
        }
        Call::PinSha256(h, null_pin) => {
            let pin = [7u8; 32];
            let p = if *null_pin {
                null()
            } else {
                pin.as_ptr().cast()
            };
            configure(m, *h, *null_pin, &|h| unsafe {
                dws_client_pin_sha256(h, p)
            });
        }
        Call::DangerousAcceptAny(h, v) => {
            configure(m, *h, false, &|h| {
                dws_client_dangerous_accept_any_certificate(h, *v)
            });
        }
        Call::SetReconnectCodes(h, codes, count) => {
            let count = u32::from(*count % 8);
            let codes_ptr: *const std::ffi::c_void = match codes {
                None => null(),
                Some(c) if c.len() >= count as usize => c.as_ptr().cast(),
                Some(_) => return, // a short array would be the caller's memory bug
            };
            configure(m, *h, codes_ptr.is_null() && count > 0, &|h| unsafe {
                dws_client_set_reconnect_codes(h, codes_ptr, count)
            });
        }
        Call::AuthQuery(h, n, t) => {
            let (n, t) = (c_string(n, "token"), c_string(t, "abc"));
            configure(m, *h, n.is_none() || t.is_none(), &|h| unsafe {
                dws_client_set_auth_query(h, ptr(&n), ptr(&t))
            });
        }
        Call::AuthFirstMessage(h, tpl, t, ty) => {
            let (tpl, t, ty) = (
                c_string(tpl, "{\"t\":\"{{token}}\"}"),
                c_string(t, "abc"),
                c_string(ty, "auth"),
            );
            configure(
                m,
                *h,
                tpl.is_none() || t.is_none() || ty.is_none(),
                &|h| unsafe { dws_client_set_auth_first_message(h, ptr(&tpl), ptr(&t), ptr(&ty)) },
            );
        }
        Call::AuthSubprotocol(h, t) => {
            let t = c_string(t, "token.abc");
            configure(m, *h, t.is_none(), &|h| unsafe {
                dws_client_set_auth_subprotocol(h, ptr(&t))
            });
        }
        Call::AuthHeader(h, n, v) => {
            let (n, v) = (c_string(n, "Authorization"), c_string(v, "Bearer t"));
            configure(m, *h, n.is_none() || v.is_none(), &|h| unsafe {
                dws_client_set_auth_header(h, ptr(&n), ptr(&v))
            });
        }
        Call::Connect(h) => {
            let (h, live) = m.pick(*h);
            let status = dws_client_connect(h);
            if !live {
                expect(call, status, &[InvalidHandle]);
            } else if m.connected.contains(&h) {
                expect(call, status, &[InvalidState]);
            } else {
                // The engine may reject the combined configuration (then the
                // client stays unconnected and configurable).
                expect(call, status, &[Ok, InvalidArgument]);
                if status == Ok {
                    m.connected.insert(h);
                }
            }
        }
        Call::Send(h, kind, b) => {
            let (h, live) = m.pick(*h);
            let (p, len) = buffer(b);
            let status = unsafe { dws_client_send(h, u32::from(*kind % 4), p, len) };
            expect_for(call, status, live, p.is_null() && len > 0, sending(m, h));
        }
        Call::Reserve(h, len, null_out, fill) => {
            let (h, live) = m.pick(*h);
            let mut data: *mut u8 = null_mut();
            let out = if *null_out {
                null_mut()
            } else {
                &mut data as *mut *mut u8
            };
            let status = unsafe { dws_client_send_reserve(h, u64::from(*len), out) };
            let otherwise: &[DwsStatus] = if !m.connected.contains(&h) || m.reserved.contains(&h) {
                &[InvalidState]
            } else {
                &[Ok, InvalidArgument]
            };
            expect_for(call, status, live, *null_out, otherwise);
            if status == Ok {
                m.reserved.insert(h);
                assert!(!data.is_null() || *len == 0, "Ok without a buffer");
                if !data.is_null() {
                    // Exactly the bytes lent (AddressSanitizer flags any overrun).
                    unsafe { std::ptr::write_bytes(data, *fill, usize::from(*len)) };
                }
            }
        }
        Call::Commit(h, kind) => {
            let (h, live) = m.pick(*h);
            let status = dws_client_send_commit(h, u32::from(*kind % 4));
            let otherwise = if m.reserved.remove(&h) {
                sending(m, h)
            } else {
                &[InvalidState, InvalidArgument]
            };
            expect_for(call, status, live, false, otherwise);
        }
        Call::Abort(h) => {
            let (h, live) = m.pick(*h);
            let status = dws_client_send_abort(h);
            m.reserved.remove(&h);
            expect_for(call, status, live, false, &[Ok]);
        }
        Call::Wait(h, ms) => {
            let (h, live) = m.pick(*h);
            let status = dws_client_wait(h, u32::from(*ms % 8));
            let otherwise: &[DwsStatus] = if m.connected.contains(&h) {
                &[Ok, Empty]
            } else {
                &[InvalidState]
            };
            expect_for(call, status, live, false, otherwise);
        }
        Call::Poll(h, null_out) => {
            let (h, live) = m.pick(*h);
            let mut ev = DwsEvent::NONE;
            let out = if *null_out {
                null_mut()
            } else {
                &mut ev as *mut DwsEvent
            };
            let status = unsafe { dws_client_poll(h, out) };
            let connected = m.connected.contains(&h);
            let otherwise: &[DwsStatus] = if connected {
                &[Ok, Empty]
            } else {
                &[InvalidState]
            };
            expect_for(call, status, live, *null_out, otherwise);
            if status == Ok && ev.len > 0 {
                assert!(!ev.data.is_null(), "event with a length and no data");
                // Every byte must be readable (AddressSanitizer checks).
                let bytes = unsafe { std::slice::from_raw_parts(ev.data, ev.len as usize) };
                std::hint::black_box(bytes.iter().fold(0u8, |a, &b| a ^ b));
            }
        }
        Call::Release(h) => {
            let (h, live) = m.pick(*h);
            let status = dws_client_release(h);
            if live {
                expect(call, status, &[Ok]);
            } else if m.retired.remove(&h) {
                expect(call, status, &[InvalidHandle, Ok]);
            } else {
                expect(call, status, &[InvalidHandle]);
            }
        }
        Call::State(h, null_out) | Call::Stats(h, null_out) => {
            let (h, live) = m.pick(*h);
            let mut state = 0u32;
            let mut stats = DwsStats::default();
            let status = match (call, null_out) {
                (Call::State(..), false) => unsafe { dws_client_state(h, &mut state) },
                (Call::State(..), true) => unsafe { dws_client_state(h, null_mut()) },
                (_, false) => unsafe { dws_client_stats(h, &mut stats) },
                (_, true) => unsafe { dws_client_stats(h, null_mut()) },
            };
            expect_for(call, status, live, *null_out, &[Ok]);
            assert!(state <= DWS_STATE_RECONNECTING, "state {state}");
        }
        Call::Protocol(h, cap, null_buf) => {
            let (h, _) = m.pick(*h);
            let mut buf = [0u8; 255];
            let p = if *null_buf {
                null_mut()
            } else {
                buf.as_mut_ptr().cast()
            };
            let n = unsafe { dws_client_protocol(h, p, u32::from(*cap)) };
            // The echo server chooses the first offered protocol: at most one token.
            assert!(n < 1 << 20, "protocol length {n}");
        }
        Call::Close(h, code, reason) => {
            let (h, live) = m.pick(*h);
            let reason = c_string(reason, "bye");
            let status = unsafe { dws_client_close(h, *code, ptr(&reason)) };
            if !live {
                expect(call, status, &[InvalidHandle]);
            } else if !m.connected.contains(&h) {
                expect(call, status, &[InvalidState, InvalidArgument, InvalidUtf8]);
            } else {
                expect(call, status, &[Ok, Closed, InvalidArgument, InvalidUtf8]);
            }
        }
        Call::Free(h) => {
            let (h, live) = m.pick(*h);
            let status = dws_client_free(h);
            if live {
                expect(call, status, &[Ok]);
                m.live.retain(|&x| x != h);
                m.connected.remove(&h);
                m.reserved.remove(&h);
                m.freed.push(h);
            } else if m.retired.remove(&h) {
                expect(call, status, &[InvalidHandle, Ok]);
            } else {
                expect(call, status, &[InvalidHandle]);
            }
        }
        Call::List(cap, null_buf) => {
            let mut out = [0u64; 255];
            let p = if *null_buf {
                null_mut()
            } else {
                out.as_mut_ptr().cast()
            };
            let n = unsafe { dws_list(p, u32::from(*cap)) };
            if !*null_buf || *cap == 0 {
                // Other tests in the process may hold handles too; ours are among them.
                assert!(
                    n as usize >= m.live.len(),
                    "dws_list says {n}, we hold {}",
                    m.live.len()
                );
            }
        }
        Call::LastError(cap, null_buf) => {
            let mut buf = [0u8; 255];
            let p = if *null_buf {
                null_mut()
            } else {
                buf.as_mut_ptr().cast()
            };
            let _ = unsafe { dws_last_error(p, u32::from(*cap)) };
        }
        Call::ShutdownAll => {
            let status = dws_shutdown_all();
            expect(call, status, &[Ok]);
            let live = std::mem::take(&mut m.live);
            m.retired.extend(live.iter().copied());
            m.reserved.clear();
            m.freed.extend(live);
            m.connected.clear();
        }
        Call::Sleep(ms) => std::thread::sleep(std::time::Duration::from_millis(u64::from(*ms % 4))),
    }
}

#[test]
fn fuzzer_made_urls_dial_loopback_only() {
    let bytes = |s: &str| Text::Bytes(s.as_bytes().to_vec());
    let target = |s: &str| loopback_only(&bytes(s), "ws://good/", target_host);
    let proxy = |s: &str| loopback_only(&bytes(s), "socks5h://good:1", proxy_host);
    let text = |c: Option<CString>| c.expect("not null").into_string().expect("UTF-8");
    assert_eq!(text(target("ws://127.0.0.1:9/x")), "ws://127.0.0.1:9/x");
    assert_eq!(text(target("wss://[::1]:9/")), "wss://[::1]:9/");
    assert_eq!(text(target("ws://LOCALHOST/")), "ws://LOCALHOST/");
    assert_eq!(text(target("ws://8.8.8.8/")), "ws://good/");
    assert_eq!(text(target("ws://example.com/")), "ws://good/");
    assert_eq!(
        text(target("not a url")),
        "not a url",
        "malformed input is kept"
    );
    assert_eq!(
        text(proxy("http://u:p@127.0.0.1:3128")),
        "http://u:p@127.0.0.1:3128"
    );
    assert_eq!(text(proxy("https://[::1]")), "https://[::1]");
    assert_eq!(text(proxy("socks5://10.0.0.1")), "socks5h://good:1");
    assert_eq!(text(proxy("http://proxy.corp:3128")), "socks5h://good:1");
}
