'use strict';
// A small chat app for tests/e2e/test_page_client.py, written the ordinary way: an http server
// that serves the page, and socket.io (the version SIO names, from harness/peers/node/node_modules:
// sio-4.8.1 by default, or the alias given as argv[2] / SIO: sio-2.4.1 serves a 2.x client) serving its own client bundle at
// /socket.io/socket.io.js. Test-only: it prints what the server sees as JSON lines on stdout.
// Pages: / (the global `io` of /socket.io/socket.io.js), /esm.html (4.x's ESM build),
// /bundled.html (the client inside the app's own script: nothing global).
const fs = require('fs');
const http = require('http');
const path = require('path');

const NODE_MODULES = path.resolve(__dirname, '..', '..', '..', 'harness', 'peers', 'node', 'node_modules');
const SIO_DIR = path.join(NODE_MODULES, process.argv[2] || process.env.SIO || 'sio-4.8.1');
const sio = require(SIO_DIR);
const version = require(path.join(SIO_DIR, 'package.json')).version;
const out = (ev) => process.stdout.write(JSON.stringify(ev) + '\n');

const PAGES = { '/': 'index.html', '/index.html': 'index.html', '/esm.html': 'esm.html', '/bundled.html': 'bundled.html' };

function clientSource() {
  const v4 = path.join(SIO_DIR, 'client-dist', 'socket.io.js');
  if (fs.existsSync(v4)) return fs.readFileSync(v4, 'utf8');
  return fs.readFileSync(require.resolve('socket.io-client/dist/socket.io.js', { paths: [SIO_DIR] }), 'utf8');
}

const server = http.createServer((req, res) => {
  const url = req.url.split('?')[0];
  if (PAGES[url]) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(fs.readFileSync(path.join(__dirname, PAGES[url])));
  } else if (url === '/chat.js') {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
    res.end(fs.readFileSync(path.join(__dirname, 'chat.js')));
  } else if (url === '/bundled.js') {   // what a bundler does: the client is a module, not a global
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
    res.end('(function () {\nvar module = { exports: {} }, exports = module.exports;\n' + clientSource() +
      '\nwindow.startChat(module.exports);\n})();\n');
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }
});

const io = sio(server);
io.on('connection', (socket) => {
  const transport = socket.conn.transport.name;
  out({ event: 'connection', id: socket.id, transport });
  socket.conn.on('upgrade', (t) => out({ event: 'upgrade', id: socket.id, transport: (t && t.name) || socket.conn.transport.name }));
  socket.on('chat message', (msg, ack) => {
    out({ event: 'message', id: socket.id, name: 'chat message', args: [msg] });
    io.emit('chat message', msg);
    if (typeof ack === 'function') ack('delivered');
  });
  socket.on('disconnect', (reason) => out({ event: 'disconnect', id: socket.id, reason }));
});

server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  out({ event: 'listening', port: server.address().port, version });
});
// For the test's PeerProcess: {"cmd":"stop"} on stdin ends the app (as a runner would, by a signal).
require('readline').createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.includes('"stop"')) process.exit(0);
});
