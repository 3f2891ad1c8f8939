// Generated from native/ffi by tests/bindings.rs (interoptopus 0.14). Do not edit;
// regenerate with: DEVIAN_BLESS=1 cargo test -p devian-ws-ffi --test bindings

#ifndef DEVIAN_WS_H
#define DEVIAN_WS_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stdint.h>
#include <stdbool.h>



/// `DwsEvent.kind`: the connection is open; `data` is the chosen sub-protocol (UTF-8, may be empty).
static const uint32_t DWS_EVENT_OPEN = 1;
/// `DwsEvent.kind`: a complete message; `message_kind` and `data` describe it.
static const uint32_t DWS_EVENT_MESSAGE = 2;
/// `DwsEvent.kind`: the close handshake started.
static const uint32_t DWS_EVENT_CLOSING = 3;
/// `DwsEvent.kind`: the connection ended for good; `code`, `was_clean`, `data` = reason.
static const uint32_t DWS_EVENT_CLOSED = 4;
/// `DwsEvent.kind`: something failed; `error_kind`, `data` = description.
static const uint32_t DWS_EVENT_ERROR = 5;
/// `DwsEvent.kind`: the connection dropped; attempt `attempt` starts after `delay_ms`.
static const uint32_t DWS_EVENT_RECONNECTING = 6;
/// `DwsEvent.kind`: a reconnect succeeded.
static const uint32_t DWS_EVENT_RECONNECTED = 7;
/// `DwsEvent.kind`: authentication completed.
static const uint32_t DWS_EVENT_AUTHENTICATED = 8;
/// Message kind (`DwsEvent.message_kind`, `dws_client_send`'s `kind`): UTF-8 text.
static const uint32_t DWS_MESSAGE_TEXT = 1;
/// Message kind: binary.
static const uint32_t DWS_MESSAGE_BINARY = 2;
/// `dws_client_state`: not connected (before connect, or after the final close).
static const uint32_t DWS_STATE_CLOSED = 0;
/// `dws_client_state`: TCP, TLS and upgrade handshake under way.
static const uint32_t DWS_STATE_CONNECTING = 1;
/// `dws_client_state`: open, authentication under way.
static const uint32_t DWS_STATE_AUTHENTICATING = 2;
/// `dws_client_state`: open and usable.
static const uint32_t DWS_STATE_OPEN = 3;
/// `dws_client_state`: close handshake under way.
static const uint32_t DWS_STATE_CLOSING = 4;
/// `dws_client_state`: waiting to reconnect.
static const uint32_t DWS_STATE_RECONNECTING = 5;

/// Outcome of a dws_ call. Negative values are failures; dws_last_error says more.
typedef enum DwsStatus
    {
    /// Success.
    DWS_STATUS_OK = 0,
    /// dws_client_poll: no event waiting. Not a failure.
    DWS_STATUS_EMPTY = 1,
    /// The handle is 0, was never issued, or was freed.
    DWS_STATUS_INVALID_HANDLE = -1,
    /// A required pointer argument was null.
    DWS_STATUS_NULL_POINTER = -2,
    /// An argument is out of range or malformed.
    DWS_STATUS_INVALID_ARGUMENT = -3,
    /// Not allowed in the current state (send before open, connect twice).
    DWS_STATUS_INVALID_STATE = -4,
    /// The bounded send queue is full; nothing was queued.
    DWS_STATUS_QUEUE_FULL = -5,
    /// The connection is closed or closing, or close was already requested.
    DWS_STATUS_CLOSED = -6,
    /// A string argument was not valid UTF-8.
    DWS_STATUS_INVALID_UTF8 = -7,
    /// A Rust panic was caught at the boundary.
    DWS_STATUS_PANIC = -8,
    /// Any other failure.
    DWS_STATUS_INTERNAL = -9,
    } DwsStatus;

