// The interop cases for the node `ws` peers: the same names and contents as
// tests/interop/cases.py. One function serves both directions: a driving
// client runs it against our echo server, a driving server against our echo
// client. A case resolves on success and rejects with the reason otherwise.
'use strict';

const CASE_TIMEOUT_MS = 60_000;
const MAX_MESSAGE = 32 * 1024 * 1024;
const PROTOCOL = 'chat.v1';
const OFFERED_PROTOCOLS = ['chat.v2', PROTOCOL];

// n deterministic bytes with no short period (251 is prime).
function pattern(n) {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = i % 251;
  return b;
}

function withTimeout(promise, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${CASE_TIMEOUT_MS / 1000} s: ${what}`)), CASE_TIMEOUT_MS);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

// Wraps a socket so messages, pongs and the close can be awaited in order.
// Must be called before the socket is open so nothing is missed.
function attach(ws) {
  const messages = [];
  const waiters = [];
  let ended = null;
  const deliver = (item) => {
    const w = waiters.shift();
    if (w) w(item); else messages.push(item);
  };
  ws.on('message', (data, isBinary) => {
    const buf = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
    deliver(isBinary ? { binary: true, data: buf } : { binary: false, data: buf.toString('utf8') });
  });
  const closed = new Promise((resolve) => {
    ws.on('close', (code, reason) => {
      ended = { code, reason: reason.toString('utf8') };
      while (waiters.length) waiters.shift()({ closed: ended });
      resolve(ended);
    });
  });
  ws.on('error', () => {}); // reported through 'close' (1006)
  return {
    ws,
    closed,
    next() {
      if (messages.length) return Promise.resolve(messages.shift());
      if (ended) return Promise.resolve({ closed: ended });
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}

function describe(m) {
  return `${m.binary ? 'binary' : 'text'} of ${m.binary ? m.data.length : Buffer.byteLength(m.data)} B`;
}

async function expectEcho(conn, sent) {
  const got = await withTimeout(conn.next(), 'echo');
  if (got.closed) throw new Error(`connection closed (${got.closed.code}) instead of echoing ${describe(sent)}`);
  if (got.binary !== sent.binary) throw new Error(`sent ${describe(sent)}, got ${describe(got)}`);
  const same = sent.binary ? Buffer.compare(got.data, sent.data) === 0 : got.data === sent.data;
  if (!same) throw new Error(`echo of ${describe(sent)} differs (got ${describe(got)})`);
}

const send = (ws, data, opts) => new Promise((resolve, reject) => ws.send(data, opts, (e) => (e ? reject(e) : resolve())));

async function echoEach(conn, messages) {
  for (const m of messages) {
    await send(conn.ws, m.data, { binary: m.binary });
    await expectEcho(conn, m);
  }
}

const text = (s) => ({ binary: false, data: s });
const bin = (b) => ({ binary: true, data: b });

async function expectCloseEcho(conn, code, reason) {
  conn.ws.close(code, reason);
  const c = await withTimeout(conn.closed, 'close handshake');
  if (c.code !== code) throw new Error(`closed with ${code}, peer answered ${c.code} ${JSON.stringify(c.reason)}`);
}

// RFC 6455 §5.4: one message over a first frame and continuations.
async function sendFragments(ws, parts, binary) {
  for (let i = 0; i < parts.length; i++) {
    await send(ws, parts[i], { binary, fin: i === parts.length - 1 });
  }
}

async function pingOnce(conn, payload) {
  const pong = new Promise((resolve) => {
    const onPong = (data) => {
      if (Buffer.compare(data, payload) === 0) {
        conn.ws.off('pong', onPong);
        resolve();
      }
    };
    conn.ws.on('pong', onPong);
  });
  conn.ws.ping(payload);
  await withTimeout(pong, `pong for ${payload.length}-byte ping`);
}

const binaryCase = (n) => (conn) => echoEach(conn, [bin(pattern(n))]);

const CASES = {
  text: (conn) => echoEach(conn, [text('hello'), text(''), text('h\u00e9llo w\u00f6rld \u2713 \u{1F30D}'), text('x'.repeat(70_000))]),
  'binary-0': binaryCase(0),
  'binary-125': binaryCase(125),
  'binary-126': binaryCase(126),
  'binary-65535': binaryCase(65_535),
  'binary-65536': binaryCase(65_536),
  'binary-16MiB': binaryCase(16 * 1024 * 1024),
  'fragmented-text': async (conn) => {
    await sendFragments(conn.ws, ['frag', 'mented ', 't\u00e9xt'].map((s) => Buffer.from(s)), false);
    await expectEcho(conn, text('fragmented t\u00e9xt'));
  },
  'fragmented-binary': async (conn) => {
    const parts = [pattern(70_000), pattern(1), pattern(65_536)];
    await sendFragments(conn.ws, parts, true);
    await expectEcho(conn, bin(Buffer.concat(parts)));
  },
  // RFC 6455 §5.5.2/§5.5.3: a Pong carries the Ping's payload back.
  'ping-pong': async (conn) => {
    for (const p of [Buffer.from('ping-payload'), Buffer.alloc(0), pattern(125)]) await pingOnce(conn, p);
    await echoEach(conn, [text('still open')]);
  },
  'close-4001': async (conn) => {
    await echoEach(conn, [text('before close')]);
    await expectCloseEcho(conn, 4001, 'done');
  },
  // RFC 6455 §5.5: 125-byte control payload = 2-byte code + 123-byte reason.
  'close-1000-long-reason': (conn) => expectCloseEcho(conn, 1000, '\u00e9'.repeat(61) + 'x'),
  subprotocol: async (conn) => {
    if (conn.ws.protocol !== PROTOCOL) throw new Error(`negotiated sub-protocol ${JSON.stringify(conn.ws.protocol)}, expected ${PROTOCOL}`);
    await echoEach(conn, [text('with protocol')]);
  },
};

const NEEDS_PROTOCOLS = new Set(['subprotocol']);
const CLOSES_ITSELF = new Set(['close-4001', 'close-1000-long-reason']);

// Runs one case on an attached connection; resolves to null or the failure text.
async function runCase(name, conn) {
  try {
    await withTimeout(CASES[name](conn), name);
    if (!CLOSES_ITSELF.has(name)) {
      conn.ws.close(1000);
      await withTimeout(conn.closed, 'close handshake');
    }
    return null;
  } catch (e) {
    conn.ws.terminate();
    return e.message;
  }
}

function report(label, failure) {
  console.log(failure === null ? `PASS ${label}` : `FAIL ${label}: ${failure}`);
}

module.exports = { CASES, NEEDS_PROTOCOLS, OFFERED_PROTOCOLS, PROTOCOL, MAX_MESSAGE, attach, runCase, report };
