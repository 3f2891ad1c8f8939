// Devian.Network WebSocket: the Unity WebGL bridge between C# ([DllImport("__Internal")],
// see csharp-bindings/src/Transports/WebGL/WebGLNative.cs) and the wasm-bindgen module
// built from webgl/ (loaded before the Unity instance by devian-ws-loader.js, which sets
// globalThis['DevianWsWasm']).
//
// Rules this file keeps:
// - Polling, no callbacks into C#: C# calls DevianWs_Next from Update(), so nothing here
//   uses Module.dynCall / makeDynCall (whose Unity 6 change broke callback-based plugins).
// - Received bytes are copied once, from the browser's ArrayBuffer into HEAPU8 at the
//   caller's buffer; sends hand the browser a HEAPU8 view, which WebSocket.send copies once.
//   No JSON and no per-message string conversion.
// - Only HEAPU8/HEAP32 are used from the Unity runtime (no UTF8ToString & co., whose
//   availability differs between Unity's Emscripten versions).
// - Exports are read with quoted names so a Closure-minified build cannot rename them.
// - Nothing throws into the player: every entry point returns an int, negative on error,
//   with the message available through DevianWs_LastError.
var DevianWsLibrary = {
  $DevianWsBridge: {
    lastError: '',
    decoder: null,
    encoder: null,

    // Status codes of native/policy/src/abi.rs (the module's and the native library's), which
    // webgl/src/error.rs checks these against.
    E_PANIC: -8,
    E_INTERNAL: -9,
    E_BUFFER_TOO_SMALL: -11,

    module: function () {
      var w = globalThis['DevianWsWasm'];
      if (!w) {
        throw new Error('devian-ws: the WebSocket module is not loaded; include ' +
          'devian_ws_webgl.js and devian-ws-loader.js in the WebGL template and create the ' +
          'Unity instance after DevianWsReady resolves');
      }
      return w;
    },

    // Keeps the module's error text for a negative status (-11 from DevianWs_Next is the
    // normal "grow your buffer" answer, not an error to keep) and passes the status through.
    check: function (w, r) {
      if (r < 0 && r !== DevianWsBridge.E_BUFFER_TOO_SMALL) DevianWsBridge.lastError = w['ws_last_error']();
      return r;
    },

    // Turns an exception into lastError and a status; never rethrows into the player.
    fail: function (e) {
      DevianWsBridge.lastError = String((e && e.message) || e);
      // A trap is a Rust panic (panic = "abort"): report it like the native library does.
      return typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError
        ? DevianWsBridge.E_PANIC : DevianWsBridge.E_INTERNAL;
    },

    // Runs f(module) for the configuration calls. The per-frame and per-message entry points
    // (Send, Next, State) inline the same try/check/fail instead, so they create no closure.
    call: function (f) {
      try {
        var w = DevianWsBridge.module();
        return DevianWsBridge.check(w, f(w));
      } catch (e) {
        return DevianWsBridge.fail(e);
      }
    },

    // A NUL-terminated UTF-8 string from the heap (configuration calls only, not per message).
    str: function (ptr) {
      ptr = ptr >>> 0;
      if (!ptr) return '';
      var end = ptr;
      while (HEAPU8[end]) end++;
      if (!DevianWsBridge.decoder) DevianWsBridge.decoder = new TextDecoder('utf-8');
      var view = HEAPU8.subarray(ptr, end);
      // Multithreaded builds use a SharedArrayBuffer, which TextDecoder refuses.
      if (typeof SharedArrayBuffer !== 'undefined' && view.buffer instanceof SharedArrayBuffer) {
        view = view.slice();
      }
      return DevianWsBridge.decoder.decode(view);
    }
  },

  // 1 once the wasm module is loaded; C# checks it before Connect to give a clear error.
  DevianWs_IsReady: function () {
    return globalThis['DevianWsWasm'] ? 1 : 0;
  },

  DevianWs_Create: function (url) {
    var u = DevianWsBridge.str(url);
    return DevianWsBridge.call(function (w) { return w['ws_create'](u); });
  },

  DevianWs_SetProtocols: function (id, csv) {
    var p = DevianWsBridge.str(csv);
    return DevianWsBridge.call(function (w) { return w['ws_set_protocols'](id, p); });
  },

  DevianWs_SetReconnect: function (id, enabled, maxAttempts, initialMs, multiplier, maxMs, jitter) {
    return DevianWsBridge.call(function (w) {
      return w['ws_set_reconnect'](id, !!enabled, maxAttempts >>> 0, initialMs, multiplier, maxMs, !!jitter);
    });
  },

  DevianWs_SetReconnectCodes: function (id, csv) {
    var c = DevianWsBridge.str(csv);
    return DevianWsBridge.call(function (w) { return w['ws_set_reconnect_codes'](id, c); });
  },

  // Buffering of sends made while (re)connecting: on/off and its bounds.
  DevianWs_SetSendQueue: function (id, enabled, maxMessages, maxBytes) {
    return DevianWsBridge.call(function (w) {
      return w['ws_set_send_queue'](id, !!enabled, maxMessages >>> 0, maxBytes >>> 0);
    });
  },

  // Most bytes the browser may hold unsent (bufferedAmount) before a send fails with -5.
  DevianWs_SetMaxBuffered: function (id, maxBytes) {
    return DevianWsBridge.call(function (w) { return w['ws_set_max_buffered'](id, maxBytes >>> 0); });
  },

  DevianWs_SetAuthQuery: function (id, name, token) {
    var n = DevianWsBridge.str(name), t = DevianWsBridge.str(token);
    return DevianWsBridge.call(function (w) { return w['ws_set_auth_query'](id, n, t); });
  },

  DevianWs_SetAuthFirstMessage: function (id, template, token, type) {
    var m = DevianWsBridge.str(template), t = DevianWsBridge.str(token), k = DevianWsBridge.str(type);
    return DevianWsBridge.call(function (w) { return w['ws_set_auth_first_message'](id, m, t, k); });
  },

  DevianWs_SetAuthSubprotocol: function (id, token) {
    var t = DevianWsBridge.str(token);
    return DevianWsBridge.call(function (w) { return w['ws_set_auth_subprotocol'](id, t); });
  },

  // Always fails (-10): browsers cannot send custom WebSocket headers.
  DevianWs_AddHeader: function (id, name, value) {
    var n = DevianWsBridge.str(name), v = DevianWsBridge.str(value);
    return DevianWsBridge.call(function (w) { return w['ws_add_header'](id, n, v); });
  },

  DevianWs_Connect: function (id) {
    return DevianWsBridge.call(function (w) { return w['ws_connect'](id); });
  },

  // 0: handed to the browser; 1: buffered until (re)open; < 0: error.
  DevianWs_Send: function (id, ptr, len, isText) {
    try {
      var w = DevianWsBridge.module();
      // HEAPU8 is read at each call: Emscripten replaces the view when the heap grows.
      return DevianWsBridge.check(w, w['ws_send'](id, HEAPU8, ptr >>> 0, len >>> 0, !!isText));
    } catch (e) {
      return DevianWsBridge.fail(e);
    }
  },

  DevianWs_Close: function (id, code, reason) {
    var r = DevianWsBridge.str(reason);
    return DevianWsBridge.call(function (w) { return w['ws_close'](id, code >>> 0, r); });
  },

  // C# WebSocketState: 0 closed, 1 connecting, 3 open, 4 closing, 5 reconnecting.
  DevianWs_State: function (id) {
    try {
      var w = DevianWsBridge.module();
      return DevianWsBridge.check(w, w['ws_state'](id));
    } catch (e) {
      return DevianWsBridge.fail(e);
    }
  },

  // Moves the next event's payload into buf (cap bytes) and returns its kind, numbered as
  // the native DwsEvent.kind (0: none; 1 open, 2 message, 3 closing, 4 closed, 5 error,
  // 6 reconnecting, 7 reconnected, 8 authenticated).
  // info points to three int32: payload length, code (message kind 1 text / 2 binary, close
  // code, reconnect attempt) and aux (1 = clean close / reconnect delay in ms).
  // -11: buf too small, nothing consumed, info[0] = bytes needed.
  DevianWs_Next: function (id, buf, cap, info) {
    try {
      var w = DevianWsBridge.module();
      var k = w['ws_next'](id, HEAPU8, buf >>> 0, cap >>> 0);
      // >>> keeps offsets above 2 GiB positive (Unity allows a 4 GiB heap); >> would not.
      var i = (info >>> 0) >>> 2;
      if (k > 0) {
        HEAP32[i] = w['ws_last_len'](id);
        HEAP32[i + 1] = w['ws_last_code'](id);
        HEAP32[i + 2] = w['ws_last_aux'](id);
      } else if (k === DevianWsBridge.E_BUFFER_TOO_SMALL) {
        HEAP32[i] = w['ws_peek_len'](id);
        HEAP32[i + 1] = 0;
        HEAP32[i + 2] = 0;
      }
      return DevianWsBridge.check(w, k);
    } catch (e) {
      return DevianWsBridge.fail(e);
    }
  },

  // Writes 8 little-endian uint64 counters (64 bytes) at out.
  DevianWs_Stats: function (id, out) {
    return DevianWsBridge.call(function (w) { return w['ws_stats'](id, HEAPU8, out >>> 0); });
  },

  DevianWs_Destroy: function (id) {
    return DevianWsBridge.call(function (w) { return w['ws_destroy'](id); });
  },

  // Copies the last error's UTF-8 into buf (at most cap bytes, no terminator) and returns
  // its full length in bytes.
  DevianWs_LastError: function (buf, cap) {
    try {
      if (!DevianWsBridge.encoder) DevianWsBridge.encoder = new TextEncoder();
      var bytes = DevianWsBridge.encoder.encode(DevianWsBridge.lastError);
      var n = Math.min(bytes.length, cap >>> 0);
      HEAPU8.set(bytes.subarray(0, n), buf >>> 0);
      return bytes.length;
    } catch (e) {
      return 0;
    }
  }
};

autoAddDeps(DevianWsLibrary, '$DevianWsBridge');
mergeInto(LibraryManager.library, DevianWsLibrary);
