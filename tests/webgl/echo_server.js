'use strict';
// Loopback echo peer for the WebGL test (node `ws`, a strict RFC 6455 implementation).
// Echoes every message with its type; a few text commands let the page check what the
// server saw:
//   "info?"                -> JSON {url, protocols} of this connection's upgrade request
//   "close:CODE:REASON"    -> the server closes with CODE and REASON
// Sub-protocols: "devian.v1" is chosen when offered, else the first offered one (Chromium
// fails a handshake that offered protocols and got none back).
const { WebSocketServer } = require('ws');

class EchoServer {
  constructor() {
    this.wss = null;
    this.port = 0;
  }

  /** Listens on 127.0.0.1 (on `port`, or a free one the first time); no-op when listening. */
  start(port) {
    if (this.wss) return Promise.resolve(this.port);
    return new Promise((resolve, reject) => {
      const wss = new WebSocketServer({
        host: '127.0.0.1',
        port: port || 0,
        maxPayload: 4 * 1024 * 1024,
        handleProtocols: (offered) => (offered.has('devian.v1') ? 'devian.v1' : offered.values().next().value),
      });
      wss.once('error', reject);
      wss.once('listening', () => {
        this.wss = wss;
        this.port = wss.address().port;
        resolve(this.port);
      });
      wss.on('connection', (ws, req) => {
        const protocols = String(req.headers['sec-websocket-protocol'] || '')
          .split(',').map((s) => s.trim()).filter(Boolean);
        ws.on('message', (data, isBinary) => {
          if (!isBinary) {
            const text = data.toString('utf8');
            if (text === 'info?') {
              ws.send(JSON.stringify({ url: req.url, protocols }));
              return;
            }
            const m = /^close:(\d+):(.*)$/s.exec(text);
            if (m) {
              ws.close(Number(m[1]), m[2]);
              return;
            }
          }
          ws.send(data, { binary: isBinary });
        });
      });
    });
  }

  /** Drops every connection without a close frame (the browser sees 1006) and stops. */
  stop() {
    return new Promise((resolve) => {
      if (!this.wss) return resolve();
      for (const c of this.wss.clients) c.terminate();
      this.wss.close(() => resolve());
      this.wss = null;
    });
  }
}

module.exports = { EchoServer };
