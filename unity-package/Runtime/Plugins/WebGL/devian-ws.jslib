// Devian.Network WebSocket: the native library's C functions (native/ffi/include/devian_ws.h),
// implemented for Unity WebGL players over the wasm-bindgen module built from webgl/ (loaded
// before the Unity instance by devian-ws-loader.js, which sets globalThis['DevianWsWasm']).
// C# calls them through the same generated Interop as on every other platform, with
// [DllImport("__Internal")].
//
// Rules this file keeps:
// - The ABI is the native one: statuses, event kinds, states and struct layouts. The module
//   writes DwsEvent and DwsStats itself; the DwsOptions layout below is checked against the
//   Rust struct by native/ffi/tests/jslib.rs.
// - A 64-bit argument (a handle, a length) arrives as two int32 (lo, hi) from Emscripten
//   without WASM_BIGINT (Unity 2021 to 6) and as a BigInt with it; every function takes both.
//   No function returns a 64-bit value, so nothing depends on Emscripten's tempRet0.
// - Polling, no callbacks into C#: nothing uses Module.dynCall / makeDynCall.
// - A received payload is copied once, from the browser's ArrayBuffer into a per-connection
//   buffer in the player's heap that dws_client_poll's event points to (valid until the next
//   poll or free, as natively). A send hands the browser a HEAPU8 view, which
//   WebSocket.send copies once. No JSON, no per-message string conversion.
// - HEAPU8 is read at each call: Emscripten replaces the view when the heap grows.
// - _malloc and _free are the player's, which Unity's builds export (as other jslibs use them).
// - Exports are read with quoted names so a Closure-minified build cannot rename them.
// - Nothing throws into the player: every entry point returns a status (negative on error),
//   with the message available through dws_last_error.
var DevianWsLibrary = {
  $DevianWsBridge: {
    lastError: '',
    decoder: null,
    encoder: null,
    // Per connection id: { rx, rxCap } the receive buffer, { tx, txCap, txLen } the
    // reservation (txLen -1 when none), protocols offered so far.
    conns: {},

    // Status codes of native/policy/src/abi.rs, checked by webgl/src/error.rs.
    E_EMPTY: 1,
    E_INVALID_HANDLE: -1,
    E_NULL_POINTER: -2,
    E_INVALID_ARGUMENT: -3,
    E_INVALID_STATE: -4,
    E_PANIC: -8,
    E_INTERNAL: -9,
    // The module's private "grow your buffer" answer to ws_next; never returned to C#.
    E_BUFFER_TOO_SMALL: -11,

    // Byte offsets of DwsOptions (the module writes DwsEvent and DwsStats itself). Each entry
    // is [offset, type, default]; the defaults are DwsOptions::default().
    OPTIONS: {
      struct_size: [0, 'u32', 128],
      ping_interval_ms: [4, 'u32', 30000],
      pong_timeout_ms: [8, 'u32', 5000],
      idle_timeout_ms: [12, 'u32', 0],
      connect_timeout_ms: [16, 'u32', 10000],
      close_timeout_ms: [20, 'u32', 5000],
      max_frame_size: [24, 'u64', 16777216],
      max_message_size: [32, 'u64', 67108864],
      send_queue_max_messages: [40, 'u32', 4096],
      send_queue_max_bytes: [48, 'u64', 67108864],
      recv_queue_max_messages: [56, 'u32', 4096],
      recv_queue_max_bytes: [64, 'u64', 67108864],
      reconnect_enabled: [72, 'u8', 1],
      reconnect_max_attempts: [76, 'u32', 10],
      reconnect_initial_delay_ms: [80, 'u32', 1000],
      reconnect_max_delay_ms: [84, 'u32', 30000],
      reconnect_multiplier: [88, 'f64', 2],
      reconnect_jitter: [96, 'u8', 1],
      reconnect_buffer_enabled: [97, 'u8', 1],
      reconnect_buffer_max_messages: [100, 'u32', 1024],
      reconnect_buffer_max_bytes: [104, 'u64', 16777216],
      permessage_deflate: [112, 'u8', 0],
      reconnect_stable_after_ms: [116, 'u32', 5000],
      reconnect_try_again_later_ms: [120, 'u32', 5000],
      delivery: [124, 'u32', 0]
    },
    OPTIONS_SIZE: 128,

    module: function () {
      var w = globalThis['DevianWsWasm'];
      if (!w) {
        throw new Error('devian-ws: the WebSocket module is not loaded; include ' +
          'devian_ws_webgl.js and devian-ws-loader.js in the WebGL template and create the ' +
          'Unity instance after DevianWsReady resolves (see webgl/README.md)');
      }
      return w;
    },

    // Keeps the module's error text for a negative status and passes the status through.
    check: function (w, r) {
      if (r < 0) DevianWsBridge.lastError = w['ws_last_error']();
      return r < 0 ? r : 0;
    },

    // Turns an exception into lastError and a status; never rethrows into the player.
    fail: function (e) {
      DevianWsBridge.lastError = String((e && e.message) || e);
      // A trap is a Rust panic (panic = "abort"): report it like the native library does.
      return typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError
        ? DevianWsBridge.E_PANIC : DevianWsBridge.E_INTERNAL;
    },

    refuse: function (status, message) {
      DevianWsBridge.lastError = message;
      return status;
    },

    // A 64-bit argument as a Number: the BigInt x, or the pair (x, hi) = (lo, hi).
    num: function (x, hi) {
      return typeof x === 'bigint' ? Number(BigInt.asUintN(64, x)) : (x >>> 0) + (hi >>> 0) * 4294967296;
    },

    // The live connection id a handle (its first one or two arguments) names, or 0 (then
    // lastError says why). The module's ids are 1 to 2^31 - 1.
    live: function (x, hi) {
      var h = DevianWsBridge.num(x, hi);
      if (h >= 1 && h <= 0x7fffffff && DevianWsBridge.conns[h]) return h;
      DevianWsBridge.lastError = 'no connection with handle ' + h;
      return 0;
    },

    // Runs f(module, id, a, i) for a configuration call whose first argument is a handle,
    // with its other arguments at a[i], a[i + 1]...; f returns a status. The per-message
    // entry points (send, reserve, commit, poll, release, state) inline the same steps
    // instead, so they allocate nothing.
    call: function (a, f) {
      try {
        var id = DevianWsBridge.live(a[0], a[1]);
        if (!id) return DevianWsBridge.E_INVALID_HANDLE;
        return f(DevianWsBridge.module(), id, a, typeof a[0] === 'bigint' ? 1 : 2);
      } catch (e) {
        return DevianWsBridge.fail(e);
      }
    },

    // A NUL-terminated UTF-8 string from the heap (configuration calls only, not per message).
    str: function (ptr) {
      ptr = ptr >>> 0;
      var end = ptr;
      while (HEAPU8[end]) end++;
      if (!DevianWsBridge.decoder) DevianWsBridge.decoder = new TextDecoder('utf-8');
      var view = HEAPU8.subarray(ptr, end);
      // Multithreaded builds use a SharedArrayBuffer, which TextDecoder refuses.
      if (typeof SharedArrayBuffer !== 'undefined' && view.buffer instanceof SharedArrayBuffer) {
        view = view.slice();
      }
      return DevianWsBridge.decoder.decode(view);
    },

    // Copies UTF-8 of text into (buf, cap) and returns its full length, as the native
    // library's copy_out does.
    copyOut: function (text, buf, cap) {
      if (!DevianWsBridge.encoder) DevianWsBridge.encoder = new TextEncoder();
      var bytes = DevianWsBridge.encoder.encode(text);
      var n = Math.min(bytes.length, cap >>> 0);
      if (n > 0 && buf) HEAPU8.set(bytes.subarray(0, n), buf >>> 0);
      return bytes.length;
    },

    u32: function (ptr) {
      return (HEAPU8[ptr] | HEAPU8[ptr + 1] << 8 | HEAPU8[ptr + 2] << 16 | HEAPU8[ptr + 3] << 24) >>> 0;
    },

    putU32: function (ptr, v) {
      HEAPU8[ptr] = v; HEAPU8[ptr + 1] = v >>> 8; HEAPU8[ptr + 2] = v >>> 16; HEAPU8[ptr + 3] = v >>> 24;
    },

    // A u64 field read as a Number (exact below 2^53, which every bound here is).
    readU64: function (ptr) {
      return DevianWsBridge.u32(ptr) + DevianWsBridge.u32(ptr + 4) * 4294967296;
    },

    putU64: function (ptr, v) {
      DevianWsBridge.putU32(ptr, v >>> 0);
      DevianWsBridge.putU32(ptr + 4, Math.floor(v / 4294967296) >>> 0);
    },

    field: function (base, name) {
      var f = DevianWsBridge.OPTIONS[name], p = base + f[0];
      switch (f[1]) {
        case 'u8': return HEAPU8[p];
        case 'u32': return DevianWsBridge.u32(p);
        case 'u64': return DevianWsBridge.readU64(p);
        default: return new DataView(HEAPU8.buffer, HEAPU8.byteOffset + p, 8).getFloat64(0, true);
      }
    },

    // Applies what the browser can honour of a DwsOptions: reconnect, the buffer used while
    // (re)connecting, and the send-queue byte bound (as the bound on the browser's unsent
    // bytes). The rest (pings, timeouts, size limits, receive queue) the browser does itself;
    // the C# layer refuses changed values before this, with the reason.
    applyOptions: function (w, id, p) {
      var F = DevianWsBridge.field, U32 = 4294967295;
      var r = w['ws_set_reconnect'](id, F(p, 'reconnect_enabled') !== 0, F(p, 'reconnect_max_attempts'),
        F(p, 'reconnect_initial_delay_ms'), F(p, 'reconnect_multiplier'), F(p, 'reconnect_max_delay_ms'),
        F(p, 'reconnect_jitter') !== 0);
      if (r >= 0) {
        r = w['ws_set_send_queue'](id, F(p, 'reconnect_buffer_enabled') !== 0,
          F(p, 'reconnect_buffer_max_messages'), Math.min(U32, F(p, 'reconnect_buffer_max_bytes')));
      }
      if (r >= 0) r = w['ws_set_max_buffered'](id, Math.min(U32, F(p, 'send_queue_max_bytes')));
      return r;
    },

    // Frees a connection's heap buffers and forgets it.
    forget: function (id) {
      var c = DevianWsBridge.conns[id];
      if (!c) return;
      if (c.rx) _free(c.rx);
      if (c.tx) _free(c.tx);
      delete DevianWsBridge.conns[id];
    }
  },

  dws_last_error: function (buf, cap) {
    try {
      return DevianWsBridge.copyOut(DevianWsBridge.lastError, buf, cap);
    } catch (e) {
      return 0;
    }
  },

  dws_options_default: function (out) {
    if (!out) return DevianWsBridge.refuse(DevianWsBridge.E_NULL_POINTER, 'out_options is null');
    var O = DevianWsBridge.OPTIONS;
    HEAPU8.fill(0, out, out + DevianWsBridge.OPTIONS_SIZE);
    Object.keys(O).forEach(function (name) {
      var f = O[name], p = out + f[0], v = f[2];
      if (f[1] === 'u8') HEAPU8[p] = v;
      else if (f[1] === 'u32') DevianWsBridge.putU32(p, v);
      else if (f[1] === 'u64') DevianWsBridge.putU64(p, v);
      else new DataView(HEAPU8.buffer, HEAPU8.byteOffset + p, 8).setFloat64(0, v, true);
    });
    return 0;
  },

  dws_client_new: function (options, url, outHandle) {
    var B = DevianWsBridge;
    if (!url) return B.refuse(B.E_NULL_POINTER, 'url is null');
    if (!outHandle) return B.refuse(B.E_NULL_POINTER, 'out_handle is null');
    try {
      var w = B.module();
      if (options && B.field(options, 'struct_size') < B.OPTIONS_SIZE) {
        return B.refuse(B.E_INVALID_ARGUMENT, 'DwsOptions.struct_size is smaller than this library\'s');
      }
      var id = w['ws_create'](B.str(url));
      if (id < 0) return B.check(w, id);
      var r = options ? B.applyOptions(w, id, options) : 0;
      if (r < 0) {
        r = B.check(w, r);
        w['ws_destroy'](id);
        return r;
      }
      B.conns[id] = { rx: 0, rxCap: 0, tx: 0, txCap: 0, txLen: -1, protocols: [] };
      B.putU64(outHandle, id);
      return 0;
    } catch (e) {
      return B.fail(e);
    }
  },

  dws_client_add_protocol: function () {
    return DevianWsBridge.call(arguments, function (w, id, a, i) {
      var p = DevianWsBridge.str(a[i]), c = DevianWsBridge.conns[id];
      // The module takes a comma-separated list; a token never contains ',' (RFC 6455 §4.1).
      if (!p || p.indexOf(',') >= 0) {
        return DevianWsBridge.refuse(DevianWsBridge.E_INVALID_ARGUMENT, "sub-protocol '" + p + "' is not a token (RFC 6455 section 4.1)");
      }
      var r = DevianWsBridge.check(w, w['ws_set_protocols'](id, c.protocols.concat([p]).join(',')));
      if (r === 0) c.protocols.push(p);
      return r;
    });
  },

  dws_client_add_header: function () {
    return DevianWsBridge.call(arguments, function (w, id, a, i) {
      return DevianWsBridge.check(w, w['ws_add_header'](id, DevianWsBridge.str(a[i]), DevianWsBridge.str(a[i + 1])));
    });
  },

  dws_client_set_origin: function () {
    return DevianWsBridge.call(arguments, function () {
      return DevianWsBridge.refuse(DevianWsBridge.E_INVALID_ARGUMENT, 'a browser sends the page\'s Origin; it cannot be set');
    });
  },

  // No proxy is what a browser page has; the browser applies the system's proxy settings.
  dws_client_set_proxy: function () {
    return DevianWsBridge.call(arguments, function (w, id, a, i) {
      if (!a[i] || !HEAPU8[a[i] >>> 0]) return 0;
      return DevianWsBridge.refuse(DevianWsBridge.E_INVALID_ARGUMENT, 'a browser uses the system\'s proxy settings; a proxy cannot be set');
    });
  },

  dws_client_set_proxy_from_env: function () {
    return DevianWsBridge.call(arguments, function () { return 0; });
  },

  dws_client_add_root_ca_pem: function () {
    return DevianWsBridge.call(arguments, function () {
      return DevianWsBridge.refuse(DevianWsBridge.E_INVALID_ARGUMENT, 'a browser verifies wss:// certificates against its own trust store; roots cannot be added');
    });
  },

  dws_client_pin_sha256: function () {
    return DevianWsBridge.call(arguments, function () {
      return DevianWsBridge.refuse(DevianWsBridge.E_INVALID_ARGUMENT, 'a browser cannot pin certificates');
    });
  },

  dws_client_dangerous_accept_any_certificate: function () {
    return DevianWsBridge.call(arguments, function (w, id, a, i) {
      if (!a[i]) return 0;
      return DevianWsBridge.refuse(DevianWsBridge.E_INVALID_ARGUMENT, 'a browser always verifies certificates');
    });
  },

  dws_client_set_reconnect_codes: function () {
    return DevianWsBridge.call(arguments, function (w, id, a, i) {
      var p = a[i] >>> 0, n = a[i + 1] >>> 0, codes = [];
      if (!p && n) return DevianWsBridge.refuse(DevianWsBridge.E_NULL_POINTER, 'codes is null');
      for (var k = 0; k < n; k++) codes.push(HEAPU8[p + 2 * k] | HEAPU8[p + 2 * k + 1] << 8);
      return DevianWsBridge.check(w, w['ws_set_reconnect_codes'](id, codes.join(',')));
    });
  },

  dws_client_set_auth_query: function () {
    return DevianWsBridge.call(arguments, function (w, id, a, i) {
      return DevianWsBridge.check(w, w['ws_set_auth_query'](id, DevianWsBridge.str(a[i]), DevianWsBridge.str(a[i + 1])));
    });
  },

  dws_client_set_auth_first_message: function () {
    return DevianWsBridge.call(arguments, function (w, id, a, i) {
      var S = DevianWsBridge.str;
      return DevianWsBridge.check(w, w['ws_set_auth_first_message'](id, S(a[i]), S(a[i + 1]), S(a[i + 2])));
    });
  },

  dws_client_set_auth_subprotocol: function () {
    return DevianWsBridge.call(arguments, function (w, id, a, i) {
      return DevianWsBridge.check(w, w['ws_set_auth_subprotocol'](id, DevianWsBridge.str(a[i])));
    });
  },

  dws_client_set_auth_header: function () {
    return DevianWsBridge.call(arguments, function () {
      return DevianWsBridge.refuse(DevianWsBridge.E_INVALID_ARGUMENT, 'a browser cannot send request headers; use query-parameter, first-message or sub-protocol authentication');
    });
  },

  dws_client_connect: function () {
    return DevianWsBridge.call(arguments, function (w, id) {
      return DevianWsBridge.check(w, w['ws_connect'](id));
    });
  },

  // A page script may send only 1000 and 3000-4999 (WHATWG close()); the module refuses the
  // rest with InvalidArgument, and C#'s Dispose then closes with 1000 instead of 1001.
  dws_client_close: function () {
    return DevianWsBridge.call(arguments, function (w, id, a, i) {
      var code = a[i] & 0xffff, reason = a[i + 1] ? DevianWsBridge.str(a[i + 1]) : '';
      return DevianWsBridge.check(w, w['ws_close'](id, code, reason));
    });
  },

  dws_client_free: function () {
    return DevianWsBridge.call(arguments, function (w, id) {
      DevianWsBridge.forget(id);
      return DevianWsBridge.check(w, w['ws_destroy'](id));
    });
  },

  dws_list: function (out, cap) {
    var ids = Object.keys(DevianWsBridge.conns), n = Math.min(ids.length, cap >>> 0);
    if (out) for (var k = 0; k < n; k++) DevianWsBridge.putU64((out >>> 0) + 8 * k, +ids[k]);
    return ids.length;
  },

  dws_shutdown_all: function () {
    try {
      var w = DevianWsBridge.module();
      Object.keys(DevianWsBridge.conns).forEach(function (id) {
        DevianWsBridge.forget(+id);
        w['ws_destroy'](+id);
      });
      return 0;
    } catch (e) {
      return DevianWsBridge.fail(e);
    }
  },

  // (handle, kind, data, len), len 64-bit: with BigInts (a, b, c, d), else (a:b, c, d, e:f).
  // Kind 1 text (UTF-8, checked by the module), 2 binary.
  dws_client_send: function (a, b, c, d, e, f) {
    var B = DevianWsBridge;
    try {
      var id = B.live(a, b), big = typeof a === 'bigint';
      if (!id) return B.E_INVALID_HANDLE;
      var w = B.module(), kind = big ? b : c, data = (big ? c : d) >>> 0, len = B.num(big ? d : e, f);
      if (kind !== 1 && kind !== 2) {
        return B.refuse(B.E_INVALID_ARGUMENT, 'message kind ' + kind + ' is not 1 (text) or 2 (binary)');
      }
      if (!data && len) return B.refuse(B.E_NULL_POINTER, 'data is null');
      return B.check(w, w['ws_send'](id, HEAPU8, data, len, kind === 1));
    } catch (x) {
      return B.fail(x);
    }
  },

  // (handle, len, out_data), len 64-bit: a zeroed buffer in the player's heap, kept per
  // connection.
  dws_client_send_reserve: function (a, b, c, d, e) {
    var B = DevianWsBridge;
    try {
      var id = B.live(a, b), big = typeof a === 'bigint';
      if (!id) return B.E_INVALID_HANDLE;
      var c0 = B.conns[id], len = big ? B.num(b) : B.num(c, d), out = (big ? c : e) >>> 0;
      if (!out) return B.refuse(B.E_NULL_POINTER, 'out_data is null');
      if (c0.txLen >= 0) return B.refuse(B.E_INVALID_STATE, 'a reservation is pending; commit or abort it first');
      if (len > 0x7fffffff) return B.refuse(B.E_INVALID_ARGUMENT, 'len too large');
      if (c0.txCap < Math.max(len, 1)) {
        var p = _malloc(Math.max(len, 64));
        if (!p) return B.refuse(B.E_INTERNAL, 'out of memory reserving ' + len + ' bytes');
        if (c0.tx) _free(c0.tx);
        c0.tx = p;
        c0.txCap = Math.max(len, 64);
      }
      HEAPU8.fill(0, c0.tx, c0.tx + len);
      c0.txLen = len;
      B.putU32(out, c0.tx);
      return 0;
    } catch (x) {
      return B.fail(x);
    }
  },

  // (handle, kind)
  dws_client_send_commit: function (a, b, c) {
    var B = DevianWsBridge;
    try {
      var id = B.live(a, b);
      if (!id) return B.E_INVALID_HANDLE;
      var w = B.module(), c0 = B.conns[id], kind = typeof a === 'bigint' ? b : c, len = c0.txLen;
      if (len < 0) return B.refuse(B.E_INVALID_STATE, 'nothing reserved');
      c0.txLen = -1;
      if (kind !== 1 && kind !== 2) {
        return B.refuse(B.E_INVALID_ARGUMENT, 'message kind ' + kind + ' is not 1 (text) or 2 (binary)');
      }
      return B.check(w, w['ws_send'](id, HEAPU8, c0.tx, len, kind === 1));
    } catch (x) {
      return B.fail(x);
    }
  },

  dws_client_send_abort: function () {
    return DevianWsBridge.call(arguments, function (w, id) {
      DevianWsBridge.conns[id].txLen = -1;
      return 0;
    });
  },

  // A WebGL player has one thread: nothing may block it.
  dws_client_wait: function () {
    return DevianWsBridge.call(arguments, function () {
      return DevianWsBridge.refuse(DevianWsBridge.E_INVALID_STATE, 'blocking waits are not possible on WebGL; poll from Update()');
    });
  },

  // (handle, out_event): 0 with the event, 1 (Empty) when none. The payload is copied into
  // the connection's receive buffer, which grows to the largest event so far.
  dws_client_poll: function (a, b, c) {
    var B = DevianWsBridge;
    try {
      var id = B.live(a, b);
      if (!id) return B.E_INVALID_HANDLE;
      var w = B.module(), c0 = B.conns[id], out = (typeof a === 'bigint' ? b : c) >>> 0;
      if (!out) return B.refuse(B.E_NULL_POINTER, 'out_event is null');
      for (;;) {
        // The module writes the DwsEvent at out, pointing at the payload it copied to c0.rx.
        var k = w['ws_next'](id, HEAPU8, c0.rx, c0.rxCap, out);
        if (k === B.E_BUFFER_TOO_SMALL) {
          var need = w['ws_peek_len'](id), cap = Math.max(need, 2 * c0.rxCap, 64 * 1024);
          var p = _malloc(cap);
          if (!p) return B.refuse(B.E_INTERNAL, 'out of memory receiving ' + need + ' bytes');
          if (c0.rx) _free(c0.rx);
          c0.rx = p;
          c0.rxCap = cap;
          continue;
        }
        if (k === 0) return B.E_EMPTY;
        return k < 0 ? B.check(w, k) : 0;
      }
    } catch (x) {
      return B.fail(x);
    }
  },

  // The payload stays in the receive buffer until the next poll; nothing to release.
  dws_client_release: function (a, b) {
    return DevianWsBridge.live(a, b) ? 0 : DevianWsBridge.E_INVALID_HANDLE;
  },

  // (handle, out_state)
  dws_client_state: function (a, b, c) {
    var B = DevianWsBridge;
    try {
      var id = B.live(a, b);
      if (!id) return B.E_INVALID_HANDLE;
      var w = B.module(), out = (typeof a === 'bigint' ? b : c) >>> 0;
      if (!out) return B.refuse(B.E_NULL_POINTER, 'out_state is null');
      var s = w['ws_state'](id);
      if (s < 0) return B.check(w, s);
      B.putU32(out, s);
      return 0;
    } catch (x) {
      return B.fail(x);
    }
  },

  // The module fills the whole DwsStats.
  dws_client_stats: function () {
    return DevianWsBridge.call(arguments, function (w, id, a, i) {
      var out = a[i] >>> 0;
      if (!out) return DevianWsBridge.refuse(DevianWsBridge.E_NULL_POINTER, 'out_stats is null');
      return DevianWsBridge.check(w, w['ws_stats'](id, HEAPU8, out));
    });
  },

  // (handle, buf, cap) -> full length; 0 on failure, as natively.
  dws_client_protocol: function () {
    var r = 0;
    DevianWsBridge.call(arguments, function (w, id, a, i) {
      r = DevianWsBridge.copyOut(w['ws_protocol'](id), a[i] >>> 0, a[i + 1]);
      return 0;
    });
    return r;
  }
};

autoAddDeps(DevianWsLibrary, '$DevianWsBridge');
mergeInto(LibraryManager.library, DevianWsLibrary);
