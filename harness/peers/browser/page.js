'use strict';
// The client half of docs/peer-protocol.md, inside a real browser page. The Python side
// (client.py) calls window.sockfault.<cmd>(cmd) with page.evaluate and receives every event
// through the exposed function window.sockfaultOut(event). The socket.io part is
// harness/peers/node/_client_core.js, the same code the Node client runner uses.
(function () {
  const major = parseInt(window.SOCKFAULT_VERSION || '4', 10);
  const lookup = window.io;
  const out = (ev) => { window.sockfaultOut(ev); };
  const client = window.sockfaultClientCore.createClient(lookup, major, out);

  // A real page setInterval that emits (wire-facts: "a page that also emits from setInterval"):
  // created from a command, so its first tick has nesting level 1 and each later tick one more.
  let ticker = null;
  function emitEvery(cmd) {
    if (ticker !== null) { clearInterval(ticker); ticker = null; }
    if (cmd.off) { out({ event: 'emit_every', on: false }); return; }
    const name = cmd.event || 'tick';
    const ms = Number(cmd.interval_ms);
    if (!(ms > 0)) throw new Error('emit_every needs interval_ms > 0 (or off: true)');
    let n = 0;
    ticker = setInterval(() => { const socket = client.socket(); if (socket) socket.emit(name, ...(cmd.args || []), n++); }, ms);
    out({ event: 'emit_every', on: true, name, interval_ms: ms });
  }

  // The timer shim (timers.js, installed before the bundle) switched on/off.
  function throttle(cmd) {
    const shim = window.__sockfaultTimers;
    if (!shim) throw new Error('the timer shim is not installed');
    if (cmd.off) { out(Object.assign({ event: 'throttle', on: false }, shim.unthrottle())); return; }
    const wake = cmd.wake_ms === undefined ? 1000 : Number(cmd.wake_ms);
    const intensive = cmd.intensive_ms === undefined ? 60000 : Number(cmd.intensive_ms);
    if (!(wake >= 0) || !(intensive >= 0)) throw new Error('throttle needs wake_ms >= 0 and intensive_ms >= 0');
    out(Object.assign({ event: 'throttle', on: true, wake_ms: wake, intensive_ms: intensive }, shim.throttle(wake, intensive)));
  }

  // What the shim holds now: for tests and post-mortems.
  function timers() {
    const shim = window.__sockfaultTimers;
    if (!shim) throw new Error('the timer shim is not installed');
    out({ event: 'timers', throttled: shim.throttled, pending: shim.pending() });
  }

  function stop() {
    try { if (ticker !== null) clearInterval(ticker); ticker = null; } catch (e) { /* ignore */ }
    client.close();
  }

  window.addEventListener('error', (e) => out({ event: 'error', cmd: null, message: String(e.message) }));
  window.addEventListener('unhandledrejection', (e) => out({ event: 'error', cmd: null, message: String(e.reason) }));
  window.sockfault = { connect: client.connect, emit: client.emit, disconnect: client.disconnect, stop, throttle,
    emit_every: emitEvery, timers, ready: typeof lookup === 'function' };
})();
