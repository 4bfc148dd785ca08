'use strict';
// JSON-lines peer runner for a Socket.IO server (1.x-4.x), see docs/peer-protocol.md.
// usage: node server.js sio-4.8.1
const http = require('http');
const https = require('https');
const http2 = require('http2');
const { loadAlias, out, sizeOf, safe: jsonSafe, hasBinary, serve } = require('./_jsonlines');

const alias = process.argv[2] || 'sio-4.8.1';
const { pkg, major, mod: sio } = loadAlias(alias);

let io = null;
let httpServer = null;
const sockets = new Map(); // id -> socket, every namespace
let blockOn = null;        // {event, ms}: that event's handler busy-waits the event loop (option $block_ms_on)

out({ event: 'hello', role: 'server', impl: 'socket.io', version: pkg.version, alias, pid: process.pid });

function engineOf(server) { return server.engine || server.eio; }

function effective(eng, opts) {
  const src = (eng && eng.opts) ? eng.opts : (eng || {});
  const pick = (k) => (src[k] !== undefined ? src[k] : opts[k]);
  return { pingInterval: pick('pingInterval'), pingTimeout: pick('pingTimeout'),
    maxHttpBufferSize: pick('maxHttpBufferSize'), transports: pick('transports') };
}

function eioOf(socket) {
  if (socket.conn && typeof socket.conn.protocol === 'number') return socket.conn.protocol;
  const q = (socket.handshake && socket.handshake.query) || {};
  const n = parseInt(q.EIO, 10);
  return Number.isNaN(n) ? null : n;
}

function onMessage(socket, args) {
  const ackFn = typeof args[args.length - 1] === 'function' ? args.pop() : null;
  const name = args[0];
  const data = args.slice(1);
  const size = sizeOf(data);
  const ev = { event: 'message', id: socket.id, namespace: socket.nsp && socket.nsp.name, name, size };
  if (size <= 1024 || hasBinary(data)) ev.args = hasBinary(data) ? jsonSafe(data, 6) : data;   // bytes as {$buffer: n}
  out(ev);
  if (blockOn && name === blockOn.event) {
    const until = Date.now() + Number(blockOn.ms);
    out({ event: 'blocking', id: socket.id, name, ms: Number(blockOn.ms) });
    while (Date.now() < until) { /* a synchronous handler: nothing else runs, no ping, no pong */ }
    out({ event: 'unblocked', id: socket.id, name });
  }
  if (ackFn) ackFn({ name, size });
  if (name === 'echo') socket.emit('echo', ...data);
}

function onConnection(socket) {
  sockets.set(socket.id, socket);
  const transport = socket.conn && socket.conn.transport ? socket.conn.transport.name : null;
  const ev = { event: 'connection', id: socket.id, transport, eio: eioOf(socket),
    namespace: socket.nsp ? socket.nsp.name : '/' };
  if (socket.recovered !== undefined) ev.recovered = !!socket.recovered;
  out(ev);
  if (typeof socket.onAny === 'function') {
    socket.onAny((...args) => onMessage(socket, args));
  } else {
    // v1/v2: no onAny; take over packet dispatch (this runner registers no other listeners)
    socket.onevent = function (packet) {
      const args = (packet.data || []).slice();
      if (packet.id != null) args.push(this.ack(packet.id));
      onMessage(this, args);
    };
  }
  socket.on('disconnect', (reason) => {
    sockets.delete(socket.id);
    out({ event: 'disconnect', id: socket.id, namespace: socket.nsp && socket.nsp.name, reason });
  });
  if (socket.conn && !socket.conn._sockfaultHooked) {
    socket.conn._sockfaultHooked = true;
    socket.conn.on('upgrade', (t) => out({ event: 'upgrade', id: socket.id,
      transport: (t && t.name) || (socket.conn.transport && socket.conn.transport.name) }));
  }
}

