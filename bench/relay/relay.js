#!/usr/bin/env node
// Baseline for the benchmark: a minimal broadcast relay with the `ws` package. Rooms by path
// (/room/<n>); every text frame is sent to everyone in the room, the sender included (as Kelisim
// sends a message event to its author). No persistence, no parsing, no auth. `ws` sets TCP_NODELAY.
//
//   node bench/relay/relay.js [--port 0] [--host 127.0.0.1] [--tls-cert cert.pem --tls-key key.pem]
// Prints "relay: listening on http(s)://HOST:PORT" once it accepts connections; SIGTERM stops it.
'use strict';

const fs = require('fs');
const http = require('http');
const https = require('https');
const { WebSocketServer } = require('ws');

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at > 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const host = option('--host', '127.0.0.1');
const port = Number(option('--port', '0'));
const cert = option('--tls-cert', null);
const key = option('--tls-key', null);

const server = cert && key
  ? https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) })
  : http.createServer();
const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 64 * 1024 });
const rooms = new Map();

wss.on('connection', (socket, request) => {
  const room = request.url || '/';
  let members = rooms.get(room);
  if (!members) rooms.set(room, (members = new Set()));
  members.add(socket);
  socket.on('message', (data, isBinary) => {
    for (const member of members) {
      if (member.readyState === 1) member.send(data, { binary: isBinary });
    }
  });
  socket.on('close', () => {
    members.delete(socket);
    if (members.size === 0) rooms.delete(room);
  });
  socket.on('error', () => {});
});

server.listen(port, host, () => {
  const scheme = cert && key ? 'https' : 'http';
  console.log(`relay: listening on ${scheme}://${host}:${server.address().port}`);
});

function stop() {
  for (const client of wss.clients) client.terminate();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
