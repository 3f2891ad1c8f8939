//! The browser side of a connection: the `WebSocket` object, its event handlers and the
//! reconnect timer, driven by the I/O-free [`Session`].
//!
//! Copies are kept to the minimum the browser allows: a received `ArrayBuffer` is kept as
//! is until the game polls it and is then copied once into the game's heap; a send hands
//! the browser a view of the game's heap, which `WebSocket.send` copies once. Only sends
//! buffered while (re)connecting take an extra copy, because the game reuses its memory.

use std::cell::RefCell;

use js_sys::{ArrayBuffer, Function, JsString, SharedArrayBuffer, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use devian_ws_policy::abi;

use crate::error::{Error, ErrorKind, Result};
use crate::event::{BridgeFields, ErrorKind as EventErrorKind, Event};
use crate::options::Options;
use crate::registry::{self, Registry};
use crate::session::{AfterClose, CloseAction, Dial, Outgoing, Route, Session, State};

thread_local! {
    /// The module's connections, by the ids C# holds.
    pub(crate) static CONNECTIONS: RefCell<Registry<Connection>> = RefCell::new(Registry::default());
}

// Global functions, present both on pages and in workers (unlike `window.setTimeout`).
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
}

// Our own bindings, typed so that strings stay JS strings: web-sys' versions go through Rust
// `String`s, which would copy every text message into and out of this module's memory.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = TextEncoder)]
    type Utf8Encoder;
    #[wasm_bindgen(constructor, catch, js_class = TextEncoder)]
    fn new() -> core::result::Result<Utf8Encoder, JsValue>;
    #[wasm_bindgen(method, js_class = TextEncoder)]
    fn encode(this: &Utf8Encoder, input: &JsString) -> Uint8Array;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = TextDecoder)]
    type Utf8Decoder;
    #[wasm_bindgen(constructor, catch, js_class = TextDecoder)]
    fn new(label: &str, options: &JsValue) -> core::result::Result<Utf8Decoder, JsValue>;
    #[wasm_bindgen(method, catch, js_class = TextDecoder)]
    fn decode(this: &Utf8Decoder, input: &Uint8Array) -> core::result::Result<JsString, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    /// `WebSocket` seen through a `send(string)` that takes a JS string as is.
    #[wasm_bindgen(js_name = WebSocket)]
    type TextSocket;
    #[wasm_bindgen(method, catch, js_class = WebSocket, js_name = send)]
    fn send_text(this: &TextSocket, data: &JsString) -> core::result::Result<(), JsValue>;
}

fn send_js_string(ws: &WebSocket, text: &JsString) -> core::result::Result<(), JsValue> {
    ws.unchecked_ref::<TextSocket>().send_text(text)
}

/// A received message as the browser delivered it.
#[derive(Debug)]
pub enum Incoming {
    /// `binaryType = "arraybuffer"`: the browser's buffer, not yet copied.
    Binary(ArrayBuffer),
    /// Text, encoded to UTF-8 once on arrival.
    Text(Uint8Array),
}

/// A send waiting in the buffer while (re)connecting.
#[derive(Debug)]
pub enum Outbound {
    /// A private copy of the caller's bytes.
    Binary(Uint8Array),
    /// A text message, already decoded to a JS string.
    Text(JsString),
}

/// The four handlers of one socket. Each knows its connection id and the socket's
/// generation, so events of a socket replaced by a reconnect are ignored.
struct Handlers {
    _open: Closure<dyn FnMut(web_sys::Event)>,
    _message: Closure<dyn FnMut(MessageEvent)>,
    _close: Closure<dyn FnMut(CloseEvent)>,
    _error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Handlers {
    fn attach(ws: &WebSocket, id: u32, generation: u32) -> Self {
        let open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
            registry::dispatch(&CONNECTIONS, id, |c| c.on_open(generation));
        });
        let message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            registry::dispatch(&CONNECTIONS, id, |c| c.on_message(generation, &ev));
        });
        let close = Closure::<dyn FnMut(CloseEvent)>::new(move |ev: CloseEvent| {
            registry::dispatch(&CONNECTIONS, id, |c| c.on_close(generation, &ev));
        });
        let error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
            registry::dispatch(&CONNECTIONS, id, |c| c.on_error(generation));
        });
        ws.set_onopen(Some(open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(error.as_ref().unchecked_ref()));
        Self {
            _open: open,
            _message: message,
            _close: close,
            _error: error,
        }
    }
}

