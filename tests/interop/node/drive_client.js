// node `ws` client running every case against an echo server:
//   drive_client.js URL --label L [--ca PEM] [--case NAME]...
// One PASS/FAIL line per case, labelled "L NAME"; exit status 1 if any failed.
'use strict';
const fs = require('fs');
const WebSocket = require('ws');
const { CASES, NEEDS_PROTOCOLS, OFFERED_PROTOCOLS, MAX_MESSAGE, attach, runCase, report } = require('./cases');

const args = process.argv.slice(2);
const url = args[0];
let label = 'node-client';
let ca;
const only = [];
for (let i = 1; i < args.length; i++) {
  if (args[i] === '--label') label = args[++i];
  else if (args[i] === '--ca') ca = fs.readFileSync(args[++i]);
  else if (args[i] === '--case') only.push(args[++i]);
}

function connect(name, perMessageDeflate) {
  const protocols = NEEDS_PROTOCOLS.has(name) ? OFFERED_PROTOCOLS : [];
  const ws = new WebSocket(url, protocols, { ca, maxPayload: MAX_MESSAGE, perMessageDeflate, handshakeTimeout: 10_000 });
  const conn = attach(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(conn));
    ws.once('error', (e) => reject(e));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`server answered ${res.statusCode}`)));
  });
}

async function one(name, perMessageDeflate = false) {
  try {
    return await runCase(name, await connect(name, perMessageDeflate));
  } catch (e) {
    return `${e.code || e.name}: ${e.message}`;
  }
}

(async () => {
  let failed = 0;
  for (const name of only.length ? only : Object.keys(CASES)) {
    const failure = await one(name);
    report(`${label} ${name}`, failure);
    if (failure !== null) failed++;
  }
  if (!only.length) {
    // RFC 6455 §9.1 / RFC 7692: a permessage-deflate offer the server does not
    // take up must still give a working, uncompressed connection.
    const failure = await one('text', true);
    report(`${label} deflate-offer`, failure);
    if (failure !== null) failed++;
  }
  process.exit(failed ? 1 : 0);
})();
