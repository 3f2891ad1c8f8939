//! The functions the Unity bridge (`devian-ws.jslib`) calls, exported through wasm-bindgen.
//! The bridge turns them into the native library's `dws_*` C functions: it reads and writes
//! the ABI's structs in the player's heap and keeps the receive and reservation buffers there,
//! so these take plain ids, numbers and strings.
//!
//! Every function returns a status `i32`: `>= 0` is success (an id, a kind, a count) and a
//! negative value is an [`ErrorKind`] code whose message
//! [`ws_last_error`] returns. Nothing here throws or panics into JavaScript: an exception
//! in a jslib function would abort the Unity player.
//!
//! The game's heap is passed as the `HEAPU8` view the bridge has at the time of the call,
//! because Unity replaces that view when its memory grows.

use core::time::Duration;

use devian_ws_policy::{Auth, QueueLimits};
use js_sys::Uint8Array;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::browser::{heap_range, Connection, CONNECTIONS};
use crate::error::{Error, ErrorKind, Result};
use crate::options::Options;
use crate::registry;
use crate::session::Route;

fn status(r: Result<i32>) -> i32 {
    r.unwrap_or_else(|e| registry::fail(&e))
}

fn id_of(id: i32) -> Result<u32> {
    u32::try_from(id)
        .map_err(|_| Error::new(ErrorKind::UnknownId, format!("no connection with id {id}")))
}

fn configure(id: i32, f: impl FnOnce(&mut Options) -> Result<()>) -> i32 {
    status(
        id_of(id)
            .and_then(|id| registry::with(&CONNECTIONS, id, |c| f(c.options_mut()?).map(|()| 0))),
    )
}

fn millis(ms: f64, what: &str) -> Result<Duration> {
    if ms.is_finite() && ms >= 0.0 {
        Ok(Duration::from_secs_f64(ms / 1000.0))
    } else {
        Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{what} must be a non-negative number of milliseconds"),
        ))
    }
}

/// Creates a connection to `url` (not yet connected); returns its id.
#[wasm_bindgen]
pub fn ws_create(url: &str) -> i32 {
    status(
        Options::new(url)
            .and_then(|options| registry::create(&CONNECTIONS, |id| Connection::new(id, options)))
            .map(|id| id as i32),
    )
}

/// Sets the sub-protocols to offer, comma-separated, in preference order.
#[wasm_bindgen]
pub fn ws_set_protocols(id: i32, protocols_csv: &str) -> i32 {
    configure(id, |o| o.set_protocols_csv(protocols_csv))
}

/// Configures reconnect after a drop (exponential backoff, optional full jitter, capped).
/// `max_attempts` 0 means unlimited.
#[wasm_bindgen]
pub fn ws_set_reconnect(
    id: i32,
    enabled: bool,
    max_attempts: u32,
    initial_delay_ms: f64,
    multiplier: f64,
    max_delay_ms: f64,
    jitter: bool,
) -> i32 {
    configure(id, |o| {
        let initial = millis(initial_delay_ms, "initial delay")?;
        let max = millis(max_delay_ms, "maximum delay")?;
        o.reconnect.enabled = enabled;
        o.reconnect.max_attempts = max_attempts;
        o.reconnect.initial_delay = initial;
        o.reconnect.multiplier = multiplier;
        o.reconnect.max_delay = max;
        o.reconnect.jitter = jitter;
        Ok(())
    })
}

/// Sets which close codes trigger a reconnect, comma-separated (e.g. `1006,1001,1011`).
#[wasm_bindgen]
pub fn ws_set_reconnect_codes(id: i32, codes_csv: &str) -> i32 {
    configure(id, |o| {
        let codes = codes_csv
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| {
                c.parse::<u16>().map_err(|_| {
                    Error::new(
                        ErrorKind::InvalidArgument,
                        format!("'{c}' is not a close code"),
                    )
                })
            })
            .collect::<Result<Vec<u16>>>()?;
        o.reconnect.reconnect_codes = codes;
        Ok(())
    })
}

/// Enables and bounds the buffer that holds sends while (re)connecting.
#[wasm_bindgen]
pub fn ws_set_send_queue(id: i32, enabled: bool, max_messages: u32, max_bytes: u32) -> i32 {
    configure(id, |o| {
        o.buffer_while_connecting = enabled;
        o.send_queue = QueueLimits {
            max_messages: max_messages as usize,
            max_bytes: max_bytes as usize,
        };
        Ok(())
    })
}

/// Bounds the bytes the browser may hold unsent before sends fail with `QueueFull`.
#[wasm_bindgen]
pub fn ws_set_max_buffered(id: i32, max_bytes: u32) -> i32 {
    configure(id, |o| {
        o.max_buffered_bytes = max_bytes as usize;
        Ok(())
    })
}

/// Authenticates with `?name=token` on the URL of every (re)connect.
#[wasm_bindgen]
pub fn ws_set_auth_query(id: i32, name: &str, token: &str) -> i32 {
    configure(id, |o| {
        o.auth = Auth::QueryParam {
            name: if name.is_empty() {
                "token".to_owned()
            } else {
                name.to_owned()
            },
            token: token.to_owned(),
        };
        Ok(())
    })
}

