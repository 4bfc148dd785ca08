'use strict';
// Installed with add_init_script into the user's own page (page_client.py), before any of the
// page's scripts: it finds the page's own socket.io-client, whatever version (1.x-4.x) the page
// loads, and reports its sockets with the client events of docs/peer-protocol.md through the
// exposed function window.sockfaultOut. Needs harness/peers/node/_client_core.js (safe,
// describeError, sizeOf), installed just before it.
//
// How it finds the client: `<script src="/socket.io/socket.io.js">` (every version's UMD bundle)
// assigns window.io; an accessor on window catches that assignment and wraps the function, so
// sockets made by io(...), io.connect(...) and new io.Manager(...).socket(...) are hooked. The
// ESM build (socket.io.esm.min.js) is wrapped on the Python side (page.route) with wrapLookup.
// A client bundled into the app's own scripts (webpack, vite: nothing global) is invisible here;
// the Python side's network events still report its traffic. The hook never throws into the page.
(function () {
  if (window.__sockfaultPage || location.protocol === 'chrome-error:') return;   // (Chromium's own error page)
  const core = window.sockfaultClientCore;
  const { safe, describeError, sizeOf } = core;
  // Names a socket emits locally (1.x/2.x Socket.emit passes these to the emitter, 3.x+ throws).
  const RESERVED = new Set(['connect', 'connect_error', 'connect_timeout', 'connecting', 'disconnect', 'disconnecting',
    'error', 'reconnect', 'reconnect_attempt', 'reconnect_error', 'reconnect_failed', 'reconnecting', 'ping', 'pong',
    'newListener', 'removeListener']);
  const sockets = [];                 // every hooked socket, in creation order
  const index = new WeakMap();        // socket -> its index in `sockets`
  const managers = new WeakSet();
  const engines = new WeakSet();
  let pending = [];                   // events before window.sockfaultOut exists
  let sink = null;
  let viaCommand = null;              // set while a sockfault command emits: {ack}
  let found = null;                   // how the client was found: 'window.io', 'esm', ...

  function deliver(ev) {
    try {
      const done = sink(ev);   // a promise: rejected when the page is going away, never unhandled
      if (done && typeof done.catch === 'function') done.catch(() => {});
    } catch (e) { /* the binding is gone (page closing) */ }
  }
  function flush() {
    if (pending === null) return;
    if (!sink && typeof window.sockfaultOut === 'function') sink = window.sockfaultOut;
    if (!sink) { setTimeout(flush, 10); return; }
    const queued = pending; pending = null;
    queued.forEach(deliver);
  }
  function out(ev) {
    if (window !== window.top) ev.frame = location.href;
    if (pending === null) { deliver(ev); return; }
    if (pending.length === 0) setTimeout(flush, 0);
    pending.push(ev);
    if (!sink && typeof window.sockfaultOut === 'function') flush();
  }
  function guarded(what, fn) {
    return function () {
      try { return fn.apply(this, arguments); } catch (e) { out({ event: 'hook_error', where: what, message: String(e && e.message) }); }
    };
  }

  function transportName(manager) {
    const e = manager && manager.engine;
    return e && e.transport ? e.transport.name : null;
  }

  function hookEngine(engine) {
    if (!engine || typeof engine.on !== 'function' || engines.has(engine)) return;
    engines.add(engine);
    let handshake = false;
    engine.on('handshake', guarded('handshake', (data) => { handshake = true; out(Object.assign({ event: 'handshake' }, safe(data, 2))); }));
    engine.on('open', guarded('open', () => {
      if (handshake) return;   // engine.io-client < 6 has no 'handshake' event: the engine holds the values
      handshake = true;
      out({ event: 'handshake', sid: engine.id, upgrades: safe(engine.upgrades, 1), pingInterval: engine.pingInterval,
        pingTimeout: engine.pingTimeout, maxPayload: engine.maxPayload, transport: engine.transport && engine.transport.name,
        fallback: true });
    }));
    engine.on('upgrade', guarded('upgrade', (t) => out({ event: 'upgrade',
      transport: (t && t.name) || (engine.transport && engine.transport.name) })));
    engine.on('upgradeError', guarded('upgradeError', (err) => out(Object.assign({ event: 'upgradeError' }, describeError(err)))));
  }

  function hookManager(manager) {
    if (!manager || typeof manager.on !== 'function' || managers.has(manager)) return;
    managers.add(manager);
    hookEngine(manager.engine);
    const open = manager.open;
    if (typeof open === 'function') {
      manager.open = manager.connect = function () {   // a new engine on every (re)connection
        const r = open.apply(this, arguments);
        try { hookEngine(this.engine); } catch (e) { /* ignore */ }
        return r;
      };
    }
    const socket = manager.socket;
    if (typeof socket === 'function') {
      manager.socket = function () { return hookSocket(socket.apply(this, arguments), 'manager.socket()'); };
    }
    // Every version emits these on the Manager (1.x/2.x also re-emit them on each socket).
    manager.on('reconnect_attempt', guarded('reconnect_attempt', (n) => out({ event: 'reconnect_attempt', attempt: safe(n, 1) })));
    manager.on('reconnect', guarded('reconnect', (n) => out({ event: 'reconnect', attempt: safe(n, 1) })));
    manager.on('reconnect_error', guarded('reconnect_error', (err) => out(Object.assign({ event: 'reconnect_error' }, describeError(err)))));
    manager.on('reconnect_failed', guarded('reconnect_failed', () => out({ event: 'reconnect_failed' })));
  }

  function report(socket, packet) {
    const data = (packet && packet.data) || [];
    const args = data.slice(1);
    const size = sizeOf(args);
    const ev = { event: 'event', name: safe(data[0], 1), size, socket: index.get(socket) };
    if (size <= 1024) ev.args = safe(args, 6);
    if (packet.id != null) ev.wants_ack = true;
    out(ev);
  }

  function hookSocket(socket, how) {
    if (!socket || typeof socket.on !== 'function' || index.has(socket)) return socket;
    const n = sockets.length;
    index.set(socket, n);
    sockets.push(socket);
    const manager = socket.io;
    try { hookManager(manager); } catch (e) { out({ event: 'hook_error', where: 'manager', message: String(e && e.message) }); }
    const opts = (manager && manager.opts) || {};
    // 4.x holds transport classes (their prototype's `name` getter says which), older versions names
    const transports = Array.isArray(opts.transports) ? opts.transports.map((t) => (typeof t === 'string' ? t
      : (t && t.prototype && typeof t.prototype.name === 'string' ? t.prototype.name : String(t && t.name)))) : undefined;
    out({ event: 'socket', socket: n, nsp: socket.nsp, how, url: safe(manager && manager.uri, 1), path: safe(opts.path, 1), transports });
    const tag = (ev) => { ev.socket = n; if (socket.nsp && socket.nsp !== '/') ev.nsp = socket.nsp; return ev; };
    socket.on('connect', guarded('connect', () => out(tag({ event: 'connect', id: socket.id, transport: transportName(socket.io) }))));
    socket.on('connect_error', guarded('connect_error', (err) => out(tag(Object.assign({ event: 'connect_error' }, describeError(err))))));
    socket.on('disconnect', guarded('disconnect', (reason, details) => {
      const ev = { event: 'disconnect', reason: typeof reason === 'string' ? reason : safe(reason, 2) };
      if (details !== undefined) ev.details = describeError(details);
      out(tag(ev));
    }));
    if (typeof socket.onAny !== 'function') {   // 1.x/2.x: timeouts, and server errors arrive as 'error'
      socket.on('connect_timeout', guarded('connect_timeout', (t) => out(tag({ event: 'connect_timeout', timeout: safe(t, 1) }))));
      socket.on('error', guarded('error', (err) => out(tag(Object.assign({ event: 'connect_error', source: 'error' }, describeError(err))))));
    }
    // Received events: every version's onpacket calls this.onevent(packet), so an own property
    // sees each EVENT packet (before the page's listeners; buffered ones too) without acking it.
    const onevent = socket.onevent;
    if (typeof onevent === 'function') {
      socket.onevent = function (packet) {
        try { report(socket, packet); } catch (e) { /* ignore */ }
        return onevent.apply(this, arguments);
      };
    }
    const emit = socket.emit;
    socket.emit = function (name) {
      try {
        if (typeof name === 'string' && !RESERVED.has(name)) {
          const args = Array.prototype.slice.call(arguments, 1);
          if (typeof args[args.length - 1] === 'function') args.pop();
          const ev = { event: 'emitted', name, size: sizeOf(args), socket: n, by: viaCommand ? 'sockfault' : 'page' };
          if (viaCommand && viaCommand.ack != null) ev.ack = viaCommand.ack;
          if (!socket.connected) ev.buffered = true;
          out(ev);
        }
      } catch (e) { /* ignore */ }
      return emit.apply(this, arguments);
    };
    return socket;
  }

  function wrapManager(Manager) {
    if (typeof Manager !== 'function') return Manager;
    const proxy = new Proxy(Manager, {
      construct(target, args, newTarget) {
        const m = Reflect.construct(target, args, newTarget === proxy ? target : newTarget);
        try { hookManager(m); } catch (e) { /* ignore */ }
        return m;
      },
      apply(target, self, args) {   // 1.x/2.x: Manager(uri) without new
        const m = Reflect.apply(target, self, args);
        try { if (m && typeof m === 'object') hookManager(m); } catch (e) { /* ignore */ }
        return m;
      },
    });
    return proxy;
  }

  const SKIP = new Set(['length', 'name', 'prototype', 'arguments', 'caller']);
  function wrapLookup(orig, how) {
    if (typeof orig !== 'function' || orig.__sockfaultOriginal) return orig;
    const io = function () { return hookSocket(orig.apply(this, arguments), 'io()'); };
    for (const k of Object.getOwnPropertyNames(orig)) {
      if (SKIP.has(k)) continue;
      try { io[k] = orig[k] === orig ? io : orig[k]; } catch (e) { /* ignore */ }
    }
    if (typeof orig.Manager === 'function') io.Manager = wrapManager(orig.Manager);
    Object.defineProperty(io, '__sockfaultOriginal', { value: orig });
    found = how;
    out({ event: 'hook', found: how, protocol: safe(orig.protocol, 1) });
    return io;
  }

  // window.io: the UMD bundles do `global.io = factory()` / `root["io"] = ...` / `g.io = f()`.
  let current;
  try {
    Object.defineProperty(window, 'io', {
      configurable: true, enumerable: true,
      get() { return current; },
      set(v) { current = guarded('window.io', wrapLookup)(v, 'window.io') || v; },
    });
  } catch (e) { /* the page's own property: nothing to hook */ }

  window.addEventListener('load', () => {
    if (found === null && sockets.length === 0 && window === window.top) {
      out({ event: 'hook', found: false, message: 'no socket.io-client global when the page loaded (a bundled client?): only the network events report' });
    }
  });

  function expand(v) {
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof v.$bytes === 'number') return 'x'.repeat(v.$bytes);
    return v;
  }

  // The sockets a command goes through: those of `nsp`, or else the page's first connected one.
  function chosen(nsp) {
    if (sockets.length === 0) throw new Error('no socket.io-client socket found in the page (' + (found ? 'found ' + found + ', no socket yet' : 'no global io: a bundled client is invisible to the hook') + ')');
    if (nsp != null) {
      const ofNsp = sockets.filter((s) => s.nsp === nsp);
      if (ofNsp.length === 0) throw new Error('no socket of namespace ' + JSON.stringify(nsp) + ' in the page');
      return ofNsp;
    }
    return [sockets.find((s) => s.connected) || sockets[0]];
  }

  // Commands from page_client.py (page.evaluate).
  function emitCmd(cmd) {
    const args = (cmd.args || []).map(expand);
    const targets = chosen(cmd.nsp);
    for (const socket of targets) {
      viaCommand = { ack: cmd.ack };
      try {
        if (cmd.ack != null) socket.emit(cmd.event, ...args, (...res) => out({ event: 'ack', ack: cmd.ack, args: safe(res, 6), socket: index.get(socket) }));
        else socket.emit(cmd.event, ...args);
      } finally { viaCommand = null; }
    }
    return targets.length;
  }

  function disconnectCmd() {
    const targets = sockets.slice();
    if (targets.length === 0) throw new Error('no socket.io-client socket found in the page (' + (found ? 'found ' + found + ', no socket yet' : 'no global io') + ')');
    for (const socket of targets) {
      if (typeof socket.disconnect === 'function') socket.disconnect(); else socket.close();
    }
    return targets.length;
  }

  function status() {
    return { found, sockets: sockets.map((s, i) => ({ socket: i, nsp: s.nsp, id: s.id, connected: !!s.connected, transport: transportName(s.io) })) };
  }

  Object.defineProperty(window, '__sockfaultPage', {
    value: Object.freeze({ emit: emitCmd, disconnect: disconnectCmd, status, wrapLookup }), enumerable: false,
  });
})();
