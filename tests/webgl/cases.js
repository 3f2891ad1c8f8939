'use strict';
// The test cases. `UnityClient` makes the calls C#'s transport makes through the generated
// Interop ([DllImport("__Internal")] on WebGL): the native library's dws_* functions, with
// strings as malloc'd NUL-terminated UTF-8, structs and sends in heap memory, and 64-bit
// arguments as IL2CPP code passes them: (lo, hi) int32 pairs (Emscripten without WASM_BIGINT,
// harness.html) or BigInts (harness.html?abi=bigint).
/* global loadJslib, _malloc, _free, HEAPU8, DevianWsReady, serverCtl, report, finish */

// Event kinds, message kinds, statuses and states: native/policy/src/abi.rs.
var KIND = { OPEN: 1, MESSAGE: 2, CLOSING: 3, CLOSED: 4, ERROR: 5, RECONNECTING: 6, RECONNECTED: 7, AUTHENTICATED: 8 };
var MSG = { TEXT: 1, BINARY: 2 };
var E = { OK: 0, EMPTY: 1, INVALID_HANDLE: -1, NULL_POINTER: -2, INVALID_ARGUMENT: -3, INVALID_STATE: -4, QUEUE_FULL: -5, CLOSED: -6, INVALID_UTF8: -7 };
var STATE = { CLOSED: 0, CONNECTING: 1, OPEN: 3, CLOSING: 4, RECONNECTING: 5 };
// Offsets of native/ffi/include/devian_ws.h for wasm32 (the C player checks them with a compiler).
var EV = { kind: 0, message_kind: 4, data: 8, len: 16, code: 24, was_clean: 26, attempt: 32, delay_ms: 36, unsent: 40 };
var OPT = {
  send_queue_max_bytes: [48, 'u64'], reconnect_enabled: [72, 'u8'], reconnect_max_attempts: [76, 'u32'],
  reconnect_initial_delay_ms: [80, 'u32'], reconnect_max_delay_ms: [84, 'u32'],
  reconnect_multiplier: [88, 'f64'], reconnect_jitter: [96, 'u8']
};
// Which parameters are 64-bit ('j'), per function, as in the C header.
var SIG = {
  dws_last_error: 'pi', dws_options_default: 'p', dws_client_new: 'ppp', dws_client_add_protocol: 'jp',
  dws_client_add_header: 'jpp', dws_client_set_origin: 'jp', dws_client_set_proxy: 'jp',
  dws_client_set_proxy_from_env: 'j', dws_client_add_root_ca_pem: 'jpj', dws_client_pin_sha256: 'jp',
  dws_client_dangerous_accept_any_certificate: 'ji', dws_client_set_reconnect_codes: 'jpi',
  dws_client_set_auth_query: 'jpp', dws_client_set_auth_first_message: 'jppp',
  dws_client_set_auth_subprotocol: 'jp', dws_client_set_auth_header: 'jpp', dws_client_connect: 'j',
  dws_client_send: 'jipj', dws_client_send_reserve: 'jjp', dws_client_send_commit: 'ji',
  dws_client_send_abort: 'j', dws_client_wait: 'ji', dws_client_poll: 'jp', dws_client_release: 'j',
  dws_client_state: 'jp', dws_client_stats: 'jp', dws_client_protocol: 'jpi', dws_client_close: 'jip',
  dws_client_free: 'j', dws_list: 'pi', dws_shutdown_all: ''
};
var BIGINT = new URLSearchParams(location.search).get('abi') === 'bigint';
var WAIT_MS = 10000;
var lib = null;
var wsUrl = 'ws://127.0.0.1:' + new URLSearchParams(location.search).get('ws') + '/echo';
var utf8 = new TextEncoder();
var fromUtf8 = new TextDecoder('utf-8', { fatal: true });

function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

// Calls a dws_ function with Number arguments, passing each 64-bit one as this build would.
function dws(name) {
  var sig = SIG[name], args = [];
  if (sig === undefined) throw new Error('no signature for ' + name);
  for (var i = 0; i < sig.length; i++) {
    var v = arguments[i + 1];
    if (sig.charAt(i) !== 'j') args.push(v);
    else if (BIGINT) args.push(BigInt(v));
    else args.push(v % 4294967296 | 0, Math.floor(v / 4294967296) | 0);
  }
  return lib[name].apply(null, args);
}

