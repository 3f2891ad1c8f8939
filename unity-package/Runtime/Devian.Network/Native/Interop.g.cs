// Generated from native/ffi by tests/bindings.rs (interoptopus 0.14). Do not edit;
// regenerate with: DEVIAN_BLESS=1 cargo test -p devian-ws-ffi --test bindings

#pragma warning disable 0105
using System;
using System.Collections;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
#if UNITY_2018_1_OR_NEWER
using Unity.Collections.LowLevel.Unsafe;
using Unity.Collections;
#endif
using Devian.Network.Native;
#pragma warning restore 0105

namespace Devian.Network.Native
{
    internal static partial class Interop
    {
#if (UNITY_IOS || UNITY_WEBGL) && !UNITY_EDITOR
        public const string NativeLib = "__Internal";
#else
        public const string NativeLib = "devian_ws";
#endif

        static Interop()
        {
        }

        /// `DwsEvent.kind`: the connection is open; `data` is the chosen sub-protocol (UTF-8, may be empty).
        public const uint DWS_EVENT_OPEN = (uint) 1;

        /// `DwsEvent.kind`: a complete message; `message_kind` and `data` describe it.
        public const uint DWS_EVENT_MESSAGE = (uint) 2;

        /// `DwsEvent.kind`: the close handshake started.
        public const uint DWS_EVENT_CLOSING = (uint) 3;

        /// `DwsEvent.kind`: the connection ended for good; `code`, `was_clean`, `data` = reason.
        public const uint DWS_EVENT_CLOSED = (uint) 4;

        /// `DwsEvent.kind`: something failed; `error_kind`, `data` = description.
        public const uint DWS_EVENT_ERROR = (uint) 5;

        /// `DwsEvent.kind`: the connection dropped; attempt `attempt` starts after `delay_ms`.
        public const uint DWS_EVENT_RECONNECTING = (uint) 6;

        /// `DwsEvent.kind`: a reconnect succeeded.
        public const uint DWS_EVENT_RECONNECTED = (uint) 7;

        /// `DwsEvent.kind`: authentication completed.
        public const uint DWS_EVENT_AUTHENTICATED = (uint) 8;

        /// Message kind (`DwsEvent.message_kind`, `dws_client_send`'s `kind`): UTF-8 text.
        public const uint DWS_MESSAGE_TEXT = (uint) 1;

        /// Message kind: binary.
        public const uint DWS_MESSAGE_BINARY = (uint) 2;

        /// `dws_client_state`: not connected (before connect, or after the final close).
        public const uint DWS_STATE_CLOSED = (uint) 0;

        /// `dws_client_state`: TCP, TLS and upgrade handshake under way.
        public const uint DWS_STATE_CONNECTING = (uint) 1;

        /// `dws_client_state`: open, authentication under way.
        public const uint DWS_STATE_AUTHENTICATING = (uint) 2;

        /// `dws_client_state`: open and usable.
        public const uint DWS_STATE_OPEN = (uint) 3;

        /// `dws_client_state`: close handshake under way.
        public const uint DWS_STATE_CLOSING = (uint) 4;

        /// `dws_client_state`: waiting to reconnect.
        public const uint DWS_STATE_RECONNECTING = (uint) 5;


        /// Copies the calling thread's last error message (UTF-8, no NUL) into
        /// `buf[0..cap]` (caller-owned; may be null when `cap` is 0) and returns its
        /// full length; copies `min(cap, length)` bytes. The message is the one of
        /// the last failing `dws_` call on this thread; successes do not clear it.
        ///
        /// # Safety
        /// Non-null pointers must be valid for the reads and writes described
        /// above for the duration of the call; strings must be NUL-terminated.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_last_error")]
        public static extern uint dws_last_error(IntPtr buf, uint cap);

        /// Writes the default options into `*out_options` (caller-owned, written only).
        ///
        /// # Safety
        /// Non-null pointers must be valid for the reads and writes described
        /// above for the duration of the call; strings must be NUL-terminated.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_options_default")]
        public static extern DwsStatus dws_options_default(out DwsOptions out_options);

        /// Creates an unconnected client for `url` (`ws://` or `wss://`) and writes
        /// its handle to `*out_handle`. `options` may be null for the defaults; it is
        /// copied, as is `url`. Configure it with the `dws_client_set_*`/`add_*`
        /// calls, then `dws_client_connect`. Free it with `dws_client_free`.
        ///
        /// # Safety
        /// Non-null pointers must be valid for the reads and writes described
        /// above for the duration of the call; strings must be NUL-terminated.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_new")]
        public static extern DwsStatus dws_client_new(ref DwsOptions options, [MarshalAs(Utf8)] string url, out ulong out_handle);