/// Connection settings. Fill it with `dws_options_default`, change what you
/// need, pass it to `dws_client_new` (which copies it). Flags are 0 or 1.
///
/// Versioned by `struct_size`: fields are only ever added at the end, and a
/// library reads no more than the caller's `struct_size` bytes, taking its
/// defaults for fields a smaller (older) struct lacks.
typedef struct DwsOptions
    {
    /// `sizeof(DwsOptions)` as the caller compiled it; `dws_options_default`
    /// sets it. A struct larger than this library's is refused
    /// (`InvalidArgument`): the caller is newer than the library.
    uint32_t struct_size;
    /// Keep-alive ping interval in ms; 0 disables pings.
    uint32_t ping_interval_ms;
    /// A ping unanswered this long (ms) declares the connection dead (1006).
    uint32_t pong_timeout_ms;
    /// Close when nothing is received this long (ms); 0 disables.
    uint32_t idle_timeout_ms;
    /// Bound (ms) on TCP connect + TLS + upgrade handshake.
    uint32_t connect_timeout_ms;
    /// Bound (ms) on the close handshake.
    uint32_t close_timeout_ms;
    /// Largest accepted frame payload, bytes.
    uint64_t max_frame_size;
    /// Largest accepted reassembled message, bytes.
    uint64_t max_message_size;
    /// Send queue bound: messages.
    uint32_t send_queue_max_messages;
    /// Send queue bound: payload bytes.
    uint64_t send_queue_max_bytes;
    /// Undrained received messages bound: messages (then reading pauses).
    uint32_t recv_queue_max_messages;
    /// Undrained received messages bound: payload bytes.
    uint64_t recv_queue_max_bytes;
    /// 1: reconnect after a drop with a reconnect close code.
    uint8_t reconnect_enabled;
    /// Attempts before giving up; 0 means unlimited.
    uint32_t reconnect_max_attempts;
    /// Delay before the first attempt, ms.
    uint32_t reconnect_initial_delay_ms;
    /// Cap on any delay, ms.
    uint32_t reconnect_max_delay_ms;
    /// Backoff growth per attempt (>= 1).
    double reconnect_multiplier;
    /// 1: full jitter (delay uniform in [0, backoff]).
    uint8_t reconnect_jitter;
    /// 1: buffer sends made while reconnecting (bounded below) and flush them after.
    uint8_t reconnect_buffer_enabled;
    /// Reconnect buffer bound: messages.
    uint32_t reconnect_buffer_max_messages;
    /// Reconnect buffer bound: payload bytes.
    uint64_t reconnect_buffer_max_bytes;
    /// 1: offer permessage-deflate (RFC 7692, default parameters: context
    /// takeover both ways); messages are compressed when the server agrees.
    /// 0 (the default) keeps the zero-copy path. Last, so older field
    /// offsets are unchanged.
    uint8_t permessage_deflate;
    /// A connection must stay open this long (ms) before the reconnect
    /// attempt count starts over, so a server that accepts and drops at once
    /// still runs out of `reconnect_max_attempts`.
    uint32_t reconnect_stable_after_ms;
    /// The least reconnect delay (ms, within `reconnect_max_delay_ms`) after
    /// the server closed with 1013 "try again later".
    uint32_t reconnect_try_again_later_ms;
    /// 0 (the default): at-most-once, no extra traffic; what the operating
    /// system had accepted when the connection died may be lost.
    /// 1: at-least-once (needs the reconnect buffer, whose bounds limit the
    /// window): a message counts as sent once the server answered a Ping
    /// written after it, and unconfirmed messages are sent again after a
    /// reconnect, so the server may see one twice but misses none.
    /// A u32 in what was the previous layout's tail padding, so the size is
    /// unchanged; `dws_options_default` has always written those bytes.
    uint32_t delivery;
    } DwsOptions;

