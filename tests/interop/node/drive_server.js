// node `ws` server running one case on each client that connects:
//   drive_server.js --label L [--tls-cert PEM --tls-key PEM]
// Listens on 127.0.0.1, free port, printed as "LISTENING PORT". The request
// path names the case; one PASS/FAIL line per connection, labelled "L NAME".
// Picks sub-protocol chat.v1 when offered.
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const { WebSocketServer } = require('ws');
const { CASES, PROTOCOL, MAX_MESSAGE, attach, runCase, report } = require('./cases');

const args = process.argv.slice(2);
let label = 'node-server';
let cert = null;
let key = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--label') label = args[++i];
  else if (args[i] === '--tls-cert') cert = fs.readFileSync(args[++i]);
  else if (args[i] === '--tls-key') key = fs.readFileSync(args[++i]);
}
const server = cert ? https.createServer({ cert, key }) : http.createServer();
const wss = new WebSocketServer({
  server,
  maxPayload: MAX_MESSAGE,
  perMessageDeflate: false,
  handleProtocols: (offered) => (offered.has(PROTOCOL) ? PROTOCOL : false),
});
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