function u32(p) { return new DataView(HEAPU8.buffer).getUint32(p, true); }
function u64(p) { return Number(new DataView(HEAPU8.buffer).getBigUint64(p, true)); }

// A C# string argument: UTF-8 + NUL in the heap for the duration of one call.
function withCString(s, f) {
  var bytes = utf8.encode(s);
  var p = _malloc(bytes.length + 1);
  HEAPU8.set(bytes, p);
  HEAPU8[p + bytes.length] = 0;
  try { return f(p); } finally { _free(p); }
}

function lastError() {
  var p = _malloc(512);
  try {
    var n = dws('dws_last_error', p, 512);
    return fromUtf8.decode(HEAPU8.slice(p, p + Math.min(n, 512)));
  } finally { _free(p); }
}

function check(cond, what) { if (!cond) throw new Error(what); }

function ok(status, what) {
  check(status === E.OK, what + ' failed with ' + status + ': ' + lastError());
  return status;
}

// options: DwsOptions fields to change from dws_options_default; none passes NULL (the
// module's defaults).
function UnityClient(url, options) {
  var opt = 0;
  if (options) {
    opt = _malloc(128);
    ok(dws('dws_options_default', opt), 'dws_options_default');
    var v = new DataView(HEAPU8.buffer);
    Object.keys(options).forEach(function (k) {
      var f = OPT[k], p = opt + f[0], x = options[k];
      if (f[1] === 'u8') v.setUint8(p, x);
      else if (f[1] === 'u32') v.setUint32(p, x, true);
      else if (f[1] === 'u64') v.setBigUint64(p, BigInt(x), true);
      else v.setFloat64(p, x, true);
    });
  }
  var out = _malloc(8);
  try {
    ok(withCString(url, function (p) { return dws('dws_client_new', opt, p, out); }), 'dws_client_new');
    this.h = u64(out);
  } finally {
    _free(out);
    if (opt) _free(opt);
  }
  this.ev = _malloc(48);
  this.events = [];
}

UnityClient.prototype.call = function (name) {
  var args = [name, this.h].concat(Array.prototype.slice.call(arguments, 1));
  return dws.apply(null, args);
};

UnityClient.prototype.str = function (name, s) {
  var self = this;
  return withCString(s, function (p) { return self.call(name, p); });
};

// Sends bytes from the heap (the C# side pins its span and passes the pointer).
UnityClient.prototype.send = function (bytes, isText) {
  var p = _malloc(Math.max(bytes.length, 1));
  try {
    HEAPU8.set(bytes, p);
    return this.call('dws_client_send', isText ? MSG.TEXT : MSG.BINARY, p, bytes.length);
  } finally { _free(p); }
};

UnityClient.prototype.state = function () {
  var p = _malloc(4);
  try {
    var r = this.call('dws_client_state', p);
    return r === E.OK ? u32(p) : r;
  } finally { _free(p); }
};

// One Update(): drain every queued event. code: message kind, close code or reconnect
// attempt; aux: clean flag or reconnect delay.
UnityClient.prototype.update = function () {
  for (var guard = 0; guard < 10000; guard++) {
    var r = this.call('dws_client_poll', this.ev);
    if (r === E.EMPTY) return;
    ok(r, 'dws_client_poll');
    var e = this.ev, kind = u32(e + EV.kind), len = u64(e + EV.len), data = u32(e + EV.data);
    var code = 0, aux = 0;
    if (kind === KIND.MESSAGE) code = u32(e + EV.message_kind);
    var unsent = 0;
    if (kind === KIND.CLOSED) {
      code = HEAPU8[e + EV.code] | HEAPU8[e + EV.code + 1] << 8;
      aux = HEAPU8[e + EV.was_clean];
      unsent = u64(e + EV.unsent);
    }
    if (kind === KIND.RECONNECTING) { code = u32(e + EV.attempt); aux = u32(e + EV.delay_ms); }
    check(len === 0 || data !== 0, 'an event with ' + len + ' bytes at address 0');
    this.events.push({ kind: kind, code: code, aux: aux, unsent: unsent, data: HEAPU8.slice(data, data + len) });
    this.call('dws_client_release');
  }
};

