'use strict';
// JSON-lines peer runner for MANY socket.io-client sockets in one Node process (docs/peer-protocol.md,
// "The swarm client"): a peer per socket would be N processes. `connect` opens option `$count` sockets
// (default 100, each its own Manager) and says `all_connected` (`count`, `round`: 1, 2, ...) each time every one is connected (again); every event carries `n`, the socket's index, and `ts`, the
// process's own Date.now() (the timeline's time is when the runner read the line: under load, lines
// arrive in bursts); `reconnect_attempt` carries `delay`, the ms the Manager's backoff drew for it. A failed HTTP request (a 502 from a proxy, a 400 from a server that does not know
// the session) is also reported as an `http` event (`status`, `body`, `json`), as the browser peer does.
// usage: node swarm.js sioc-4.8.1
const { loadAlias, out, serve } = require('./_jsonlines');
const { describeError } = require('./_client_core');

const alias = process.argv[2] || 'sioc-4.8.1';
const { pkg, major, mod } = loadAlias(alias);
const lookup = typeof mod === 'function' ? mod : (mod.io || mod.default);
const sockets = [];
const MAX = 5000;
const up = new Set();   // indexes connected now: `all_connected` each time every socket is (again)
let rounds = 0;         // all_connected's `round`: 1 the first time, 2 after a restart, ...

out({ event: 'hello', role: 'client', impl: 'socket.io-client', version: pkg.version, alias, pid: process.pid, swarm: true });

function emit(n, ev) { out(Object.assign(ev, { n, ts: Date.now() })); }

function failed(n, err) {   // the HTTP status and body a failed polling request carried, when it had one
  const c = err && err.context;
  if (!c || typeof c !== 'object' || typeof c.status !== 'number' || !c.status) return;
  const body = typeof c.responseText === 'string' ? c.responseText.slice(0, 300) : '';
  const ev = { event: 'http', status: c.status, body, failed: true };
  try { ev.json = JSON.parse(body); } catch (e) { /* not JSON: a proxy's HTML page */ }
  emit(n, ev);
}

function open(n, url, options) {
  const s = lookup(url, Object.assign({ forceNew: true }, options));
  const manager = s.io;
  const rsrc = major >= 3 ? manager : s;
  const hook = (engine) => {
    if (!engine || engine.__swarm) return;
    engine.__swarm = true;
    engine.on('handshake', (d) => emit(n, { event: 'handshake', sid: d.sid, pingInterval: d.pingInterval, pingTimeout: d.pingTimeout }));
    engine.on('upgrade', (t) => emit(n, { event: 'upgrade', transport: (t && t.name) || 'websocket' }));
  };
  hook(manager.engine);
  const origOpen = manager.open;
  manager.open = manager.connect = function (...a) { const r = origOpen.apply(this, a); hook(this.engine); return r; };
  s.on('connect', () => {
    emit(n, { event: 'connect', id: s.id, transport: manager.engine && manager.engine.transport ? manager.engine.transport.name : null });
    up.add(n);
    if (up.size === sockets.length) out({ event: 'all_connected', count: up.size, round: ++rounds, ts: Date.now() });
  });
  s.on('connect_error', (err) => { emit(n, Object.assign({ event: 'connect_error' }, describeError(err))); failed(n, err); });
  s.on('disconnect', (reason, details) => {
    up.delete(n);
    const ev = { event: 'disconnect', reason: String(reason) };
    if (details !== undefined) { ev.details = describeError(details); failed(n, details); }
    emit(n, ev);
  });
  let drawn = null;   // the delay the Manager's backoff drew before this attempt (reconnectionDelay, jitter)
  if (manager.backoff && typeof manager.backoff.duration === 'function') {
    const duration = manager.backoff.duration.bind(manager.backoff);
    manager.backoff.duration = () => { drawn = duration(); return drawn; };
  }
  rsrc.on('reconnect_attempt', (a) => emit(n, { event: 'reconnect_attempt', attempt: a, delay: drawn }));
  rsrc.on('reconnect', (a) => emit(n, { event: 'reconnect', attempt: a }));
  rsrc.on('reconnect_failed', () => emit(n, { event: 'reconnect_failed' }));
  return s;
}

function connect(cmd) {
  if (sockets.length) throw new Error('already connected; send disconnect first');
  const options = Object.assign({}, cmd.options || {});
  const count = options.$count === undefined ? 100 : Number(options.$count);
  delete options.$count;
  if (!Number.isInteger(count) || count < 1 || count > MAX) throw new Error(`$count must be an integer 1-${MAX}, not ${JSON.stringify(count)}`);
  sockets.length = 0;
  for (let n = 0; n < count; n++) sockets.push(null);
  for (let n = 0; n < count; n++) sockets[n] = open(n, cmd.url, options);
  out({ event: 'swarm', count, ts: Date.now() });
}

function disconnect() {
  up.clear();
  for (const s of sockets.splice(0)) { try { s.close ? s.close() : s.disconnect(); } catch (e) { /* ignore */ } }
}

function stop() {
  disconnect();
  process.stdout.write(JSON.stringify({ event: 'stopped' }) + '\n', () => process.exit(0));
}

serve({ connect, disconnect, stop }, stop);