fn detach(ws: &WebSocket) {
    ws.set_onopen(None);
    ws.set_onmessage(None);
    ws.set_onclose(None);
    ws.set_onerror(None);
}

/// One connection: session plus the browser objects that carry it out.
pub struct Connection {
    id: u32,
    session: Session<Incoming, Outbound>,
    socket: Option<WebSocket>,
    handlers: Option<Handlers>,
    /// Handlers of the previous socket. Kept one round longer because they may be the very
    /// closure that is running when the socket is replaced.
    retired: Option<Handlers>,
    generation: u32,
    timer: Option<JsValue>,
    timer_fired: Closure<dyn FnMut()>,
    encoder: Utf8Encoder,
    decoder: Utf8Decoder,
}

impl Connection {
    /// A connection `id` with `options`, not yet connected.
    pub fn new(id: u32, options: Options) -> Result<Self> {
        // RFC 6455 §8.1: text messages are UTF-8; refuse to send invalid bytes instead of
        // letting the decoder substitute U+FFFD.
        let opts = js_sys::Object::new();
        js_sys::Reflect::set(&opts, &JsValue::from_str("fatal"), &JsValue::TRUE)
            .map_err(browser)?;
        let decoder = Utf8Decoder::new("utf-8", &opts).map_err(browser)?;
        let encoder = Utf8Encoder::new().map_err(browser)?;
        let timer_fired = Closure::<dyn FnMut()>::new(move || {
            registry::dispatch(&CONNECTIONS, id, |c| c.on_timer());
        });
        Ok(Self {
            id,
            session: Session::new(options),
            socket: None,
            handlers: None,
            retired: None,
            generation: 0,
            timer: None,
            timer_fired,
            encoder,
            decoder,
        })
    }

    /// The options, for changes before connecting.
    pub fn options_mut(&mut self) -> Result<&mut Options> {
        self.session.options_mut()
    }

    /// The state, for `dws_client_state`.
    pub fn state(&self) -> State {
        self.session.state()
    }

    /// The sub-protocol the server chose on the last open (empty when none).
    pub fn protocol(&self) -> &str {
        self.session.protocol()
    }

    /// Counters and queue depths.
    pub fn stats(&self) -> devian_ws_policy::Stats {
        self.session.stats()
    }

    /// Opens the socket.
    pub fn connect(&mut self) -> Result<()> {
        let dial = self.session.connect()?;
        if let Err(e) = self.dial(dial) {
            // The constructor refused (bad URL, mixed content...): nothing was opened, so
            // the caller gets the error now instead of events later.
            self.session.abort_connect();
            return Err(e);
        }
        Ok(())
    }

