'use strict';
// The test cases. `UnityClient` makes exactly the calls WebGLTransport.cs makes through
// [DllImport("__Internal")]: strings as malloc'd NUL-terminated UTF-8, sends from heap
// memory, and polling DevianWs_Next into one reused heap buffer that grows on -6.
/* global loadJslib, _malloc, _free, HEAPU8, HEAP32, DevianWsReady, serverCtl, report, finish */

// Event kinds and message kinds (info[1] of a message): native/policy/src/abi.rs.
var KIND = { OPEN: 1, MESSAGE: 2, CLOSING: 3, CLOSED: 4, ERROR: 5, RECONNECTING: 6, RECONNECTED: 7, AUTHENTICATED: 8 };
var MSG = { TEXT: 1, BINARY: 2 };
// Status codes: those of the native DwsStatus / C# TransportStatus, plus -10 and -11.
var E = { INVALID_ARGUMENT: -3, INVALID_STATE: -4, QUEUE_FULL: -5, CLOSED: -6, INVALID_UTF8: -7, NOT_SUPPORTED: -10, BUFFER_TOO_SMALL: -11 };
// C# WebSocketState numbers, as DevianWs_State returns them.
var STATE = { CLOSED: 0, CONNECTING: 1, OPEN: 3, CLOSING: 4, RECONNECTING: 5 };
var WAIT_MS = 10000;
var lib = null;
var wsUrl = 'ws://127.0.0.1:' + new URLSearchParams(location.search).get('ws') + '/echo';
var utf8 = new TextEncoder();
var fromUtf8 = new TextDecoder('utf-8', { fatal: true });

function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

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
    var n = lib.DevianWs_LastError(p, 512);
    return fromUtf8.decode(HEAPU8.slice(p, p + Math.min(n, 512)));
  } finally { _free(p); }
}

function check(cond, what) { if (!cond) throw new Error(what); }

function ok(status, what) {
  check(status >= 0, what + ' failed with ' + status + ': ' + lastError());
  return status;
}

function UnityClient(url) {
  this.id = ok(withCString(url, function (p) { return lib.DevianWs_Create(p); }), 'Create');
  this.cap = 1024;
  this.buf = _malloc(this.cap);
  this.info = _malloc(12);
  this.events = [];
}

UnityClient.prototype.str = function (fn, s) {
  var id = this.id;
  return withCString(s, function (p) { return fn(id, p); });
};

// Sends bytes already in the heap (the C# side pins its pooled buffer and passes the pointer).
UnityClient.prototype.send = function (bytes, isText) {
  var p = _malloc(bytes.length);
  try {
    HEAPU8.set(bytes, p);
    return lib.DevianWs_Send(this.id, p, bytes.length, isText ? 1 : 0);
  } finally { _free(p); }
};

