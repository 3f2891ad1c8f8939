'use strict';
// Runs the WebGL bridge test in headless Chromium.
//
//   node tests/webgl/run.js PKG_DIR [EMSCRIPTEN_DIR]
//
// PKG_DIR holds the build (scripts/build-webgl): devian_ws_webgl.js + _bg.wasm from
// wasm-bindgen, devian-ws-loader.js and devian-ws.jslib. This script serves PKG_DIR and this
// folder from 127.0.0.1, starts the loopback echo server, opens harness.html (which plays
// Unity's runtime and calls the jslib's dws_* functions as IL2CPP code does), then, when
// EMSCRIPTEN_DIR is given, emscripten/player.html for player-legalized.js and player-bigint.js
// (emscripten/player.c linked with the jslib by real Emscripten, without and with WASM_BIGINT). Prints one PASS/FAIL line per case and finally
// "N passed, N failed". Exit status 1 on any failure.
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');
const { EchoServer } = require('./echo_server');

const TOTAL_TIMEOUT_MS = 240000;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.jslib': 'text/plain; charset=utf-8',
};

function serveStatic(roots) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const [, prefix, ...rest] = url.pathname.split('/');
    const root = roots[prefix];
    const rel = path.normalize(rest.join('/'));
    if (!root || rel.startsWith('..') || path.isAbsolute(rel)) {
      res.writeHead(404).end();
      return;
    }
    fs.readFile(path.join(root, rel), (err, body) => {
      if (err) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, {
        'content-type': TYPES[path.extname(rel)] || 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main() {
  const pkgDir = path.resolve(process.argv[2] || '');
  const emDir = process.argv[3] ? path.resolve(process.argv[3]) : null;
  const pages = ['harness/harness.html', 'harness/harness.html?abi=bigint'];
  if (emDir) {
    // Two builds of the same player: i64 arguments legalized to (lo, hi) pairs, and BigInts.
    for (const build of ['legalized', 'bigint']) {
      if (!fs.existsSync(path.join(emDir, `player-${build}.js`))) throw new Error(`missing player-${build}.js in ${emDir}`);
      pages.push(`harness/emscripten/player.html?build=${build}`);
    }
  }
  for (const f of ['devian_ws_webgl.js', 'devian_ws_webgl_bg.wasm', 'devian-ws-loader.js', 'devian-ws.jslib']) {
    if (!fs.existsSync(path.join(pkgDir, f))) throw new Error(`missing ${f} in ${pkgDir}: run scripts/build-webgl`);
  }
  const echo = new EchoServer();
  const wsPort = await echo.start(0);
  const web = await serveStatic({ pkg: pkgDir, harness: __dirname, emscripten: emDir || __dirname });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'devian-webgl-'));
  let context = null;
  let passed = 0;
  let failed = 0;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    });
    const page = context.pages()[0] || (await context.newPage());
    page.on('console', (m) => { if (m.type() === 'error') console.error(`[page] ${m.text()}`); });
    // An uncaught exception on the page (e.g. a browser event reaching a freed wasm closure)
    // is a failure even when every case passed.
    page.on('pageerror', (e) => {
      failed++;
      console.log(`FAIL uncaught page error: ${e.message}`);
    });
    // The restart case stops and restarts the server on the same port from the page.
    await page.exposeFunction('serverCtl', async (what) => {
      if (what === 'stop') await echo.stop();
      else if (what === 'start') await echo.start(wsPort);
      return echo.port;
    });
    await page.exposeFunction('report', (name, ok, detail) => {
      if (ok) passed++; else failed++;
      console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
    });
    await page.exposeFunction('finish', () => main.finish());
    const webPort = web.address().port;
    for (const p of pages) {
      const done = new Promise((resolve) => { main.finish = resolve; });
      await page.goto(`http://127.0.0.1:${webPort}/${p}${p.includes('?') ? '&' : '?'}ws=${wsPort}`);
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${p} did not finish in ${TOTAL_TIMEOUT_MS / 1000} s`)), TOTAL_TIMEOUT_MS);
      });
      await Promise.race([done, timeout]).finally(() => clearTimeout(timer));
    }
  } catch (e) {
    failed++;
    console.log(`FAIL harness: ${e.message}`);
  } finally {
    if (context) await context.close().catch(() => {});
    await echo.stop();
    await new Promise((r) => web.close(r));
    fs.rmSync(profile, { recursive: true, force: true });
  }
  if (passed + failed === 0) failed++;
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((e) => {
  console.error(e.stack || String(e));
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
});