/// A snapshot of a connection's counters (copied out; no pointers).
typedef struct DwsStats
    {
    /// Data messages sent.
    uint64_t messages_sent;
    /// Data messages received.
    uint64_t messages_received;
    /// Payload bytes sent.
    uint64_t bytes_sent;
    /// Payload bytes received.
    uint64_t bytes_received;
    /// Successful reconnects.
    uint64_t reconnects;
    /// Round-trip time of the last answered ping, microseconds (0: none yet).
    uint64_t last_rtt_us;
    /// Messages waiting in the send queue.
    uint64_t send_queue_depth;
    /// Events waiting in the receive (dispatch) queue.
    uint64_t recv_queue_depth;
    /// Messages accepted by a send that were never sent (the connection ended first).
    uint64_t messages_unsent;
    } DwsStats;

/// One event from `dws_client_poll`.
///
/// Ownership: `data` points into memory owned by the library (the pooled
/// receive buffer, or the event's text). It stays valid until the next
/// `dws_client_poll` or `dws_client_release` on the same handle, or
/// `dws_client_free` / `dws_shutdown_all`, whichever comes first. Copy what
/// you need before then; never free it.
typedef struct DwsEvent
    {
    /// DWS_EVENT_*: 1 Open, 2 Message, 3 Closing, 4 Closed, 5 Error, 6 Reconnecting, 7 Reconnected, 8 Authenticated.
    uint32_t kind;
    /// Message only: 1 text, 2 binary; 0 otherwise.
    uint32_t message_kind;
    /// Message payload, or the UTF-8 text of Open (protocol), Closed (reason), Error (description). Null when `len` is 0.
    const uint8_t* data;
    /// Bytes at `data`.
    uint64_t len;
    /// Closed only: the close code (1005 no code, 1006 no close frame).
    uint16_t code;
    /// Closed only: 1 when the close handshake completed.
    uint8_t was_clean;
    /// Error only: 1 I/O, 2 TLS, 3 handshake, 4 protocol, 5 timeout, 6 other, 7 proxy.
    uint32_t error_kind;
    /// Reconnecting only: 1-based attempt number.
    uint32_t attempt;
    /// Reconnecting only: delay before the attempt, ms.
    uint32_t delay_ms;
    /// Closed only: messages `dws_client_send` accepted that were never sent.
    uint64_t unsent;
    } DwsEvent;


/// Copies the calling thread's last error message (UTF-8, no NUL) into
/// `buf[0..cap]` (caller-owned; may be null when `cap` is 0) and returns its
/// full length; copies `min(cap, length)` bytes. The message is the one of
/// the last failing `dws_` call on this thread; successes do not clear it.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
uint32_t dws_last_error(void* buf, uint32_t cap);

/// Writes the default options into `*out_options` (caller-owned, written only).
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
DwsStatus dws_options_default(DwsOptions* out_options);

/// Creates an unconnected client for `url` (`ws://` or `wss://`) and writes
/// its handle to `*out_handle`. `options` may be null for the defaults; it is
/// copied, as is `url`. Configure it with the `dws_client_set_*`/`add_*`
/// calls, then `dws_client_connect`. Free it with `dws_client_free`.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
DwsStatus dws_client_new(const DwsOptions* options, const char* url, uint64_t* out_handle);

/// Offers sub-protocol `protocol` (an HTTP token, RFC 6455 §4.1); call once per protocol, in preference order.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
DwsStatus dws_client_add_protocol(uint64_t handle, const char* protocol);

/// Adds request header `name: value` to the upgrade request.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
DwsStatus dws_client_add_header(uint64_t handle, const char* name, const char* value);

/// Sets the Origin header.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
DwsStatus dws_client_set_origin(uint64_t handle, const char* origin);

/// Connects through the proxy at `url` (copied): `http://[user:pass@]host:port`
/// (HTTP CONNECT, Basic auth), `https://…` (the same over TLS to the proxy,
/// checked against the connection's roots), `socks5://…` (target name
/// resolved here) or `socks5h://…` (resolved by the proxy); user and
/// password percent-encoded.
/// Null or empty means no proxy, whatever the environment says (the default).
/// A malformed URL is `InvalidArgument`; its text never echoes credentials.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
DwsStatus dws_client_set_proxy(uint64_t handle, const char* url);

