'use strict';
// A stand-in for the parts of Unity's WebGL (Emscripten) runtime that a .jslib sees:
// the heap views HEAPU8/HEAP32 as globals, _malloc/_free, and LibraryManager/mergeInto/
// autoAddDeps to evaluate the jslib. The heap is fixed-size here; Unity may replace the
// views when memory grows, which is why the bridge reads HEAPU8 on every call.
/* exported HEAPU8, HEAP32, LibraryManager, mergeInto, autoAddDeps, _malloc, _free, loadJslib */
var HEAP_BYTES = 64 * 1024 * 1024;
var HEAP_BUFFER = new ArrayBuffer(HEAP_BYTES);
var HEAPU8 = new Uint8Array(HEAP_BUFFER);
var HEAP32 = new Int32Array(HEAP_BUFFER);

// First-fit allocator over [16, HEAP_BYTES) with 16-byte alignment; blocks are tracked
// outside the heap so a test that writes past its block cannot corrupt the bookkeeping.
var heapFree = [{ ptr: 16, size: HEAP_BYTES - 16 }];
var heapUsed = new Map();

function _malloc(n) {
  var size = Math.max(16, (n + 15) & ~15);
  for (var i = 0; i < heapFree.length; i++) {
    var b = heapFree[i];
    if (b.size >= size) {
      var ptr = b.ptr;
      b.ptr += size;
      b.size -= size;
      if (b.size === 0) heapFree.splice(i, 1);
      heapUsed.set(ptr, size);
      return ptr;
    }
  }
  return 0;
}

function _free(ptr) {
  if (!ptr) return;
  var size = heapUsed.get(ptr);
  if (size === undefined) throw new Error('free of unknown pointer ' + ptr);
  heapUsed.delete(ptr);
  heapFree.push({ ptr: ptr, size: size });
  heapFree.sort(function (a, b) { return a.ptr - b.ptr; });
  // Coalesce neighbours so large blocks become available again.
  for (var i = heapFree.length - 1; i > 0; i--) {
    var prev = heapFree[i - 1], cur = heapFree[i];
    if (prev.ptr + prev.size === cur.ptr) {
      prev.size += cur.size;
      heapFree.splice(i, 1);
    }
  }
}

var LibraryManager = { library: {} };

// Emscripten's semantics, reduced: "$name" entries become globals named "name" (the jslib's
// functions refer to them as free identifiers), "x__deps" and other "__" keys are metadata.
function mergeInto(library, obj) {
  Object.keys(obj).forEach(function (key) {
    if (key.indexOf('__') > 0) return;
    if (key.charAt(0) === '$') globalThis[key.slice(1)] = obj[key];
    else library[key] = obj[key];
  });
}

function autoAddDeps(obj, name) {
  Object.keys(obj).forEach(function (key) {
    if (key.charAt(0) !== '$' && key.indexOf('__') < 0) {
      obj[key + '__deps'] = (obj[key + '__deps'] || []).concat([name]);
    }
  });
}

// Evaluates the .jslib as Unity's build does (global scope), returning the merged library.
async function loadJslib(url) {
  var res = await fetch(url);
  if (!res.ok) throw new Error('cannot fetch ' + url + ': ' + res.status);
  (0, eval)(await res.text());
  return LibraryManager.library;
}
