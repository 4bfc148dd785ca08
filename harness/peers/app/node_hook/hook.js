'use strict';
// Preloaded into a user's unmodified Node app (NODE_OPTIONS=--require this file) so that it
// reports like a bundled server peer (docs/peer-protocol.md events) and takes the scenario's
// server options (the compressed heartbeat) — see docs/your-app.md.
//
// It finds socket.io (2.x-4.x, by `require` or `import`: ESM imports of a CommonJS package go
// through Module.prototype._compile too) by the package.json beside the module being compiled,
// and swaps its exports for a wrapper whose Server merges SOCKFAULT_HOOK_OPTIONS over the app's
// options and observes every instance. Events go out as JSON lines on the UNIX socket named by
// SOCKFAULT_HOOK_SOCKET; commands (emit, disconnect) come back on it. Without that variable the
// hook does nothing. It never throws into the app: a failure is reported and the app goes on.
const SOCKET_PATH = process.env.SOCKFAULT_HOOK_SOCKET;

if (SOCKET_PATH && !global.__sockfaultHook) {
  global.__sockfaultHook = true;
  install();
}

function install() {
  const fs = require('fs');
  const net = require('net');
  const path = require('path');
  const Module = require('module');
  const readline = require('readline');

  const merged = parseOptions(process.env.SOCKFAULT_HOOK_OPTIONS);
  const scale = parseFloat(process.env.SOCKFAULT_HOOK_SCALE || '') || null; // compressed time
  const MIN_SCALED_MS = 500;
  const sockets = new Map(); // socket id -> socket, every instance and namespace
  let instances = 0;
  let channel = null;
  let queue = [];
  let dead = false;

  function parseOptions(text) {
    if (!text) return null;
    try { return JSON.parse(text); } catch (e) { return null; }
  }

  function connect() {
    channel = net.createConnection(SOCKET_PATH);
    channel.on('connect', () => { const lines = queue; queue = null; channel.write(lines.join('')); });
    channel.on('error', () => { dead = true; queue = null; });
    channel.unref(); // the side channel never keeps the app alive
    readline.createInterface({ input: channel }).on('line', onCommand);
  }

  function out(event) {
    if (dead) return;
    let line;
    try { line = JSON.stringify(event) + '\n'; } catch (e) { line = JSON.stringify({ event: 'error', cmd: null, message: 'unserialisable ' + event.event }) + '\n'; }
    if (channel === null) connect();
    if (queue !== null) queue.push(line); else channel.write(line);
  }

  function sizeOf(args) { try { return JSON.stringify(args).length; } catch (e) { return -1; } }

  function safely(what, fn) {
    try { return fn(); } catch (e) { out({ event: 'error', cmd: null, message: 'hook: ' + what + ': ' + (e && e.message) }); return undefined; }
  }

  // -- finding socket.io -----------------------------------------------------------------------
  const packages = new Map(); // package dir -> package.json or null
  function socketIoPackage(filename) {
    if (path.basename(filename) !== 'index.js') return null;
    const dir = path.dirname(path.dirname(filename));
    if (!packages.has(dir)) {
      let pkg = null;
      try { pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')); } catch (e) { pkg = null; }
      packages.set(dir, pkg && pkg.name === 'socket.io' ? pkg : null);
    }
    const pkg = packages.get(dir);
    if (!pkg) return null;
    const main = path.resolve(dir, pkg.main || 'index.js');
    return (main === filename || main + '.js' === filename) ? pkg : null;
  }

  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename) {
    const result = compile.apply(this, arguments);
    const pkg = socketIoPackage(filename);
    if (pkg) {
      const wrapped = safely('wrap socket.io', () => wrap(this.exports, pkg));
      if (wrapped) this.exports = wrapped;
    }
    return result;
  };

  // -- wrapping the Server ---------------------------------------------------------------------
  // engine.io's heartbeat defaults per socket.io release (reference/wire-facts.md)
  function heartbeatDefaults(version) {
    const [major, minor] = version.split('.').map((n) => parseInt(n, 10));
    if (major >= 4) return [25000, 20000];
    if (major === 3) return [25000, 5000];
    if (major === 2) return minor >= 5 ? [25000, 20000] : [25000, 5000];
    return [25000, 60000];
  }

  // The scenario's options over the app's own; compressed time scales the app's heartbeat (its
  // own values, or its version's defaults) unless the scenario set one.
  function mergeOptions(opts, version) {
    if (!merged) return opts;
    const out = Object.assign({}, opts || {}, merged);
    if (scale) {
      const [interval, timeout] = heartbeatDefaults(version);
      const own = opts || {};
      // at least 500 ms each: a 125 ms pingTimeout (an app's 5 s x1/40) loses polls through a proxy on a loaded machine
      if (merged.pingInterval === undefined) out.pingInterval = Math.max(MIN_SCALED_MS, Math.round((own.pingInterval || interval) * scale));
      if (merged.pingTimeout === undefined) out.pingTimeout = Math.max(MIN_SCALED_MS, Math.round((own.pingTimeout || timeout) * scale));
    }
    return out;
  }

  // `new Server(); io.attach(srv, {pingTimeout})` (browser-sync does this): socket.io 3/4 merge the
  // constructor's options over attach's, so the defaults scaled at construction would hide the
  // app's own heartbeat; scale the one given to attach instead (unless the constructor or the
  // scenario set it).
  function scaleAttached(io, opts, ownOpts) {
    if (!merged || !scale || !opts || typeof opts !== 'object' || !ownOpts || !io.opts) return;
    for (const key of ['pingInterval', 'pingTimeout']) {
      if (merged[key] === undefined && ownOpts[key] === undefined && typeof opts[key] === 'number') {
        io.opts[key] = Math.max(MIN_SCALED_MS, Math.round(opts[key] * scale));
      }
    }
  }

  function splitArgs(srv, opts) {
    if (srv && typeof srv === 'object' && typeof srv.listen !== 'function') return [undefined, srv];
    return [srv, opts];
  }

  function wrap(exported, pkg) {
    const major = parseInt(pkg.version, 10);
    out({ event: 'hello', role: 'server', impl: 'socket.io', version: pkg.version, pid: process.pid, hook: 'node',
      options_merged: merged !== null });
    if (major >= 3) {
      const Original = exported.Server;
      const own = new WeakMap(); // instance -> the options the app gave its constructor
      class Server extends Original {
        constructor(srv, opts) {
          const [s, o] = splitArgs(srv, opts);
          super(s, mergeOptions(o || {}, pkg.version));
          own.set(this, o || {});
          safely('observe', () => observe(this));
        }
        attach(srv, opts) {
          safely('scale attach options', () => scaleAttached(this, opts, own.get(this)));
          const result = super.attach(srv, opts);
          safely('observe engine', () => observeEngine(this));
          return result;
        }
      }
      const io = function (srv, opts) { return new Server(srv, opts); };
      Object.assign(io, exported);
      io.Server = Server;
      return io;
    }
    const Original = exported;
    function Server(srv, opts) {
      const [s, o] = splitArgs(srv, opts);
      const io = new Original(s, mergeOptions(o || {}, pkg.version));
      for (const name of ['attach', 'listen']) {
        const method = io[name];
        io[name] = function (srv2, opts2) {
          const result = method.call(this, srv2, mergeOptions(opts2 || {}, pkg.version));
          safely('observe engine', () => observeEngine(io));
          return result;
        };
      }
      safely('observe', () => observe(io));
      return io;
    }
    Object.assign(Server, Original);
    Server.prototype = Original.prototype;
    return Server;
  }

  // -- observing an instance -------------------------------------------------------------------
  function observe(io) {
    if (io.__sockfault) return;
    io.__sockfault = { instance: instances++, engine: null, listening: false };
    const of = io.of;
    io.of = function () {
      const nsp = of.apply(this, arguments);
      safely('namespace', () => observeNamespace(io, nsp));
      return nsp;
    };
    observeNamespace(io, io.sockets || io.of('/'));
    observeEngine(io);
  }

  function observeNamespace(io, nsp) {
    if (!nsp || nsp.__sockfault) return;
    nsp.__sockfault = true;
    nsp.on('connection', (socket) => safely('connection', () => onConnection(io, socket)));
  }

  function onConnection(io, socket) {
    const instance = io.__sockfault.instance;
    const namespace = socket.nsp ? socket.nsp.name : '/';
    sockets.set(socket.id, socket);
    const conn = socket.conn || {};
    const ev = { event: 'connection', instance, id: socket.id, namespace,
      transport: conn.transport ? conn.transport.name : null, eio: eioOf(socket) };
    if (socket.recovered !== undefined) ev.recovered = !!socket.recovered;
    out(ev);
    const onevent = socket.onevent;
    socket.onevent = function (packet) {
      safely('message', () => {
        const data = (packet && packet.data) || [];
        const args = data.slice(1);
        const size = sizeOf(args);
        const msg = { event: 'message', instance, id: socket.id, namespace, name: data[0], size };
        if (size <= 1024) msg.args = args;
        out(msg);
      });
      return onevent.apply(this, arguments);
    };
    socket.on('disconnect', (reason) => {
      sockets.delete(socket.id);
      out({ event: 'disconnect', instance, id: socket.id, namespace, reason });
    });
    if (socket.conn && !socket.conn.__sockfault) {
      socket.conn.__sockfault = true;
      socket.conn.on('upgrade', (t) => out({ event: 'upgrade', instance, id: socket.id,
        transport: (t && t.name) || (socket.conn.transport && socket.conn.transport.name) }));
    }
  }

  function eioOf(socket) {
    if (socket.conn && typeof socket.conn.protocol === 'number') return socket.conn.protocol;
    const q = (socket.handshake && socket.handshake.query) || {};
    const n = parseInt(q.EIO, 10);
    return Number.isNaN(n) ? null : n;
  }

  function observeEngine(io) {
    const state = io.__sockfault;
    if (!state) return;
    const eng = io.engine || io.eio;
    if (eng && state.engine !== eng) {
      state.engine = eng;
      if (typeof eng.on === 'function') {
        eng.on('connection_error', (err) => out({ event: 'connection_error', instance: state.instance,
          code: err.code, message: err.message, url: err.req && err.req.url }));
      }
    }
    const srv = io.httpServer;
    if (!srv || state.listening) return;
    const report = () => {
      if (state.listening) return;
      state.listening = true;
      const address = srv.address();
      out({ event: 'listening', instance: state.instance, port: address && address.port,
        path: servedPath(io), options: effective(io.engine || io.eio) });
    };
    if (srv.listening) report(); else srv.once('listening', report);
  }

  // where Engine.IO really answers: a path given to attach() reaches the engine, not io.path()
  function servedPath(io) {
    const eng = io.engine || io.eio;
    if (eng && eng.opts && typeof eng.opts.path === 'string') return eng.opts.path;
    return typeof io.path === 'function' ? io.path() : undefined;
  }

  function effective(eng) {
    const src = (eng && eng.opts) ? eng.opts : (eng || {});
    return { pingInterval: src.pingInterval, pingTimeout: src.pingTimeout,
      maxHttpBufferSize: src.maxHttpBufferSize, transports: src.transports };
  }

  // -- commands from the runner ----------------------------------------------------------------
  function targets(to) {
    if (to == null) return Array.from(sockets.values());
    const s = sockets.get(to);
    if (!s) throw new Error('no socket ' + to);
    return [s];
  }

  const commands = {
    emit(cmd) { for (const s of targets(cmd.to)) s.emit(cmd.event, ...(cmd.args || [])); },
    disconnect(cmd) { for (const s of targets(cmd.to)) s.disconnect(true); },
  };

  function onCommand(line) {
    if (!line.trim()) return;
    let cmd;
    try { cmd = JSON.parse(line); } catch (e) { out({ event: 'error', cmd: null, message: 'bad json: ' + e.message }); return; }
    const fn = commands[cmd.cmd];
    if (!fn) { out({ event: 'error', cmd: cmd.cmd, message: 'the app hook does not do ' + cmd.cmd }); return; }
    try { fn(cmd); } catch (e) { out({ event: 'error', cmd: cmd.cmd, message: String(e && e.message) }); }
  }
}