    fn dial(&mut self, dial: Dial) -> Result<()> {
        let protocols = js_sys::Array::new();
        for p in &dial.protocols {
            protocols.push(&JsValue::from_str(p));
        }
        let ws = WebSocket::new_with_str_sequence(&dial.url, &protocols).map_err(|e| {
            // The URL as configured: the dialed one may carry the authentication token.
            Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "the browser refused to open '{}': {}",
                    self.session.options().url(),
                    describe(&e)
                ),
            )
        })?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        self.generation = self.generation.wrapping_add(1);
        let handlers = Handlers::attach(&ws, self.id, self.generation);
        self.retired = self.handlers.replace(handlers);
        if let Some(old) = self.socket.replace(ws) {
            detach(&old);
        }
        Ok(())
    }

    fn on_open(&mut self, generation: u32) {
        if generation != self.generation {
            return;
        }
        let Some(ws) = self.socket.clone() else {
            return;
        };
        for (item, _) in self.session.opened(ws.protocol(), js_sys::Date::now()) {
            let sent = match &item {
                Outgoing::Text(text) => ws.send_with_str(text),
                Outgoing::Buffered(Outbound::Binary(bytes)) => {
                    ws.send_with_array_buffer_view(bytes)
                }
                Outgoing::Buffered(Outbound::Text(text)) => send_js_string(&ws, text),
            };
            if let Err(e) = sent {
                self.session.failed(
                    EventErrorKind::Other,
                    format!("sending a buffered message failed: {}", describe(&e)),
                );
            }
        }
    }

    fn on_message(&mut self, generation: u32, ev: &MessageEvent) {
        if generation != self.generation {
            return;
        }
        let data = ev.data();
        if let Some(buffer) = data.dyn_ref::<ArrayBuffer>() {
            let len = buffer.byte_length() as usize;
            self.session
                .received(Incoming::Binary(buffer.clone()), len, false);
        } else if let Some(text) = data.dyn_ref::<JsString>() {
            let utf8 = self.encoder.encode(text);
            let len = utf8.length() as usize;
            self.session.received(Incoming::Text(utf8), len, true);
        } else {
            // Only a Blob could get here, and binaryType is "arraybuffer" from the start.
            self.session.failed(
                EventErrorKind::Protocol,
                "received a message of an unexpected type",
            );
        }
    }

    fn on_error(&mut self, generation: u32) {
        // Reported like the native engine reports a failed connection or attempt. The browser
        // gives no detail on purpose (it would leak network information); the close code
        // that follows says more. The application's own close() of a connecting socket also
        // fires `error`, which is not a failure.
        if generation == self.generation && !self.session.user_closed() {
            self.session.failed(
                EventErrorKind::Io,
                "WebSocket error (the browser gives no details; the close event follows)",
            );
        }
    }

    fn on_close(&mut self, generation: u32, ev: &CloseEvent) {
        if generation != self.generation {
            return;
        }
        if let Some(ws) = self.socket.take() {
            detach(&ws);
        }
        if let AfterClose::Reconnect(delay) = self.session.closed(
            ev.code(),
            ev.reason(),
            ev.was_clean(),
            js_sys::Math::random(),
            js_sys::Date::now(),
        ) {
            let ms = i32::try_from(delay.as_millis()).unwrap_or(i32::MAX);
            self.timer = Some(set_timeout(self.timer_fired.as_ref().unchecked_ref(), ms));
        }
    }

    fn on_timer(&mut self) {
        self.timer = None;
        let Some(dial) = self.session.reconnect_due() else {
            return;
        };
        if let Err(e) = self.dial(dial) {
            // Counts as a failed attempt: the policy decides whether another one follows.
            self.session.failed(EventErrorKind::Other, e.message());
            if let AfterClose::Reconnect(delay) = self.session.closed(
                1006,
                String::new(),
                false,
                js_sys::Math::random(),
                js_sys::Date::now(),
            ) {
                let ms = i32::try_from(delay.as_millis()).unwrap_or(i32::MAX);
                self.timer = Some(set_timeout(self.timer_fired.as_ref().unchecked_ref(), ms));
            }
        }
    }

    /// Sends `len` bytes at `ptr` of the game's `heap`, as text (UTF-8) or binary. Returns
    /// whether it went out now or was buffered.
    pub fn send(&mut self, heap: &Uint8Array, ptr: u32, len: u32, text: bool) -> Result<Route> {
        let view = heap_range(heap, ptr, len)?;
        // Checked before routing so that a refused send is not counted as sent.
        let text_value = if text {
            Some(self.decode(&view)?)
        } else {
            None
        };
        let writable = self
            .socket
            .as_ref()
            .is_some_and(|ws| ws.ready_state() == WebSocket::OPEN);
        if let Some(ws) = self.socket.as_ref().filter(|_| writable) {
            // The browser queues without limit; bound it like the native send queue. As
            // natively, one message larger than the bound still goes when nothing is pending.
            let pending = ws.buffered_amount() as usize;
            let limit = self.session.options().max_buffered_bytes;
            if pending > 0 && pending.saturating_add(len as usize) > limit {
                return Err(Error::new(
                    ErrorKind::QueueFull,
                    format!(
                        "the browser still holds {pending} unsent bytes; {len} more would pass \
                         the {limit}-byte send limit (SendQueueMaxBytes)"
                    ),
                ));
            }
        }
        match self.session.route_send(len as usize, writable)? {
            Route::Now => {
                let ws = self
                    .socket
                    .as_ref()
                    .ok_or_else(|| Error::new(ErrorKind::InvalidState, "no socket while open"))?;
                let sent = match &text_value {
                    Some(s) => send_js_string(ws, s),
                    None => ws.send_with_array_buffer_view(&unshared(view)),
                };
                sent.map_err(browser)?;
                Ok(Route::Now)
            }
            Route::Queue => {
                let item = match text_value {
                    Some(s) => Outbound::Text(s),
                    // The game reuses its buffer as soon as we return: keep a private copy.
                    None => Outbound::Binary(view.slice(0, len)),
                };
                self.session.enqueue(item, len as usize)?;
                Ok(Route::Queue)
            }
        }
    }

    fn decode(&self, view: &Uint8Array) -> Result<JsString> {
        self.decoder.decode(&unshared(view.clone())).map_err(|_| {
            Error::new(
                ErrorKind::InvalidUtf8,
                "text message is not valid UTF-8 (RFC 6455 section 8.1)",
            )
        })
    }

    /// Closes with `code` and `reason`; the `Closed` event reports the outcome.
    pub fn close(&mut self, code: u16, reason: &str) -> Result<()> {
        match self.session.close(code, reason)? {
            CloseAction::CloseSocket => {
                if let Some(ws) = &self.socket {
                    ws.close_with_code_and_reason(code, reason)
                        .map_err(browser)?;
                }
            }
            CloseAction::CancelTimer => self.cancel_timer(),
            CloseAction::Nothing => {}
        }
        Ok(())
    }

    fn cancel_timer(&mut self) {
        if let Some(handle) = self.timer.take() {
            clear_timeout(&handle);
        }
    }

    /// Moves the next event's payload into `heap` at `ptr` (at most `cap` bytes), writes the
    /// event as a `DwsEvent` at `out` and returns its kind; 0 (and a zeroed `DwsEvent`) when
    /// there is none. When the payload does not fit, nothing is consumed and the error says
    /// how much room is needed ([`Connection::peek_len`]).
    pub fn next(&mut self, heap: &Uint8Array, ptr: u32, cap: u32, out: u32) -> Result<i32> {
        const SIZE: u32 = abi::event_layout::SIZE as u32;
        in_heap(heap, out, SIZE)?;
        let Some(event) = self.session.peek() else {
            // Every frame polls until empty: zero in place, no view.
            heap.fill(0, out, out + SIZE);
            return Ok(0);
        };
        let len = u32::try_from(event.payload_len()).unwrap_or(u32::MAX);
        if len > cap {
            return Err(Error::new(
                ErrorKind::BufferTooSmall,
                format!("next event needs {len} bytes, buffer has {cap}"),
            ));
        }
        let dest = heap_range(heap, ptr, len)?;
        let Some(event) = self.session.pop() else {
            return Ok(0);
        };
        heap.subarray(out, out + SIZE)
            .copy_from(&event.dws_event(ptr));
        let kind = event.wire_kind() as i32;
        match event {
            Event::Message { data, .. } => match data.data {
                Incoming::Binary(buffer) => dest.set(&Uint8Array::new(&buffer), 0),
                Incoming::Text(utf8) => dest.set(&utf8, 0),
            },
            Event::Open { protocol } => dest.copy_from(protocol.unwrap_or_default().as_bytes()),
            Event::Closed { reason, .. } => dest.copy_from(reason.as_bytes()),
            Event::Error { text, .. } => dest.copy_from(text.as_bytes()),
            Event::Closing
            | Event::Reconnecting { .. }
            | Event::Reconnected
            | Event::Authenticated => {}
        }
        Ok(kind)
    }

    /// Payload bytes of the next event (0 when there is none).
    pub fn peek_len(&self) -> u32 {
        self.session
            .peek()
            .map_or(0, |e| u32::try_from(e.payload_len()).unwrap_or(u32::MAX))
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // Handlers must be detached before their closures are freed, or a late browser event
        // would call into freed memory. A still-open socket is closed politely.
        self.cancel_timer();
        if let Some(ws) = self.socket.take() {
            detach(&ws);
            if ws.ready_state() <= WebSocket::OPEN {
                // Best effort: the socket is being discarded either way.
                let _ = ws.close_with_code(crate::close::NORMAL);
            }
        }
    }
}

/// `len` bytes at `ptr` of `heap`, checked against the heap's size.
pub(crate) fn heap_range(heap: &Uint8Array, ptr: u32, len: u32) -> Result<Uint8Array> {
    in_heap(heap, ptr, len)?;
    Ok(heap.subarray(ptr, ptr + len))
}

/// Whether `ptr..ptr + len` lies inside the game's heap.
fn in_heap(heap: &Uint8Array, ptr: u32, len: u32) -> Result<()> {
    let end = u64::from(ptr) + u64::from(len);
    if end > u64::from(heap.length()) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "range {ptr}+{len} is outside the heap ({} bytes)",
                heap.length()
            ),
        ));
    }
    Ok(())
}

/// Browsers refuse views of a `SharedArrayBuffer` (multithreaded Unity builds) in `send`
/// and `decode`; such views get copied first.
fn unshared(view: Uint8Array) -> Uint8Array {
    if view.buffer().is_instance_of::<SharedArrayBuffer>() {
        view.slice(0, view.length())
    } else {
        view
    }
}

/// The message of a JS exception.
fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|err| String::from(err.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}

fn browser(e: JsValue) -> Error {
    Error::new(ErrorKind::Browser, describe(&e))
}
