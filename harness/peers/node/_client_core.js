'use strict';
// The client half of docs/peer-protocol.md, shared by the Node runner (client.js) and the
// browser page (../browser/page.js): io(url, options) wrapped so that every socket.io-client
// version, 1.x to 4.x, reports the same events. Loads as a CommonJS module or a page script.
(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.sockfaultClientCore = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  function sizeOf(args) { try { return JSON.stringify(args).length; } catch (e) { return -1; } }

  // JSON-safe copy: no functions, no cycles, bounded depth; Errors become {name, message, ...}.
  function safe(v, depth = 3, seen = new WeakSet()) {
    if (v === null || v === undefined) return v;
    const t = typeof v;
    if (t === 'number' || t === 'string' || t === 'boolean') return v;
    if (t === 'function' || t === 'symbol' || t === 'bigint') return undefined;
    if (seen.has(v)) return undefined;
    seen.add(v);
    if (v instanceof Error) {
      const e = { name: v.name, message: v.message };
      for (const k of ['code', 'type', 'description', 'status']) if (v[k] !== undefined) e[k] = safe(v[k], depth - 1, seen);
      return e;
    }
    if (typeof Buffer !== 'undefined' && Buffer.isBuffer(v)) return { $buffer: v.length };
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return { $buffer: v.byteLength };
    if (depth <= 0) return '[' + ((v.constructor && v.constructor.name) || 'object') + ']';
    if (Array.isArray(v)) return v.slice(0, 50).map((x) => safe(x, depth - 1, seen));
    const o = {};
    for (const k of Object.keys(v).slice(0, 50)) {
      if (k.startsWith('_')) continue;
      const x = safe(v[k], depth - 1, seen);
      if (x !== undefined) o[k] = x;
    }
    return o;
  }

  function describeError(err) {
    const ev = {};
    if (err && typeof err === 'object') { if (err.message !== undefined) ev.message = String(err.message); } else ev.message = String(err);
    if (err && typeof err === 'object') {
      const d = err.description;
      if (typeof d === 'number' || typeof d === 'string') ev.description = d;
      else if (d instanceof Error) ev.description = d.message;
      else if (typeof Event !== 'undefined' && d instanceof Event) ev.description = d.type; // a browser WebSocket 'error' Event
      else if (d && typeof d === 'object') ev.description = d.message !== undefined ? String(d.message) : safe(d, 2);
      if (err.type !== undefined) ev.type = safe(err.type, 1);
      if (err.data !== undefined) ev.data = safe(err.data, 3);
      const c = err.context;
      if (c && typeof c === 'object' && c.status !== undefined) { // the XMLHttpRequest
        ev.context = { status: c.status, responseText: typeof c.responseText === 'string' ? c.responseText.slice(0, 300) : undefined };
      } else if (c && typeof c === 'object' && c.code !== undefined) { // the CloseEvent of the websocket
        ev.context = { code: c.code, reason: typeof c.reason === 'string' ? c.reason : undefined };
      }
    }
    return ev;
  }

  // {$bytes: n}: a string of n "x"; {$binary: n}: n bytes of 0xab (a Buffer in Node, a Uint8Array in a page)
  function expand(v) {
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof v.$bytes === 'number') {
      return 'x'.repeat(v.$bytes);
    }
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof v.$binary === 'number') {
      return typeof Buffer !== 'undefined' ? Buffer.alloc(v.$binary, 0xab) : new Uint8Array(v.$binary).fill(0xab);
    }
    return v;
  }

  function hasBinary(v, depth = 4) {
    if (v === null || typeof v !== 'object' || depth < 0) return false;
    if ((typeof Buffer !== 'undefined' && Buffer.isBuffer(v)) || v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return true;
    return Object.values(v).some((x) => hasBinary(x, depth - 1));
  }

  // lookup: the version's io(); major: its major version; out(event): where events go.
  function createClient(lookup, major, out) {
    let socket = null;
    let manager = null;
    const hooked = new WeakSet();
    let handshakeSeen = null;

    function hookEngine(engine) {
      if (!engine || hooked.has(engine)) return;
      hooked.add(engine);
      engine.on('handshake', (data) => { handshakeSeen = engine; out(Object.assign({ event: 'handshake' }, safe(data, 2))); });
      engine.on('open', () => {
        if (handshakeSeen === engine) return;
        handshakeSeen = engine;
        out({ event: 'handshake', sid: engine.id, upgrades: engine.upgrades, pingInterval: engine.pingInterval,
          pingTimeout: engine.pingTimeout, maxPayload: engine.maxPayload, fallback: true });
      });
      engine.on('upgrade', (t) => out({ event: 'upgrade', transport: (t && t.name) || (engine.transport && engine.transport.name) }));
      engine.on('upgradeError', (err) => out(Object.assign({ event: 'upgradeError' }, describeError(err))));
      // Engine.IO 4 (clients 3.x+): a ping from the server restarts the client's deadline, which
      // `disconnect: {from: last_ping}` times from; older clients send the pings themselves
      if (major >= 3) engine.on('ping', () => out({ event: 'ping' }));
    }

    function transportName() {
      const e = manager && manager.engine;
      return e && e.transport ? e.transport.name : null;
    }

    function report(name, args) {
      args = args.slice();
      const ackFn = typeof args[args.length - 1] === 'function' ? args.pop() : null;
      const size = sizeOf(args);
      const ev = { event: 'event', name, size };
      if (size <= 1024) ev.args = safe(args, 6);
      out(ev);
      if (ackFn) ackFn({ name, size });
    }

    function connect(cmd) {
      if (socket && socket.connected) throw new Error('already connected; send disconnect first');
      if (socket) { // a previous, failed or closed, connection: silence it and start afresh
        try { socket.close(); } catch (e) { /* ignore */ }
        try { socket.off(); if (manager) manager.off(); } catch (e) { /* ignore */ }
      }
      socket = lookup(cmd.url, Object.assign({}, cmd.options || {}));
      manager = socket.io;
      hookEngine(manager.engine);
      const origOpen = manager.open;
      manager.open = manager.connect = function (...a) {
        const r = origOpen.apply(this, a);
        hookEngine(this.engine);
        return r;
      };
      socket.on('connect', () => out({ event: 'connect', id: socket.id, transport: transportName() }));
      socket.on('connect_error', (err) => out(Object.assign({ event: 'connect_error' }, describeError(err))));
      socket.on('disconnect', (reason, details) => {
        const ev = { event: 'disconnect', reason: typeof reason === 'string' ? reason : safe(reason, 2) };
        if (details !== undefined) ev.details = describeError(details);
        out(ev);
      });
      const rsrc = major >= 3 ? manager : socket;   // v1/v2 emit reconnect_* on the socket, v3+ on the Manager
      if (major < 3) {
        socket.on('connect_timeout', (t) => out({ event: 'connect_timeout', timeout: safe(t, 1) }));
        // v1/v2: errors from the server (middleware, namespace) arrive as 'error'
        socket.on('error', (err) => out(Object.assign({ event: 'connect_error', source: 'error' }, describeError(err))));
      }
      rsrc.on('reconnect_attempt', (n) => out({ event: 'reconnect_attempt', attempt: n }));
      rsrc.on('reconnect', (n) => out({ event: 'reconnect', attempt: n }));
      rsrc.on('reconnect_error', (err) => out(Object.assign({ event: 'reconnect_error' }, describeError(err))));
      rsrc.on('reconnect_failed', () => out({ event: 'reconnect_failed' }));
      if (typeof socket.onAny === 'function') {
        socket.onAny((name, ...args) => report(name, args));
      } else {
        const orig = socket.onevent;
        socket.onevent = function (packet) {
          const data = packet.data || [];
          if (packet.id == null) report(data[0], data.slice(1));
          else report(data[0], data.slice(1).concat([this.ack(packet.id)]));
          // ack already sent above; hand the original a copy without an id so it does not ack twice
          return orig.call(this, Object.assign({}, packet, { id: undefined, data: data.slice() }));
        };
      }
    }

    function emit(cmd) {
      if (!socket) throw new Error('not connected');
      const args = (cmd.args || []).map(expand);
      const size = sizeOf(args);
      if (cmd.ack != null) {
        socket.emit(cmd.event, ...args, (...res) => out({ event: 'ack', ack: cmd.ack, args: safe(res, 6) }));
      } else {
        socket.emit(cmd.event, ...args);
      }
      out({ event: 'emitted', ack: cmd.ack, name: cmd.event, size });
    }

    function disconnect() {
      if (socket) (socket.close ? socket.close() : socket.disconnect());
    }

    function close() {
      try { disconnect(); } catch (e) { /* ignore */ }
      try { if (manager && manager.engine) manager.engine.close(); } catch (e) { /* ignore */ }
    }

    return { connect, emit, disconnect, close, socket: () => socket };
  }

  return { sizeOf, safe, hasBinary, describeError, createClient };
});