        /// Offers sub-protocol `protocol` (an HTTP token, RFC 6455 §4.1); call once per protocol, in preference order.
        ///
        /// # Safety
        /// Non-null pointers must be valid for the reads and writes described
        /// above for the duration of the call; strings must be NUL-terminated.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_add_protocol")]
        public static extern DwsStatus dws_client_add_protocol(ulong handle, [MarshalAs(Utf8)] string protocol);

        /// Adds request header `name: value` to the upgrade request.
        ///
        /// # Safety
        /// Non-null pointers must be valid for the reads and writes described
        /// above for the duration of the call; strings must be NUL-terminated.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_add_header")]
        public static extern DwsStatus dws_client_add_header(ulong handle, [MarshalAs(Utf8)] string name, [MarshalAs(Utf8)] string value);

        /// Sets the Origin header.
        ///
        /// # Safety
        /// Non-null pointers must be valid for the reads and writes described
        /// above for the duration of the call; strings must be NUL-terminated.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_set_origin")]
        public static extern DwsStatus dws_client_set_origin(ulong handle, [MarshalAs(Utf8)] string origin);

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
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_set_proxy")]
        public static extern DwsStatus dws_client_set_proxy(ulong handle, [MarshalAs(Utf8)] string url);

        /// Connects through the proxy the environment names, looked up at each
        /// (re)connect: `HTTPS_PROXY` for `wss://`, `HTTP_PROXY` for `ws://` (or the
        /// lower-case names), else `ALL_PROXY`; none when `NO_PROXY` lists the host.
        /// Off unless called; `dws_client_set_proxy` replaces it.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_set_proxy_from_env")]
        public static extern DwsStatus dws_client_set_proxy_from_env(ulong handle);

        /// Trusts the PEM certificates in `pem[0..len]` as extra roots (copied).
        ///
        /// # Safety
        /// Non-null pointers must be valid for the reads and writes described
        /// above for the duration of the call; strings must be NUL-terminated.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_add_root_ca_pem")]
        public static extern DwsStatus dws_client_add_root_ca_pem(ulong handle, IntPtr pem, ulong len);

        /// Pins the server certificate: `sha256` points to the 32-byte SHA-256 of
        /// its DER encoding (copied). Call again to allow several.
        ///
        /// # Safety
        /// Non-null pointers must be valid for the reads and writes described
        /// above for the duration of the call; strings must be NUL-terminated.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_pin_sha256")]
        public static extern DwsStatus dws_client_pin_sha256(ulong handle, IntPtr sha256);

        /// DANGER, development only: `accept` = 1 accepts any server certificate.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_dangerous_accept_any_certificate")]
        public static extern DwsStatus dws_client_dangerous_accept_any_certificate(ulong handle, byte accept);

        /// Replaces the close codes that trigger a reconnect with `codes[0..count]`
        /// (uint16_t each, copied; count 0 means never reconnect on a close code).
        ///
        /// # Safety
        /// Non-null pointers must be valid for the reads and writes described
        /// above for the duration of the call; strings must be NUL-terminated.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_set_reconnect_codes")]
        public static extern DwsStatus dws_client_set_reconnect_codes(ulong handle, IntPtr codes, uint count);

        /// Authenticates with `?name=token` on the URL, on every (re)connect.
        ///
        /// # Safety
        /// Non-null pointers must be valid for the reads and writes described
        /// above for the duration of the call; strings must be NUL-terminated.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_set_auth_query")]
        public static extern DwsStatus dws_client_set_auth_query(ulong handle, [MarshalAs(Utf8)] string name, [MarshalAs(Utf8)] string token);

        /// Authenticates with a first text message rendered from `message_template`, in
        /// which `{{token}}` and `{{type}}` are replaced by `token` and
        /// `message_type`; sent after every (re)connect before queued messages.
        ///
        /// # Safety
        /// Non-null pointers must be valid for the reads and writes described
        /// above for the duration of the call; strings must be NUL-terminated.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_set_auth_first_message")]
        public static extern DwsStatus dws_client_set_auth_first_message(ulong handle, [MarshalAs(Utf8)] string message_template, [MarshalAs(Utf8)] string token, [MarshalAs(Utf8)] string message_type);

