// A real, independent WebSocket peer for the C# end-to-end tests: node `ws` echo server.
// Usage: node echo_peer.js PORT [--lifetime SECONDS]
// Binds 127.0.0.1 only, prints `listening on 127.0.0.1:PORT` once ready, echoes every message
// back with the same type (text stays text), and exits by itself after --lifetime seconds.
'use strict';
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2]);
const i = process.argv.indexOf('--lifetime');
const lifetime = i > 0 ? Number(process.argv[i + 1]) : 120;

const server = new WebSocketServer({ host: '127.0.0.1', port, maxPayload: 64 << 20 });
server.on('listening', () => console.log(`listening on 127.0.0.1:${port}`));
server.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
setTimeout(() => process.exit(0), lifetime * 1000).unref();