// Polls like a game loop until an event matches, bounded in time; returns that event.
UnityClient.prototype.waitFor = async function (pred, what) {
  var deadline = Date.now() + WAIT_MS;
  for (var i = 0; Date.now() < deadline && i < 5000; i++) {
    this.update();
    while (this.events.length) {
      var ev = this.events.shift();
      if (ev.kind === KIND.ERROR && !pred(ev)) console.log('error event: ' + fromUtf8.decode(ev.data));
      if (pred(ev)) return ev;
    }
    await sleep(5);
  }
  throw new Error('timed out waiting for ' + what);
};

UnityClient.prototype.open = async function () {
  ok(this.call('dws_client_connect'), 'dws_client_connect');
  var ev = await this.waitFor(function (e) { return e.kind === KIND.OPEN || e.kind === KIND.CLOSED; }, 'open');
  check(ev.kind === KIND.OPEN, 'closed with ' + ev.code + ' instead of opening');
  return fromUtf8.decode(ev.data);
};

UnityClient.prototype.message = function (kind) {
  return this.waitFor(function (e) { return e.kind === KIND.MESSAGE && e.code === kind; },
    kind === MSG.TEXT ? 'a text message' : 'a binary message');
};

UnityClient.prototype.stats = function () {
  var p = _malloc(72);
  try {
    ok(this.call('dws_client_stats', p), 'dws_client_stats');
    var names = ['messagesSent', 'messagesReceived', 'bytesSent', 'bytesReceived', 'reconnects',
      'lastRttUs', 'sendQueueDepth', 'recvQueueDepth', 'messagesUnsent'];
    var s = {};
    names.forEach(function (n, i) { s[n] = u64(p + i * 8); });
    return s;
  } finally { _free(p); }
};

UnityClient.prototype.dispose = function () {
  this.call('dws_client_free');
  _free(this.ev);
};

function pattern(n) {
  var b = new Uint8Array(n);
  for (var i = 0; i < n; i++) b[i] = (i * 31 + 7) & 255;
  return b;
}

function sameBytes(a, b) {
  if (a.length !== b.length) return 'length ' + a.length + ' != ' + b.length;
  for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return 'byte ' + i + ' differs';
  return null;
}

async function echoBinary(size) {
  var c = new UnityClient(wsUrl);
  try {
    await c.open();
    var data = pattern(size);
    check(c.send(data, false) === 0, 'send did not go out immediately');
    var ev = await c.message(MSG.BINARY);
    var diff = sameBytes(ev.data, data);
    check(!diff, 'echo differs: ' + diff);
    var s = c.stats();
    check(s.bytesSent === size && s.bytesReceived === size && s.messagesReceived === 1,
      'statistics ' + JSON.stringify(s));
  } finally { c.dispose(); }
}

async function info(c) {
  ok(c.send(utf8.encode('info?'), true), 'send info?');
  return JSON.parse(fromUtf8.decode((await c.message(MSG.TEXT)).data));
}