/// Connects through the proxy the environment names, looked up at each
/// (re)connect: `HTTPS_PROXY` for `wss://`, `HTTP_PROXY` for `ws://` (or the
/// lower-case names), else `ALL_PROXY`; none when `NO_PROXY` lists the host.
/// Off unless called; `dws_client_set_proxy` replaces it.
DwsStatus dws_client_set_proxy_from_env(uint64_t handle);

/// Trusts the PEM certificates in `pem[0..len]` as extra roots (copied).
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
DwsStatus dws_client_add_root_ca_pem(uint64_t handle, const void* pem, uint64_t len);

/// Pins the server certificate: `sha256` points to the 32-byte SHA-256 of
/// its DER encoding (copied). Call again to allow several.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
DwsStatus dws_client_pin_sha256(uint64_t handle, const void* sha256);

/// DANGER, development only: `accept` = 1 accepts any server certificate.
DwsStatus dws_client_dangerous_accept_any_certificate(uint64_t handle, uint8_t accept);

/// Replaces the close codes that trigger a reconnect with `codes[0..count]`
/// (uint16_t each, copied; count 0 means never reconnect on a close code).
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
DwsStatus dws_client_set_reconnect_codes(uint64_t handle, const void* codes, uint32_t count);

/// Authenticates with `?name=token` on the URL, on every (re)connect.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
DwsStatus dws_client_set_auth_query(uint64_t handle, const char* name, const char* token);

/// Authenticates with a first text message rendered from `message_template`, in
/// which `{{token}}` and `{{type}}` are replaced by `token` and
/// `message_type`; sent after every (re)connect before queued messages.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
DwsStatus dws_client_set_auth_first_message(uint64_t handle, const char* message_template, const char* token, const char* message_type);

/// Authenticates by offering `token` as a sub-protocol (an HTTP token).
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
DwsStatus dws_client_set_auth_subprotocol(uint64_t handle, const char* token);

/// Authenticates with header `name: value` (e.g. `Authorization`,
/// `Bearer ...`) on every (re)connect. Repeated calls add headers.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
DwsStatus dws_client_set_auth_header(uint64_t handle, const char* name, const char* value);

/// Starts connecting and returns at once; progress arrives as events from
/// `dws_client_poll` (Open, or Error then Closed). A second call is
/// `InvalidState`. A configuration the engine rejects (a URL it cannot use,
/// a root CA that is not PEM) is `InvalidArgument` and leaves the client
/// unconnected and configurable.
DwsStatus dws_client_connect(uint64_t handle);

/// Queues one message: `kind` 1 text (must be UTF-8, RFC 6455 §5.6) or 2
/// binary; `data[0..len]` is copied once into a pooled buffer before this
/// returns (the caller keeps its memory; `data` may be null when `len` is 0).
/// Never blocks on the network. `QueueFull` when the bounded send queue is
/// full (nothing queued; retry later); `InvalidState` before open, unless
/// the reconnect buffer takes it; `Closed` once closing or closed.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
DwsStatus dws_client_send(uint64_t handle, uint32_t kind, const void* data, uint64_t len);

/// Reserves a send buffer for a message of exactly `len` bytes and writes
/// its address to `*out_data` (caller-owned, written only): library memory,
/// zeroed, writable for `len` bytes until `dws_client_send_commit`,
/// `dws_client_send_abort` or `dws_client_free` on this handle. The caller
/// fills it in place (a frame header and payload, a UTF-8 encoding...)
/// instead of building the message in its own memory first. One reservation
/// per handle at a time: a second is `InvalidState`, as is a call before
/// connect. `InvalidArgument` when `len` exceeds the send queue's byte bound.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
DwsStatus dws_client_send_reserve(uint64_t handle, uint64_t len, uint8_t** out_data);

/// Queues the reserved message as `kind` (1 text, which must be UTF-8, or 2
/// binary). The reservation ends whatever the outcome: its memory is no
/// longer the caller's. Statuses as `dws_client_send`; `InvalidState`
/// without a reservation.
DwsStatus dws_client_send_commit(uint64_t handle, uint32_t kind);

