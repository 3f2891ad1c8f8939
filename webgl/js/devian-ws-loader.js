// Loads the devian-ws WebAssembly module for the Unity bridge (devian-ws.jslib).
//
// Include after the wasm-bindgen glue, from the same folder as devian_ws_webgl_bg.wasm:
//   <script src="StreamingAssets/devian-ws/devian_ws_webgl.js"></script>
//   <script src="StreamingAssets/devian-ws/devian-ws-loader.js"></script>
// then create the Unity instance once it is ready:
//   DevianWsReady.then(function () { return createUnityInstance(canvas, config, onProgress); });
// Sets globalThis.DevianWsReady (a promise) and, once loaded, globalThis.DevianWsWasm (the
// module's exports, which the jslib calls).
(function () {
  'use strict';
  var script = document.currentScript;
  var base = script && script.src ? script.src.replace(/[^/?#]*([?#].*)?$/, '') : '';
  var init = typeof devian_ws_wasm_bindgen === 'function' ? devian_ws_wasm_bindgen : null;
  if (!init) {
    globalThis.DevianWsReady = Promise.reject(
      new Error('devian-ws: load devian_ws_webgl.js before devian-ws-loader.js'));
    return;
  }
  globalThis.DevianWsReady = init({ module_or_path: base + 'devian_ws_webgl_bg.wasm' }).then(function () {
    globalThis.DevianWsWasm = init;
    return init;
  });
})();