        /// Authenticates by offering `token` as a sub-protocol (an HTTP token).
        ///
        /// # Safety
        /// Non-null pointers must be valid for the reads and writes described
        /// above for the duration of the call; strings must be NUL-terminated.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_set_auth_subprotocol")]
        public static extern DwsStatus dws_client_set_auth_subprotocol(ulong handle, [MarshalAs(Utf8)] string token);

        /// Authenticates with header `name: value` (e.g. `Authorization`,
        /// `Bearer ...`) on every (re)connect. Repeated calls add headers.
        ///
        /// # Safety
        /// Non-null pointers must be valid for the reads and writes described
        /// above for the duration of the call; strings must be NUL-terminated.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_set_auth_header")]
        public static extern DwsStatus dws_client_set_auth_header(ulong handle, [MarshalAs(Utf8)] string name, [MarshalAs(Utf8)] string value);

        /// Starts connecting and returns at once; progress arrives as events from
        /// `dws_client_poll` (Open, or Error then Closed). A second call is
        /// `InvalidState`. A configuration the engine rejects (a URL it cannot use,
        /// a root CA that is not PEM) is `InvalidArgument` and leaves the client
        /// unconnected and configurable.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_connect")]
        public static extern DwsStatus dws_client_connect(ulong handle);

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
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_send")]
        public static extern DwsStatus dws_client_send(ulong handle, uint kind, IntPtr data, ulong len);

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
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_send_reserve")]
        public static extern DwsStatus dws_client_send_reserve(ulong handle, ulong len, ref IntPtr out_data);

        /// Queues the reserved message as `kind` (1 text, which must be UTF-8, or 2
        /// binary). The reservation ends whatever the outcome: its memory is no
        /// longer the caller's. Statuses as `dws_client_send`; `InvalidState`
        /// without a reservation.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_send_commit")]
        public static extern DwsStatus dws_client_send_commit(ulong handle, uint kind);

        /// Drops the reservation without sending; `Ok` also when there is none.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_send_abort")]
        public static extern DwsStatus dws_client_send_abort(ulong handle);

        /// Blocks the calling thread until `dws_client_poll` has an event (`Ok`) or
        /// `timeout_ms` passes (`Empty`). For a thread that only pumps events (an
        /// async wrapper); a game loop polls each frame instead. Freeing the handle
        /// from another thread ends the wait within about 10 ms (`InvalidHandle`).
        /// Before connect: `InvalidState`.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_wait")]
        public static extern DwsStatus dws_client_wait(ulong handle, uint timeout_ms);

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
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_poll")]
        public static extern DwsStatus dws_client_poll(ulong handle, out DwsEvent out_event);

        /// Releases the event from the last `dws_client_poll`, returning its buffer
        /// to the pool; its `data` pointer is invalid afterwards. Releasing twice,
        /// or with nothing held, is `Ok`. After `dws_shutdown_all`, a handle whose
        /// event was still held answers this call (`Ok`) and is invalid after it.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_release")]
        public static extern DwsStatus dws_client_release(ulong handle);

        /// Writes the connection state (DWS_STATE_*) to `*out_state` (caller-owned).
        ///
        /// # Safety
        /// Non-null pointers must be valid for the reads and writes described
        /// above for the duration of the call; strings must be NUL-terminated.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_state")]
        public static extern DwsStatus dws_client_state(ulong handle, out uint out_state);

        /// Writes a snapshot of the counters to `*out_stats` (caller-owned; all zero before connect).
        ///
        /// # Safety
        /// Non-null pointers must be valid for the reads and writes described
        /// above for the duration of the call; strings must be NUL-terminated.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_stats")]
        public static extern DwsStatus dws_client_stats(ulong handle, out DwsStats out_stats);

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
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_protocol")]
        public static extern uint dws_client_protocol(ulong handle, IntPtr buf, uint cap);

        /// Starts the close handshake with `code` (1000, 1001-1003, 1007-1014 or
        /// 3000-4999, RFC 6455 §7.4) and `reason` (UTF-8, at most 123 bytes; null
        /// means empty). No reconnect follows. Completion arrives as a Closed event.
        /// A second call is `Closed`; before connect it is `InvalidState`.
        ///
        /// # Safety
        /// Non-null pointers must be valid for the reads and writes described
        /// above for the duration of the call; strings must be NUL-terminated.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_close")]
        public static extern DwsStatus dws_client_close(ulong handle, ushort code, [MarshalAs(Utf8)] string reason);