/// Drops the reservation without sending; `Ok` also when there is none.
DwsStatus dws_client_send_abort(uint64_t handle);

/// Blocks the calling thread until `dws_client_poll` has an event (`Ok`) or
/// `timeout_ms` passes (`Empty`). For a thread that only pumps events (an
/// async wrapper); a game loop polls each frame instead. Freeing the handle
/// from another thread ends the wait within about 10 ms (`InvalidHandle`).
/// Before connect: `InvalidState`.
DwsStatus dws_client_wait(uint64_t handle, uint32_t timeout_ms);

/// Takes the next event into `*out_event` (caller-owned, written only): `Ok` with
/// an event, `Empty` when none is waiting (`*out_event` zeroed). Releases the
/// previous event first. `out_event.data` points into library memory that stays
/// valid until the next `dws_client_poll` or `dws_client_release` on this
/// handle (or its free). Call from one thread per handle. Before connect:
/// `InvalidState`.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
DwsStatus dws_client_poll(uint64_t handle, DwsEvent* out_event);

/// Releases the event from the last `dws_client_poll`, returning its buffer
/// to the pool; its `data` pointer is invalid afterwards. Releasing twice,
/// or with nothing held, is `Ok`. After `dws_shutdown_all`, a handle whose
/// event was still held answers this call (`Ok`) and is invalid after it.
DwsStatus dws_client_release(uint64_t handle);

/// Writes the connection state (DWS_STATE_*) to `*out_state` (caller-owned).
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
DwsStatus dws_client_state(uint64_t handle, uint32_t* out_state);

/// Writes a snapshot of the counters to `*out_stats` (caller-owned; all zero before connect).
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
DwsStatus dws_client_stats(uint64_t handle, DwsStats* out_stats);

/// Copies the sub-protocol the server chose (UTF-8, no NUL) into
/// `buf[0..cap]` (caller-owned; may be null when `cap` is 0) and returns its
/// full length, so a 0-capacity call asks for the size. Returns 0 when none
/// was chosen, before Open, and on failure (then `dws_last_error` says why).
/// Lengths are `u32`, as in `dws_last_error`: a WebGL player (Emscripten
/// without BigInt) could not return a 64-bit value from the `.jslib`.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
uint32_t dws_client_protocol(uint64_t handle, void* buf, uint32_t cap);

/// Starts the close handshake with `code` (1000, 1001-1003, 1007-1014 or
/// 3000-4999, RFC 6455 §7.4) and `reason` (UTF-8, at most 123 bytes; null
/// means empty). No reconnect follows. Completion arrives as a Closed event.
/// A second call is `Closed`; before connect it is `InvalidState`.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
DwsStatus dws_client_close(uint64_t handle, uint16_t code, const char* reason);

/// Closes the client if needed, stops its threads and invalidates `handle`.
/// Any `DwsEvent` pointer from this handle is invalid afterwards. A second
/// call is `InvalidHandle`. Returns within about 100 ms whatever the network
/// does: threads still blocked then (a TCP connect, a peer that does not
/// read) are cut off and end on their own.
DwsStatus dws_client_free(uint64_t handle);

/// Writes up to `cap` live handles (uint64_t each) to `out_handles` (caller-owned
/// array; may be null when `cap` is 0) and returns how many handles are live
/// (which may exceed `cap`). Returns 0 on failure.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
uint32_t dws_list(void* out_handles, uint32_t cap);

/// Stops and frees every client in the process at once, returning within
/// about 100 ms whatever the network does (engine threads never call into
/// the caller, so none needs to be waited for longer). Every handle issued
/// before is `InvalidHandle` afterwards, except that one whose polled event
/// is still held keeps that event readable until `dws_client_release` (or
/// `dws_client_free`) on it. New clients can be created after it. Call it
/// before Unity reloads the domain.
DwsStatus dws_shutdown_all(void);


#ifdef __cplusplus
}
#endif

#endif /* DEVIAN_WS_H */
