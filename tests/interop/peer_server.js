#!/usr/bin/env node
// A peer WebSocket server for the client interop tests: the Node `ws` package
// (tests/interop/package-lock.json pins it). Prints its port on the first line of stdout, then
// serves until killed. Each connection first gets one text message describing what was agreed
// ("peer=node ext=... proto=..."), then every message is echoed (text as text, binary as binary).
// Usage: node peer_server.js [--cert FILE --key FILE] (wss when given)
'use strict';

const fs = require('fs');
const https = require('https');
let WebSocket;
try {
  WebSocket = require('ws');
} catch (err) {
  console.error('peer_server.js: the ws package is missing; run scripts/deps.sh');
  process.exit(2);
}

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const options = {
  perMessageDeflate: { threshold: 0 },
  maxPayload: 16 * 1024 * 1024,
  handleProtocols: (protocols) => (protocols.has('chat') ? 'chat' : false),
};
let server;
let wss;
if (opt('--cert')) {
  server = https.createServer({ cert: fs.readFileSync(opt('--cert')), key: fs.readFileSync(opt('--key')) });
  wss = new WebSocket.Server({ server, ...options });
  server.listen(0, '127.0.0.1', () => console.log(server.address().port));
} else {
  wss = new WebSocket.Server({ host: '127.0.0.1', port: 0, ...options });
  wss.on('listening', () => console.log(wss.address().port));
}
wss.on('connection', (ws, req) => {
  ws.send(`peer=node ext=${ws.extensions || '-'} proto=${ws.protocol || '-'}`);
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