function start(cmd) {
  if (io) throw new Error('already started');
  const opts = Object.assign({}, cmd.options || {});
  blockOn = opts.$block_ms_on || null;
  delete opts.$block_ms_on;
  const tls = opts.$tls || null;   // {cert, key} (PEM): listen on https (the runner makes a self-signed pair)
  delete opts.$tls;
  const h2 = opts.$http2 || null;  // {allowHTTP1, enableConnectProtocol}: Node's http2 server (h2c without $tls)
  delete opts.$http2;
  // What `new Server(port)` does: any request outside the Socket.IO path gets an empty 404
  // (engine.io hands such requests to the listeners that were there before it attached).
  const notFound = (req, res) => { res.writeHead(404); res.end(); };
  if (h2) httpServer = http2Server(h2, tls, notFound);
  else httpServer = tls ? https.createServer({ cert: tls.cert, key: tls.key }, notFound) : http.createServer(notFound);
  if (tls) {
    httpServer.on('tlsClientError', (err) => out({ event: 'tls_error', code: err.code, message: String(err.message) }));
  }
  io = major >= 3 ? new sio.Server(httpServer, opts) : sio(httpServer, opts);
  const namespaces = new Set(['/'].concat(cmd.namespaces || []));
  for (const ns of namespaces) io.of(ns).on('connection', onConnection);
  const eng = engineOf(io);
  if (eng && typeof eng.on === 'function') {
    eng.on('connection_error', (err) => out({ event: 'connection_error', code: err.code,
      message: err.message, url: err.req && err.req.url, context: safe(err.context) }));
  }
  httpServer.on('error', (e) => out({ event: 'error', cmd: 'start', message: String(e && e.message) }));
  httpServer.listen(cmd.port || 0, cmd.host || '127.0.0.1', () => {
    out({ event: 'listening', port: httpServer.address().port, tls: !!tls, http2: h2 || undefined,
      path: typeof io.path === 'function' ? io.path() : opts.path,
      options: effective(eng, opts) });
  });
}

// `http2.createSecureServer({allowHTTP1, settings: {enableConnectProtocol}})` as socket.io's docs show it
// (http2.createServer, cleartext h2c, without $tls). Reported: each TLS connection's ALPN result, and each
// extended CONNECT (RFC 8441: a WebSocket over an h2 stream) with the status the server answered (Node's
// compatibility layer answers 405 to a CONNECT when nothing listens for 'connect': engine.io does not).
function http2Server(h2, tls, notFound) {
  const settings = { enableConnectProtocol: !!h2.enableConnectProtocol };
  const server = tls
    ? http2.createSecureServer({ cert: tls.cert, key: tls.key, allowHTTP1: !!h2.allowHTTP1, settings }, notFound)
    : http2.createServer({ settings }, notFound);
  if (tls) server.on('secureConnection', (s) => out({ event: 'tls_connection', alpn: s.alpnProtocol || null }));
  server.on('stream', (stream, headers) => {
    if (headers[':method'] !== 'CONNECT') return;
    // an `http` exchange as a proxy or the probe records one (symptom `http: {source: any, method: CONNECT}`)
    const ev = { event: 'http', method: 'CONNECT', protocol: headers[':protocol'] || null, url: headers[':path'] || null,
      http2: true };
    stream.on('close', () => out(Object.assign(ev, { status: stream.sentHeaders ? stream.sentHeaders[':status'] : null,
      rst_code: stream.rstCode })));
  });
  return server;
}

function safe(v) {
  if (v === undefined) return undefined;
  const seen = new WeakSet();
  try {
    return JSON.parse(JSON.stringify(v, (k, x) => {
      if (typeof x === 'object' && x !== null) { if (seen.has(x)) return undefined; seen.add(x); }
      return typeof x === 'function' ? undefined : x;
    }));
  } catch (e) { return String(v); }
}

function targets(to) {
  if (to == null) return Array.from(sockets.values());
  const s = sockets.get(to);
  if (!s) throw new Error('no socket ' + to);
  return [s];
}

function stop() {
  const finish = () => process.stdout.write(JSON.stringify({ event: 'stopped' }) + '\n', () => process.exit(0));
  try {
    if (io) {
      for (const s of sockets.values()) { try { s.disconnect(true); } catch (e) { /* ignore */ } }
      io.close();
    }
    if (httpServer && httpServer.listening) httpServer.close();
  } catch (e) { out({ event: 'error', cmd: 'stop', message: String(e && e.message) }); }
  finish();
}

const commands = {
  start,
  emit(cmd) { for (const s of targets(cmd.to)) s.emit(cmd.event, ...(cmd.args || [])); },
  disconnect(cmd) { for (const s of targets(cmd.to)) s.disconnect(true); },
  stop,
};

serve(commands, stop);