        /// Closes the client if needed, stops its threads and invalidates `handle`.
        /// Any `DwsEvent` pointer from this handle is invalid afterwards. A second
        /// call is `InvalidHandle`. Returns within about 100 ms whatever the network
        /// does: threads still blocked then (a TCP connect, a peer that does not
        /// read) are cut off and end on their own.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_client_free")]
        public static extern DwsStatus dws_client_free(ulong handle);

        /// Writes up to `cap` live handles (uint64_t each) to `out_handles` (caller-owned
        /// array; may be null when `cap` is 0) and returns how many handles are live
        /// (which may exceed `cap`). Returns 0 on failure.
        ///
        /// # Safety
        /// Non-null pointers must be valid for the reads and writes described
        /// above for the duration of the call; strings must be NUL-terminated.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_list")]
        public static extern uint dws_list(IntPtr out_handles, uint cap);

        /// Stops and frees every client in the process at once, returning within
        /// about 100 ms whatever the network does (engine threads never call into
        /// the caller, so none needs to be waited for longer). Every handle issued
        /// before is `InvalidHandle` afterwards, except that one whose polled event
        /// is still held keeps that event readable until `dws_client_release` (or
        /// `dws_client_free`) on it. New clients can be created after it. Call it
        /// before Unity reloads the domain.
        [DllImport(NativeLib, CallingConvention = CallingConvention.Cdecl, EntryPoint = "dws_shutdown_all")]
        public static extern DwsStatus dws_shutdown_all();

    }

    /// Outcome of a dws_ call. Negative values are failures; dws_last_error says more.
    internal enum DwsStatus
    {
        /// Success.
        Ok = 0,
        /// dws_client_poll: no event waiting. Not a failure.
        Empty = 1,
        /// The handle is 0, was never issued, or was freed.
        InvalidHandle = -1,
        /// A required pointer argument was null.
        NullPointer = -2,
        /// An argument is out of range or malformed.
        InvalidArgument = -3,
        /// Not allowed in the current state (send before open, connect twice).
        InvalidState = -4,
        /// The bounded send queue is full; nothing was queued.
        QueueFull = -5,
        /// The connection is closed or closing, or close was already requested.
        Closed = -6,
        /// A string argument was not valid UTF-8.
        InvalidUtf8 = -7,
        /// A Rust panic was caught at the boundary.
        Panic = -8,
        /// Any other failure.
        Internal = -9,
    }

    /// One event from `dws_client_poll`.
    ///
    /// Ownership: `data` points into memory owned by the library (the pooled
    /// receive buffer, or the event's text). It stays valid until the next
    /// `dws_client_poll` or `dws_client_release` on the same handle, or
    /// `dws_client_free` / `dws_shutdown_all`, whichever comes first. Copy what
    /// you need before then; never free it.
    [Serializable]
    [StructLayout(LayoutKind.Sequential)]
    internal partial struct DwsEvent
    {
        /// DWS_EVENT_*: 1 Open, 2 Message, 3 Closing, 4 Closed, 5 Error, 6 Reconnecting, 7 Reconnected, 8 Authenticated.
        public uint kind;
        /// Message only: 1 text, 2 binary; 0 otherwise.
        public uint message_kind;
        /// Message payload, or the UTF-8 text of Open (protocol), Closed (reason), Error (description). Null when `len` is 0.
        #if UNITY_2018_1_OR_NEWER
        [NativeDisableUnsafePtrRestriction]
        #endif
        public IntPtr data;
        /// Bytes at `data`.
        public ulong len;
        /// Closed only: the close code (1005 no code, 1006 no close frame).
        public ushort code;
        /// Closed only: 1 when the close handshake completed.
        public byte was_clean;
        /// Error only: 1 I/O, 2 TLS, 3 handshake, 4 protocol, 5 timeout, 6 other, 7 proxy.
        public uint error_kind;
        /// Reconnecting only: 1-based attempt number.
        public uint attempt;
        /// Reconnecting only: delay before the attempt, ms.
        public uint delay_ms;
        /// Closed only: messages `dws_client_send` accepted that were never sent.
        public ulong unsent;
    }