// One Update(): drain every queued event, growing the receive buffer when told to (-11).
UnityClient.prototype.update = function () {
  for (var guard = 0; guard < 10000; guard++) {
    var kind = lib.DevianWs_Next(this.id, this.buf, this.cap, this.info);
    if (kind === 0) return;
    if (kind === E.BUFFER_TOO_SMALL) {
      var need = HEAP32[this.info >> 2];
      _free(this.buf);
      this.cap = need;
      this.buf = _malloc(need);
      check(this.buf !== 0, 'heap exhausted growing to ' + need);
      continue;
    }
    ok(kind, 'Next');
    var len = HEAP32[this.info >> 2];
    var code = HEAP32[(this.info >> 2) + 1];
    var aux = HEAP32[(this.info >> 2) + 2];
    this.events.push({ kind: kind, code: code, aux: aux, data: HEAPU8.slice(this.buf, this.buf + len) });
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
  ok(lib.DevianWs_Connect(this.id), 'Connect');
  var ev = await this.waitFor(function (e) { return e.kind === KIND.OPEN || e.kind === KIND.CLOSED; }, 'open');
  check(ev.kind === KIND.OPEN, 'closed with ' + ev.code + ' instead of opening');
  return fromUtf8.decode(ev.data);
};

UnityClient.prototype.message = function (kind) {
  return this.waitFor(function (e) { return e.kind === KIND.MESSAGE && e.code === kind; },
    kind === MSG.TEXT ? 'a text message' : 'a binary message');
};

UnityClient.prototype.stats = function () {
  var p = _malloc(64);
  try {
    ok(lib.DevianWs_Stats(this.id, p), 'Stats');
    var v = new DataView(HEAPU8.buffer, p, 64);
    var names = ['messagesSent', 'messagesReceived', 'bytesSent', 'bytesReceived', 'reconnects',
      'lastRttUs', 'sendQueueDepth', 'recvQueueDepth'];
    var s = {};
    names.forEach(function (n, i) { s[n] = Number(v.getBigUint64(i * 8, true)); });
    return s;
  } finally { _free(p); }
};

UnityClient.prototype.dispose = function () {
  lib.DevianWs_Destroy(this.id);
  _free(this.buf);
  _free(this.info);
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
  ['binary 1 MiB (receive buffer grows on -11)', function () { return echoBinary(1024 * 1024); }],
  // RFC 6455 §4.1/§4.2.2: the client offers a list, the server picks one of them.
  ['sub-protocol negotiated', async function () {
    var c = new UnityClient(wsUrl);
    try {
      ok(c.str(lib.DevianWs_SetProtocols, 'devian.v2, devian.v1'), 'SetProtocols');
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
      ok(c.str(function (id, p) { return lib.DevianWs_Close(id, 4001, p); }, 'bye now ✓'), 'Close');
      var ev = await c.waitFor(function (e) { return e.kind === KIND.CLOSED; }, 'close');
      check(ev.code === 4001 && fromUtf8.decode(ev.data) === 'bye now ✓',
        'closed with ' + ev.code + ' "' + fromUtf8.decode(ev.data) + '"');
      check(ev.aux === 1, 'close handshake not reported clean');
      check(lib.DevianWs_State(c.id) === STATE.CLOSED, 'state is not Closed');
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
    var c = new UnityClient(wsUrl);
    try {
      ok(lib.DevianWs_SetReconnect(c.id, 1, 0, 50, 2.0, 400, 1), 'SetReconnect');
      await c.open();
      await serverCtl('stop');
      var r = await c.waitFor(function (e) { return e.kind === KIND.RECONNECTING; }, 'reconnecting');
      check(r.code === 1 && r.aux >= 0 && r.aux <= 400, 'attempt ' + r.code + ' after ' + r.aux + ' ms');
      // Between attempts it is Reconnecting; during one, Connecting.
      var st = lib.DevianWs_State(c.id);
      check(st === STATE.RECONNECTING || st === STATE.CONNECTING, 'state ' + st + ' while the server is down');
      var msgs = [pattern(1), pattern(2000), utf8.encode('third')];
      check(c.send(msgs[0], false) === 1 && c.send(msgs[1], false) === 1 && c.send(msgs[2], true) === 1,
        'sends while reconnecting were not buffered');
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
    var c = new UnityClient(wsUrl);
    try {
      ok(lib.DevianWs_SetReconnect(c.id, 1, 0, 50, 2.0, 200, 1), 'SetReconnect');
      ok(lib.DevianWs_Connect(c.id), 'Connect');
      await c.waitFor(function (e) { return e.kind === KIND.RECONNECTING; }, 'reconnecting');
      await serverCtl('start');
      await c.waitFor(function (e) { return e.kind === KIND.OPEN; }, 'open');
      check(c.stats().reconnects === 0, 'counted as a reconnect');
    } finally {
      c.dispose();
      await serverCtl('start');
    }
  }],
  ['sends before open are buffered and flushed', async function () {
    var c = new UnityClient(wsUrl);
    try {
      ok(lib.DevianWs_Connect(c.id), 'Connect');
      check(c.send(pattern(10), false) === 1, 'send while connecting was not buffered');
      await c.waitFor(function (e) { return e.kind === KIND.OPEN; }, 'open');
      var ev = await c.message(MSG.BINARY);
      check(!sameBytes(ev.data, pattern(10)), 'flushed message differs');
    } finally { c.dispose(); }
  }],
  ['auth: query parameter', async function () {
    var c = new UnityClient(wsUrl + '?room=1');
    try {
      ok(withCString('token', function (n) {
        return withCString('s3cr3t k', function (t) { return lib.DevianWs_SetAuthQuery(c.id, n, t); });
      }), 'SetAuthQuery');
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
          return withCString('', function (k) { return lib.DevianWs_SetAuthFirstMessage(c.id, m, t, k); });
        });
      }), 'SetAuthFirstMessage');
      ok(lib.DevianWs_Connect(c.id), 'Connect');
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
      ok(c.str(lib.DevianWs_SetProtocols, 'devian.v1'), 'SetProtocols');
      ok(c.str(lib.DevianWs_SetAuthSubprotocol, 'tok123'), 'SetAuthSubprotocol');
      check((await c.open()) === 'devian.v1', 'protocol');
      var seen = await info(c);
      check(seen.protocols.join(',') === 'devian.v1,tok123', 'server saw ' + seen.protocols);
    } finally { c.dispose(); }
  }],
  // The browser's send buffer is unbounded; SendQueueMaxBytes bounds it. bufferedAmount grows
  // synchronously in send() and shrinks only in a later task, so the second send sees it.
  ['send limit on the browser buffer gives QueueFull', async function () {
    var c = new UnityClient(wsUrl);
    try {
      ok(lib.DevianWs_SetMaxBuffered(c.id, 1024), 'SetMaxBuffered');
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
      var r = lib.DevianWs_Connect(c.id);
      check(r === E.INVALID_ARGUMENT, 'status ' + r);
      check(/refused to open/.test(lastError()), 'message: ' + lastError());
      check(lib.DevianWs_State(c.id) === STATE.CLOSED, 'state ' + lib.DevianWs_State(c.id));
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
      check(!ids[d.id], 'id ' + d.id + ' reused while alive');
      ids[d.id] = true;
      if (i % 2) await d.open(); else ok(lib.DevianWs_Connect(d.id), 'Connect');
      d.dispose();
      check(lib.DevianWs_State(d.id) === -1, 'destroyed id still answers');
    }
    await sleep(200);
    await echoBinary(100);
  }],
  ['custom header is refused with a clear error', async function () {
    var c = new UnityClient(wsUrl);
    try {
      var r = withCString('Authorization', function (n) {
        return withCString('Bearer x', function (v) { return lib.DevianWs_AddHeader(c.id, n, v); });
      });
      check(r === E.NOT_SUPPORTED, 'status ' + r);
      check(/header/.test(lastError()) && /Authorization/.test(lastError()), 'message: ' + lastError());
    } finally { c.dispose(); }
  }],
  // WHATWG close() / RFC 6455 §7.4.2: 1006 must never be sent; refused before the browser.
  ['reserved close code is refused', async function () {
    var c = new UnityClient(wsUrl);
    try {
      await c.open();
      var r = c.str(function (id, p) { return lib.DevianWs_Close(id, 1006, p); }, '');
      check(r === E.INVALID_ARGUMENT, 'status ' + r);
      check(lib.DevianWs_State(c.id) === STATE.OPEN, 'state changed');
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
];

(async function main() {
  try {
    await DevianWsReady;
    lib = await loadJslib('/pkg/devian-ws.jslib');
    check(lib.DevianWs_IsReady() === 1, 'module not ready');
  } catch (e) {
    await report('load module and jslib', false, String(e && e.message || e));
    await finish();
    return;
  }
  for (var i = 0; i < CASES.length; i++) {
    var name = CASES[i][0];
    try {
      await CASES[i][1]();
      await report(name, true, '');
    } catch (e) {
      await report(name, false, String(e && e.message || e));
    }
  }
  await finish();
})();
