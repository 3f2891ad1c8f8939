// Reference echo server on node `ws`, with echo_server's command line:
//   echo_server.js 127.0.0.1:PORT [--protocol P]... [--tls-cert PEM --tls-key PEM]
// Checks the driving clients themselves and stands in for our echo_server.
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const { WebSocketServer } = require('ws');
const { MAX_MESSAGE } = require('./cases');

const args = process.argv.slice(2);
const sep = args[0].lastIndexOf(':');
const host = args[0].slice(0, sep);
const port = Number(args[0].slice(sep + 1));
const protocols = [];
let cert = null;
let key = null;
for (let i = 1; i < args.length; i++) {
  if (args[i] === '--protocol') protocols.push(args[++i]);
  else if (args[i] === '--tls-cert') cert = fs.readFileSync(args[++i]);
  else if (args[i] === '--tls-key') key = fs.readFileSync(args[++i]);
}
const server = cert ? https.createServer({ cert, key }) : http.createServer();
const wss = new WebSocketServer({
  server,
  maxPayload: MAX_MESSAGE,
  perMessageDeflate: false,
  handleProtocols: (offered) => protocols.find((p) => offered.has(p)) || false,
});
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
});
server.listen(port, host, () => console.log(`LISTENING ${server.address().port}`));