    /// Connection settings. Fill it with `dws_options_default`, change what you
    /// need, pass it to `dws_client_new` (which copies it). Flags are 0 or 1.
    ///
    /// Versioned by `struct_size`: fields are only ever added at the end, and a
    /// library reads no more than the caller's `struct_size` bytes, taking its
    /// defaults for fields a smaller (older) struct lacks.
    [Serializable]
    [StructLayout(LayoutKind.Sequential)]
    internal partial struct DwsOptions
    {
        /// `sizeof(DwsOptions)` as the caller compiled it; `dws_options_default`
        /// sets it. A struct larger than this library's is refused
        /// (`InvalidArgument`): the caller is newer than the library.
        public uint struct_size;
        /// Keep-alive ping interval in ms; 0 disables pings.
        public uint ping_interval_ms;
        /// A ping unanswered this long (ms) declares the connection dead (1006).
        public uint pong_timeout_ms;
        /// Close when nothing is received this long (ms); 0 disables.
        public uint idle_timeout_ms;
        /// Bound (ms) on TCP connect + TLS + upgrade handshake.
        public uint connect_timeout_ms;
        /// Bound (ms) on the close handshake.
        public uint close_timeout_ms;
        /// Largest accepted frame payload, bytes.
        public ulong max_frame_size;
        /// Largest accepted reassembled message, bytes.
        public ulong max_message_size;
        /// Send queue bound: messages.
        public uint send_queue_max_messages;
        /// Send queue bound: payload bytes.
        public ulong send_queue_max_bytes;
        /// Undrained received messages bound: messages (then reading pauses).
        public uint recv_queue_max_messages;
        /// Undrained received messages bound: payload bytes.
        public ulong recv_queue_max_bytes;
        /// 1: reconnect after a drop with a reconnect close code.
        public byte reconnect_enabled;
        /// Attempts before giving up; 0 means unlimited.
        public uint reconnect_max_attempts;
        /// Delay before the first attempt, ms.
        public uint reconnect_initial_delay_ms;
        /// Cap on any delay, ms.
        public uint reconnect_max_delay_ms;
        /// Backoff growth per attempt (>= 1).
        public double reconnect_multiplier;
        /// 1: full jitter (delay uniform in [0, backoff]).
        public byte reconnect_jitter;
        /// 1: buffer sends made while reconnecting (bounded below) and flush them after.
        public byte reconnect_buffer_enabled;
        /// Reconnect buffer bound: messages.
        public uint reconnect_buffer_max_messages;
        /// Reconnect buffer bound: payload bytes.
        public ulong reconnect_buffer_max_bytes;
        /// 1: offer permessage-deflate (RFC 7692, default parameters: context
        /// takeover both ways); messages are compressed when the server agrees.
        /// 0 (the default) keeps the zero-copy path. Last, so older field
        /// offsets are unchanged.
        public byte permessage_deflate;
        /// A connection must stay open this long (ms) before the reconnect
        /// attempt count starts over, so a server that accepts and drops at once
        /// still runs out of `reconnect_max_attempts`.
        public uint reconnect_stable_after_ms;
        /// The least reconnect delay (ms, within `reconnect_max_delay_ms`) after
        /// the server closed with 1013 "try again later".
        public uint reconnect_try_again_later_ms;
        /// 0 (the default): at-most-once, no extra traffic; what the operating
        /// system had accepted when the connection died may be lost.
        /// 1: at-least-once (needs the reconnect buffer, whose bounds limit the
        /// window): a message counts as sent once the server answered a Ping
        /// written after it, and unconfirmed messages are sent again after a
        /// reconnect, so the server may see one twice but misses none.
        /// A u32 in what was the previous layout's tail padding, so the size is
        /// unchanged; `dws_options_default` has always written those bytes.
        public uint delivery;
    }

    /// A snapshot of a connection's counters (copied out; no pointers).
    [Serializable]
    [StructLayout(LayoutKind.Sequential)]
    internal partial struct DwsStats
    {
        /// Data messages sent.
        public ulong messages_sent;
        /// Data messages received.
        public ulong messages_received;
        /// Payload bytes sent.
        public ulong bytes_sent;
        /// Payload bytes received.
        public ulong bytes_received;
        /// Successful reconnects.
        public ulong reconnects;
        /// Round-trip time of the last answered ping, microseconds (0: none yet).
        public ulong last_rtt_us;
        /// Messages waiting in the send queue.
        public ulong send_queue_depth;
        /// Events waiting in the receive (dispatch) queue.
        public ulong recv_queue_depth;
        /// Messages accepted by a send that were never sent (the connection ended first).
        public ulong messages_unsent;
    }



    internal class InteropException<T> : Exception
    {
        public T Error { get; private set; }

        public InteropException(T error): base($"Something went wrong: {error}")
        {
            Error = error;
        }
    }

}