/// Authenticates with a first text message rendered from `template` (`{{token}}`,
/// `{{type}}`), sent on every (re)connect before anything else.
#[wasm_bindgen]
pub fn ws_set_auth_first_message(id: i32, template: &str, token: &str, message_type: &str) -> i32 {
    configure(id, |o| {
        o.auth = Auth::FirstMessage {
            template: template.to_owned(),
            token: token.to_owned(),
            message_type: if message_type.is_empty() {
                "authenticate".to_owned()
            } else {
                message_type.to_owned()
            },
        };
        Ok(())
    })
}

/// Authenticates by offering `token` as an extra sub-protocol.
#[wasm_bindgen]
pub fn ws_set_auth_subprotocol(id: i32, token: &str) -> i32 {
    configure(id, |o| {
        o.auth = Auth::Subprotocol {
            token: token.to_owned(),
        };
        Ok(())
    })
}

/// Always fails (`NotSupported`, status `INVALID_ARGUMENT`): browsers cannot send custom
/// WebSocket headers.
#[wasm_bindgen]
pub fn ws_add_header(id: i32, name: &str, value: &str) -> i32 {
    configure(id, |o| o.add_header(name, value))
}

/// Starts connecting; events follow through [`ws_next`].
#[wasm_bindgen]
pub fn ws_connect(id: i32) -> i32 {
    status(id_of(id).and_then(|id| registry::with(&CONNECTIONS, id, |c| c.connect().map(|()| 0))))
}

/// Sends `len` bytes at `ptr` of `heap`, as text (valid UTF-8 required) or binary.
/// Returns 0 when handed to the browser, 1 when buffered until the connection is (re)open.
#[wasm_bindgen]
pub fn ws_send(id: i32, heap: &Uint8Array, ptr: u32, len: u32, text: bool) -> i32 {
    status(id_of(id).and_then(|id| {
        registry::with(&CONNECTIONS, id, |c| {
            c.send(heap, ptr, len, text).map(|r| match r {
                Route::Now => 0,
                Route::Queue => 1,
            })
        })
    }))
}

/// Closes with `code` (1000 or 3000–4999) and `reason` (at most 123 UTF-8 bytes).
#[wasm_bindgen]
pub fn ws_close(id: i32, code: u32, reason: &str) -> i32 {
    status(id_of(id).and_then(|id| {
        let code = u16::try_from(code).map_err(|_| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("close code {code} is out of range"),
            )
        })?;
        registry::with(&CONNECTIONS, id, |c| c.close(code, reason).map(|()| 0))
    }))
}

/// The connection's state as C#'s `WebSocketState` numbers it ([`State::wire`](crate::State::wire)).
#[wasm_bindgen]
pub fn ws_state(id: i32) -> i32 {
    status(
        id_of(id).and_then(|id| registry::with(&CONNECTIONS, id, |c| Ok(c.state().wire() as i32))),
    )
}

/// Copies the next event's payload to `ptr` in `heap` (at most `cap` bytes), writes the event
/// as the C ABI's `DwsEvent` at `out`, removes it and returns its kind; 0 (and a zeroed
/// `DwsEvent`) when there is none. `BufferTooSmall` consumes nothing: grow the buffer to
/// [`ws_peek_len`] and call again.
#[wasm_bindgen]
pub fn ws_next(id: i32, heap: &Uint8Array, ptr: u32, cap: u32, out: u32) -> i32 {
    status(
        id_of(id).and_then(|id| registry::with(&CONNECTIONS, id, |c| c.next(heap, ptr, cap, out))),
    )
}

/// Payload bytes of the next event (0 when there is none).
#[wasm_bindgen]
pub fn ws_peek_len(id: i32) -> i32 {
    status(id_of(id).and_then(|id| {
        registry::with(&CONNECTIONS, id, |c| {
            Ok(c.peek_len().min(i32::MAX as u32) as i32)
        })
    }))
}

/// Writes the statistics at `ptr` in `heap`: nine little-endian `u64`, as the C ABI's
/// `DwsStats` (72 bytes).
#[wasm_bindgen]
pub fn ws_stats(id: i32, heap: &Uint8Array, ptr: u32) -> i32 {
    status(id_of(id).and_then(|id| {
        registry::with(&CONNECTIONS, id, |c| {
            let s = c.stats();
            let fields = [
                s.messages_sent,
                s.messages_received,
                s.bytes_sent,
                s.bytes_received,
                s.reconnects,
                s.last_rtt_us,
                s.send_queue_depth,
                s.recv_queue_depth,
                s.messages_unsent,
            ];
            let mut bytes = [0u8; 72];
            for (chunk, v) in bytes.chunks_exact_mut(8).zip(fields) {
                chunk.copy_from_slice(&v.to_le_bytes());
            }
            heap_range(heap, ptr, 72)?.copy_from(&bytes);
            Ok(0)
        })
    }))
}

/// The sub-protocol the server chose on the last open (empty when none, or before open).
#[wasm_bindgen]
pub fn ws_protocol(id: i32) -> String {
    id_of(id)
        .and_then(|id| registry::with(&CONNECTIONS, id, |c| Ok(c.protocol().to_owned())))
        .unwrap_or_else(|e| {
            registry::fail(&e);
            String::new()
        })
}

/// Closes (if needed) and forgets the connection.
#[wasm_bindgen]
pub fn ws_destroy(id: i32) -> i32 {
    status(id_of(id).and_then(|id| registry::destroy(&CONNECTIONS, id).map(|()| 0)))
}

/// The message of the last failed call.
#[wasm_bindgen]
pub fn ws_last_error() -> String {
    registry::last_error()
}
