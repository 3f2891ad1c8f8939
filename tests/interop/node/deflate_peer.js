// node `ws` with permessage-deflate on (threshold 0: every message is
// compressed), running the deflate cases of tests/interop/deflate_cases.py:
//   deflate_peer.js client URL --label L   every case against our echo_server --deflate
//   deflate_peer.js server --label L       the case named by the path, per connection;
//                                          prints "LISTENING PORT"
// One PASS/FAIL line per case, labelled "L NAME".
'use strict';
const crypto = require('crypto');
const http = require('http');
const WebSocket = require('ws');
const { MAX_MESSAGE, attach, report } = require('./cases');

const CASE_TIMEOUT_MS = 60_000;
const PER_MESSAGE_DEFLATE = { threshold: 0 };

function withTimeout(promise, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), CASE_TIMEOUT_MS);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

const send = (ws, data, opts) => new Promise((resolve, reject) => ws.send(data, opts, (e) => (e ? reject(e) : resolve())));
const text = (s) => ({ binary: false, data: s });
const bin = (b) => ({ binary: true, data: b });
const describe = (m) => `${m.binary ? 'binary' : 'text'} of ${m.binary ? m.data.length : Buffer.byteLength(m.data)} B`;

async function expectEcho(conn, sent) {
  const got = await withTimeout(conn.next(), 'echo');
  if (got.closed) throw new Error(`connection closed (${got.closed.code}) instead of echoing ${describe(sent)}`);
  if (got.binary !== sent.binary) throw new Error(`sent ${describe(sent)}, got ${describe(got)}`);
  const same = sent.binary ? Buffer.compare(got.data, sent.data) === 0 : got.data === sent.data;
  if (!same) throw new Error(`echo of ${describe(sent)} differs (got ${describe(got)})`);
}

async function echoEach(conn, messages) {
  for (const m of messages) {
    await send(conn.ws, m.data, { binary: m.binary });
    await expectEcho(conn, m);
  }
}

const BIG_TEXT = 'The quick brown fox jumps over the lazy dog. '.repeat(23_302).slice(0, 1 << 20);

const CASES = {
  // RFC 7692 §7.2.3.2: the repeated "Hello" refers back to the first.
  'deflate-text': (conn) => echoEach(conn, ['Hello', 'Hello', '', 'h\u00e9llo w\u00f6rld \u2713 \u{1F30D}'].map(text)),
  'deflate-1MiB-text': (conn) => echoEach(conn, [text(BIG_TEXT)]),
  'deflate-random-1MiB': (conn) => echoEach(conn, [bin(crypto.randomBytes(1 << 20)), bin(crypto.randomBytes(100))]),
  'deflate-many': (conn) => echoEach(conn, Array.from({ length: 300 },
    (_, i) => text(`{"seq": ${i}, "type": "position", "x": ${i * 3}, "y": ${i * 7}}`))),
  // RFC 7692 §6.1: RSV1 on the first fragment of a compressed message only.
  'deflate-fragmented': async (conn) => {
    const parts = ['frag', 'mented ', 't\u00e9xt '.repeat(1000)];
    for (let i = 0; i < parts.length; i++) await send(conn.ws, parts[i], { binary: false, fin: i === parts.length - 1 });
    await expectEcho(conn, text(parts.join('')));
  },
};

async function runCase(name, conn) {
  try {
    if (!conn.ws.extensions.includes('permessage-deflate')) {
      throw new Error(`permessage-deflate not negotiated (extensions: ${JSON.stringify(conn.ws.extensions)})`);
    }
    await withTimeout(CASES[name](conn), name);
    conn.ws.close(1000);
    await withTimeout(conn.closed, 'close handshake');
    return null;
  } catch (e) {
    conn.ws.terminate();
    return e.message;
  }
}

function connect(url) {
  const ws = new WebSocket(url, [], { maxPayload: MAX_MESSAGE, perMessageDeflate: PER_MESSAGE_DEFLATE, handshakeTimeout: 10_000 });
  const conn = attach(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(conn));
    ws.once('error', (e) => reject(e));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`server answered ${res.statusCode}`)));
  });
}

const args = process.argv.slice(2);
const mode = args[0];
let label = `node-deflate-${mode}`;
let url = null;
for (let i = 1; i < args.length; i++) {
  if (args[i] === '--label') label = args[++i];
  else url = args[i];
}

if (mode === 'client') {
  (async () => {
    let failed = 0;
    for (const name of Object.keys(CASES)) {
      let failure;
      try {
        failure = await runCase(name, await connect(url));
      } catch (e) {
        failure = `${e.code || e.name}: ${e.message}`;
      }
      report(`${label} ${name}`, failure);
      if (failure !== null) failed++;
    }
    process.exit(failed ? 1 : 0);
  })();
} else if (mode === 'server') {
  const server = http.createServer();
  const wss = new WebSocket.WebSocketServer({ server, maxPayload: MAX_MESSAGE, perMessageDeflate: PER_MESSAGE_DEFLATE });
  wss.on('connection', async (ws, req) => {
    const conn = attach(ws);
    const name = req.url.replace(/^\//, '').split('?')[0];
    if (!CASES[name]) {
      report(`${label} ${name}`, 'unknown case');
      ws.close(1008, 'unknown case');
      return;
    }
    report(`${label} ${name}`, await runCase(name, conn));
  });
  server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
} else {
  console.error('usage: deflate_peer.js client URL --label L | server --label L');
  process.exit(2);
}