var CASES = [
  ['text message round trip (UTF-8)', async function () {
    var c = new UnityClient(wsUrl);
    try {
      await c.open();
      var text = 'héllo, wörld ✓ 𝄞';
      check(c.send(utf8.encode(text), true) === 0, 'send');
      var ev = await c.message(MSG.TEXT);
      check(fromUtf8.decode(ev.data) === text, 'got "' + fromUtf8.decode(ev.data) + '"');
    } finally { c.dispose(); }
  }],
  // RFC 6455 §5.6: a data frame may carry 0 bytes; it must still arrive as one message.
  ['binary 0 B', function () { return echoBinary(0); }],
  // 64 KiB: past the 16-bit extended length (RFC 6455 §5.2 uses the 64-bit form above 65535).
  ['binary 64 KiB', function () { return echoBinary(64 * 1024); }],
  ['binary 1 MiB (the receive buffer in the heap grows)', function () { return echoBinary(1024 * 1024); }],
  // RFC 6455 §4.1/§4.2.2: the client offers a list, the server picks one of them.
  ['sub-protocol negotiated', async function () {
    var c = new UnityClient(wsUrl);
    try {
      ok(c.str('dws_client_add_protocol', 'devian.v2'), 'add_protocol');
      ok(c.str('dws_client_add_protocol', 'devian.v1'), 'add_protocol');
      var chosen = await c.open();
      check(chosen === 'devian.v1', 'negotiated "' + chosen + '"');
      var seen = await info(c);
      check(seen.protocols.join(',') === 'devian.v2,devian.v1', 'server saw ' + seen.protocols);
    } finally { c.dispose(); }
  }],
  // RFC 6455 §5.5.1/§7.1.2: the close code and reason travel in the Close frame and the
  // peer echoes the code back.
  ['close code and reason (client closes)', async function () {
    var c = new UnityClient(wsUrl);
    try {
      await c.open();
      ok(withCString('bye now ✓', function (p) { return c.call('dws_client_close', 4001, p); }), 'close');
      var ev = await c.waitFor(function (e) { return e.kind === KIND.CLOSED; }, 'close');
      check(ev.code === 4001 && fromUtf8.decode(ev.data) === 'bye now ✓',
        'closed with ' + ev.code + ' "' + fromUtf8.decode(ev.data) + '"');
      check(ev.aux === 1, 'close handshake not reported clean');
      check(c.state() === STATE.CLOSED, 'state is not Closed');
      check(c.send(pattern(1), false) === E.CLOSED, 'send after close was not refused');
    } finally { c.dispose(); }
  }],
  ['close code and reason (server closes)', async function () {
    var c = new UnityClient(wsUrl);
    try {
      await c.open();
      ok(c.send(utf8.encode('close:4002:server says bye'), true), 'send');
      var ev = await c.waitFor(function (e) { return e.kind === KIND.CLOSED; }, 'close');
      check(ev.code === 4002 && fromUtf8.decode(ev.data) === 'server says bye',
        'closed with ' + ev.code + ' "' + fromUtf8.decode(ev.data) + '"');
    } finally { c.dispose(); }
  }],
  // RFC 6455 §7.4.1: 1006 is reported when the connection drops without a Close frame;
  // seed 002: reconnect with backoff + jitter and flush what was queued meanwhile.
  ['reconnect after server restart, buffered sends flushed', async function () {
    var c = new UnityClient(wsUrl, { reconnect_enabled: 1, reconnect_max_attempts: 0, reconnect_initial_delay_ms: 50,
      reconnect_multiplier: 2.0, reconnect_max_delay_ms: 400, reconnect_jitter: 1 });
    try {
      await c.open();
      await serverCtl('stop');
      var r = await c.waitFor(function (e) { return e.kind === KIND.RECONNECTING; }, 'reconnecting');
      check(r.code === 1 && r.aux >= 0 && r.aux <= 400, 'attempt ' + r.code + ' after ' + r.aux + ' ms');
      // Between attempts it is Reconnecting; during one, Connecting.
      var st = c.state();
      check(st === STATE.RECONNECTING || st === STATE.CONNECTING, 'state ' + st + ' while the server is down');
      var msgs = [pattern(1), pattern(2000), utf8.encode('third')];
      check(c.send(msgs[0], false) === E.OK && c.send(msgs[1], false) === E.OK && c.send(msgs[2], true) === E.OK,
        'sends while reconnecting were refused');
      check(c.stats().sendQueueDepth === 3, 'queue depth ' + c.stats().sendQueueDepth);
      await serverCtl('start');
      await c.waitFor(function (e) { return e.kind === KIND.RECONNECTED; }, 'reconnected');
      var a = await c.message(MSG.BINARY);
      var b = await c.message(MSG.BINARY);
      var t = await c.message(MSG.TEXT);
      check(!sameBytes(a.data, msgs[0]) && !sameBytes(b.data, msgs[1]) && fromUtf8.decode(t.data) === 'third',
        'flushed messages differ or are out of order');
      var s = c.stats();
      check(s.reconnects === 1 && s.sendQueueDepth === 0, 'statistics ' + JSON.stringify(s));
    } finally { c.dispose(); }
  }],
  // As natively: with reconnect on, a first dial that fails is retried; its success is an Open.
  ['first dial retried until the server is up', async function () {
    await serverCtl('stop');
    var c = new UnityClient(wsUrl, { reconnect_enabled: 1, reconnect_max_attempts: 0, reconnect_initial_delay_ms: 50,
      reconnect_multiplier: 2.0, reconnect_max_delay_ms: 200, reconnect_jitter: 1 });
    try {
      ok(c.call('dws_client_connect'), 'connect');
      await c.waitFor(function (e) { return e.kind === KIND.RECONNECTING; }, 'reconnecting');
      await serverCtl('start');
      await c.waitFor(function (e) { return e.kind === KIND.OPEN; }, 'open');
      check(c.stats().reconnects === 0, 'counted as a reconnect');
    } finally {
      c.dispose();
      await serverCtl('start');
    }
  }],
  // As natively: sends the close drops are reported, not lost silently.
  ['a close while reconnecting reports the buffered sends it dropped', async function () {
    var c = new UnityClient(wsUrl, { reconnect_enabled: 1, reconnect_max_attempts: 0, reconnect_initial_delay_ms: 5000,
      reconnect_multiplier: 2.0, reconnect_max_delay_ms: 5000, reconnect_jitter: 0 });
    try {
      await c.open();
      await serverCtl('stop');
      await c.waitFor(function (e) { return e.kind === KIND.RECONNECTING; }, 'reconnecting');
      check(c.send(pattern(3), false) === E.OK && c.send(pattern(4), false) === E.OK, 'sends were refused');
      ok(withCString('bye', function (p) { return c.call('dws_client_close', 4000, p); }), 'close');
      var ev = await c.waitFor(function (e) { return e.kind === KIND.CLOSED; }, 'closed');
      check(ev.code === 4000 && ev.unsent === 2, 'closed with ' + ev.code + ', ' + ev.unsent + ' unsent');
      check(c.stats().messagesUnsent === 2, 'statistics ' + JSON.stringify(c.stats()));
    } finally {
      c.dispose();
      await serverCtl('start');
    }
  }],
  ['sends before open are buffered and flushed', async function () {
    var c = new UnityClient(wsUrl);
    try {
      ok(c.call('dws_client_connect'), 'connect');
      check(c.send(pattern(10), false) === E.OK, 'send while connecting was refused');
      check(c.stats().sendQueueDepth === 1, 'not buffered');
      await c.waitFor(function (e) { return e.kind === KIND.OPEN; }, 'open');
      var ev = await c.message(MSG.BINARY);
      check(!sameBytes(ev.data, pattern(10)), 'flushed message differs');
    } finally { c.dispose(); }
  }],
  ['auth: query parameter', async function () {
    var c = new UnityClient(wsUrl + '?room=1');
    try {
      ok(withCString('token', function (n) {
        return withCString('s3cr3t k', function (t) { return c.call('dws_client_set_auth_query', n, t); });
      }), 'set_auth_query');
      await c.open();
      var seen = await info(c);
      check(/^\/echo\?room=1&token=s3cr3t(%20|\+)k$/.test(seen.url), 'server saw ' + seen.url);
    } finally { c.dispose(); }
  }],
  ['auth: first message sent before anything else', async function () {
    var c = new UnityClient(wsUrl);
    try {
      ok(withCString('{"type":"{{type}}","token":"{{token}}"}', function (m) {
        return withCString('abc', function (t) {
          return withCString('', function (k) { return c.call('dws_client_set_auth_first_message', m, t, k); });
        });
      }), 'set_auth_first_message');
      ok(c.call('dws_client_connect'), 'connect');
      ok(c.send(utf8.encode('after'), true), 'send');
      await c.waitFor(function (e) { return e.kind === KIND.AUTHENTICATED; }, 'authenticated');
      var first = fromUtf8.decode((await c.message(MSG.TEXT)).data);
      var second = fromUtf8.decode((await c.message(MSG.TEXT)).data);
      check(first === '{"type":"authenticate","token":"abc"}' && second === 'after',
        'server got "' + first + '" then "' + second + '"');
    } finally { c.dispose(); }
  }],
  ['auth: sub-protocol token', async function () {
    var c = new UnityClient(wsUrl);
    try {
      ok(c.str('dws_client_add_protocol', 'devian.v1'), 'add_protocol');
      ok(c.str('dws_client_set_auth_subprotocol', 'tok123'), 'set_auth_subprotocol');
      check((await c.open()) === 'devian.v1', 'protocol');
      var seen = await info(c);
      check(seen.protocols.join(',') === 'devian.v1,tok123', 'server saw ' + seen.protocols);
    } finally { c.dispose(); }
  }],
  // The browser's send buffer is unbounded; SendQueueMaxBytes bounds it. bufferedAmount grows
  // synchronously in send() and shrinks only in a later task, so the second send sees it.
  ['send limit on the browser buffer gives QueueFull', async function () {
    var c = new UnityClient(wsUrl, { send_queue_max_bytes: 1024 });
    try {
      await c.open();
      var big = pattern(256 * 1024);
      check(c.send(big, false) === 0, 'a message larger than the limit must go when nothing is pending');
      var r = c.send(big, false);
      check(r === E.QUEUE_FULL, 'status ' + r);
      check(/unsent bytes/.test(lastError()), 'message: ' + lastError());
      var echo = await c.message(MSG.BINARY);
      check(!sameBytes(echo.data, big), 'echo differs');
    } finally { c.dispose(); }
  }],
  ['a URL the browser refuses fails Connect with its reason, no events', async function () {
    var c = new UnityClient('ws://127.0.0.1:99999/x');
    try {
      var r = c.call('dws_client_connect');
      check(r === E.INVALID_ARGUMENT, 'status ' + r);
      check(/refused to open/.test(lastError()), 'message: ' + lastError());
      check(c.state() === STATE.CLOSED, 'state ' + c.state());
      c.update();
      check(c.events.length === 0, c.events.length + ' events queued');
    } finally { c.dispose(); }
  }],
  // Destroy while connecting and while open: the socket's handlers must be detached before
  // their closures are freed, or the browser's late events would throw on the page.
  ['50 connections destroyed while connecting or open, then a clean echo', async function () {
    var ids = {};
    for (var i = 0; i < 50; i++) {
      var d = new UnityClient(wsUrl);
      check(!ids[d.h], 'handle ' + d.h + ' reused while alive');
      ids[d.h] = true;
      if (i % 2) await d.open(); else ok(d.call('dws_client_connect'), 'connect');
      d.dispose();
      check(d.state() === E.INVALID_HANDLE, 'a freed handle still answers');
    }
    await sleep(200);
    await echoBinary(100);
  }],
  ['custom header is refused with a clear error', async function () {
    var c = new UnityClient(wsUrl);
    try {
      var r = withCString('Authorization', function (n) {
        return withCString('Bearer x', function (v) { return c.call('dws_client_add_header', n, v); });
      });
      check(r === E.INVALID_ARGUMENT, 'status ' + r);
      check(/header/.test(lastError()) && /Authorization/.test(lastError()), 'message: ' + lastError());
    } finally { c.dispose(); }
  }],
  // WHATWG close() / RFC 6455 §7.4.2: 1006 must never be sent; refused before the browser.
  ['reserved close code is refused', async function () {
    var c = new UnityClient(wsUrl);
    try {
      await c.open();
      var r = withCString('', function (p) { return c.call('dws_client_close', 1006, p); });
      check(r === E.INVALID_ARGUMENT, 'status ' + r);
      check(c.state() === STATE.OPEN, 'state changed');
    } finally { c.dispose(); }
  }],
  // RFC 6455 §8.1: text frames carry UTF-8 only.
  ['invalid UTF-8 text is refused', async function () {
    var c = new UnityClient(wsUrl);
    try {
      await c.open();
      var r = c.send(new Uint8Array([0x66, 0xff, 0x6f]), true);
      check(r === E.INVALID_UTF8, 'status ' + r);
      check(c.stats().messagesSent === 0, 'refused send was counted');
    } finally { c.dispose(); }
  }],
  // What C#'s WebSocketClient does for every send: reserve memory, fill it in place, commit.
  ['reserve, fill in place, commit: the echo matches', async function () {
    var c = new UnityClient(wsUrl);
    try {
      await c.open();
      var size = 100000, data = pattern(size), out = _malloc(4);
      try {
        ok(c.call('dws_client_send_reserve', size, out), 'send_reserve');
        var p = u32(out);
        check(HEAPU8.subarray(p, p + size).every(function (b) { return b === 0; }), 'reserved memory is not zeroed');
        check(c.call('dws_client_send_reserve', 1, out) === E.INVALID_STATE, 'a second reservation was allowed');
        HEAPU8.set(data, p);
        ok(c.call('dws_client_send_commit', MSG.BINARY), 'send_commit');
        check(c.call('dws_client_send_commit', MSG.BINARY) === E.INVALID_STATE, 'commit without a reservation');
        ok(c.call('dws_client_send_reserve', 3, out), 'send_reserve');
        ok(c.call('dws_client_send_abort'), 'send_abort');
      } finally { _free(out); }
      var ev = await c.message(MSG.BINARY);
      var diff = sameBytes(ev.data, data);
      check(!diff, 'echo differs: ' + diff);
      check(c.stats().messagesSent === 1, 'the aborted reservation was sent');
    } finally { c.dispose(); }
  }],
  // Bad input across the ABI gets a status and a message, never an exception in the player.
  ['null pointers, forged handles and a blocking wait are refused', async function () {
    var c = new UnityClient(wsUrl);
    try {
      check(c.call('dws_client_poll', 0) === E.NULL_POINTER, 'poll into NULL');
      check(c.call('dws_client_state', 0) === E.NULL_POINTER, 'state into NULL');
      check(c.call('dws_client_send', MSG.BINARY, 0, 5) === E.NULL_POINTER, 'send from NULL');
      check(c.call('dws_client_send', 3, 0, 0) === E.INVALID_ARGUMENT, 'message kind 3');
      check(dws('dws_client_connect', c.h + 4294967296) === E.INVALID_HANDLE, 'a handle with a high word');
      check(dws('dws_client_connect', 0) === E.INVALID_HANDLE, 'handle 0');
      check(/handle/.test(lastError()), 'message: ' + lastError());
      check(dws('dws_client_new', 0, 0, 0) === E.NULL_POINTER, 'new without a URL');
      check(c.call('dws_client_wait', 10) === E.INVALID_STATE && /WebGL/.test(lastError()), 'a blocking wait');
      check(c.call('dws_client_add_root_ca_pem', 0, 0) === E.INVALID_ARGUMENT, 'a root certificate');
    } finally { c.dispose(); }
  }],
  // The template must load the module before the Unity instance; if it did not, say so.
  ['dws_client_new before the module is loaded explains the template', async function () {
    var w = globalThis.DevianWsWasm, out = _malloc(8);
    globalThis.DevianWsWasm = undefined;
    try {
      var r = withCString(wsUrl, function (p) { return dws('dws_client_new', 0, p, out); });
      check(r === -9 && /not loaded/.test(lastError()) && /DevianWsReady/.test(lastError()),
        'status ' + r + ': ' + lastError());
    } finally {
      globalThis.DevianWsWasm = w;
      _free(out);
    }
  }],
  ['list, protocol, 1001 refused, 1000 closes cleanly', async function () {
    var c = new UnityClient(wsUrl);
    try {
      ok(c.str('dws_client_add_protocol', 'devian.v1'), 'add_protocol');
      await c.open();
      var buf = _malloc(64);
      try {
        check(c.call('dws_client_protocol', buf, 64) === 9 && fromUtf8.decode(HEAPU8.slice(buf, buf + 9)) === 'devian.v1',
          'protocol');
        var n = dws('dws_list', buf, 8);
        var listed = [];
        for (var i = 0; i < Math.min(n, 8); i++) listed.push(u64(buf + 8 * i));
        check(listed.indexOf(c.h) >= 0, 'dws_list gave ' + listed + ' without ' + c.h);
      } finally { _free(buf); }
      // A script may send only 1000 and 3000-4999; C#'s Dispose then falls back to 1000.
      var r = withCString('', function (p) { return c.call('dws_client_close', 1001, p); });
      check(r === E.INVALID_ARGUMENT, 'close 1001: status ' + r);
      ok(withCString('', function (p) { return c.call('dws_client_close', 1000, p); }), 'close 1000');
      var ev = await c.waitFor(function (e) { return e.kind === KIND.CLOSED; }, 'close');
      check(ev.code === 1000 && ev.aux === 1, 'closed with ' + ev.code);
    } finally { c.dispose(); }
  }],
];

(async function main() {
  try {
    await DevianWsReady;
    lib = await loadJslib('/pkg/devian-ws.jslib');
    Object.keys(SIG).forEach(function (name) { check(typeof lib[name] === 'function', 'the jslib lacks ' + name); });
  } catch (e) {
    await report('load module and jslib', false, String(e && e.message || e));
    await finish();
    return;
  }
  for (var i = 0; i < CASES.length; i++) {
    var name = CASES[i][0];
    try {
      await CASES[i][1]();
      await report(name + (BIGINT ? ' (BigInt)' : ''), true, '');
    } catch (e) {
      await report(name + (BIGINT ? ' (BigInt)' : ''), false, String(e && e.message || e));
    }
  }
  await finish();
})();
