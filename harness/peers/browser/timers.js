'use strict';
// A deterministic model of Chromium's background-tab timer throttling (wire-facts.md, "Browser
// timer throttling"). Installed as an init script, i.e. before the socket.io bundle, because
// engine.io-client captures setTimeout/setInterval when it loads. Dormant until throttle() is
// called: until then every timer fires when it is due (with the HTML 4 ms clamp from nesting
// level 5, as the page would have without the shim).
//
// Nesting level (as Chromium counts it): a timer created outside any timer callback (a network
// event, a page script, a command) has level 1; one created inside a timer callback gets the
// callback's level + 1; every further tick of a setInterval counts one level deeper. While
// throttled, a timer of level < 5 fires on the first point of a `wake_ms` grid at or after it
// is due, one of level >= 5 on the `intensive_ms` grid; both grids start when throttling starts.
// Due timers run one per task (a MessageChannel task), earliest due first, so microtasks and
// network events interleave as they would between Chromium's timer tasks.
// Approximation: Chromium keeps a callback's nesting level for its whole microtask checkpoint;
// here it is reset by a microtask queued after the callback, so a timer created from a promise
// continuation chained more than one step after a timer callback counts as level 1.
(function () {
  const W = window;
  const nativeSet = W.setTimeout.bind(W);
  const nativeClear = W.clearTimeout.bind(W);
  const now = () => performance.now();
  const HIGH = 5;

  const pending = new Map(); // id -> {id, seq, fn, args, delay, level, repeat, due, at}
  let nextId = 1;
  let seq = 0;
  let current = 0;           // nesting level of the timer callback running now (0: none)
  let policy = null;         // {wake_ms, intensive_ms, since}
  let armed = null;          // {at, handle} of the one native timer
  let stats = null;
  const channel = new MessageChannel();
  channel.port1.onmessage = () => dispatch();

  function fireAt(t) {
    if (!policy) return t.due;
    const grid = t.level >= HIGH ? policy.intensive_ms : policy.wake_ms;
    if (!(grid > 0) || t.due <= policy.since) return Math.max(t.due, policy.since);
    return policy.since + Math.ceil((t.due - policy.since) / grid - 1e-9) * grid;
  }

  function place(t) {
    t.at = fireAt(t);
    t.seq = ++seq;
    pending.set(t.id, t);
  }

  function schedule() {
    let next = null;
    for (const t of pending.values()) if (next === null || t.at < next) next = t.at;
    if (armed && armed.at === next) return;
    if (armed) nativeClear(armed.handle);
    armed = null;
    if (next === null) return;
    armed = { at: next, handle: nativeSet(() => { armed = null; dispatch(); }, Math.max(0, Math.ceil(next - now()))) };
  }

  function dispatch() {
    const t0 = now();
    let best = null;
    for (const t of pending.values()) {
      if (t.at > t0 + 0.5) continue;
      if (best === null || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    if (best === null) { schedule(); return; }
    run(best, t0);
    for (const t of pending.values()) if (t.at <= now() + 0.5) { channel.port2.postMessage(0); return; }
    schedule();
  }

  function run(t, t0) {
    if (stats && t0 - t.due > 1) {
      stats.delayed += 1;
      stats.max_delay_ms = Math.max(stats.max_delay_ms, Math.round(t0 - t.due));
      if (t.level >= HIGH) stats.intensive += 1;
    }
    const level = t.level;
    if (t.repeat) { // the next tick: one level deeper, due one interval after this run
      t.level += 1;
      t.due = t0 + clamp(t.delay, t.level, true);
      place(t);
    } else {
      pending.delete(t.id);
    }
    current = level;
    try {
      t.fn.apply(W, t.args);
    } catch (e) {
      nativeSet(() => { throw e; }, 0); // reported like an uncaught timer error, dispatch goes on
    } finally {
      queueMicrotask(() => { if (current === level) current = 0; });
    }
  }

  function clamp(delay, level, repeat) {
    let d = Number(delay) || 0;
    if (d < 0) d = 0;
    if (level >= HIGH && d < 4) d = 4;
    if (repeat && d < 1) d = 1;
    return d;
  }

  function add(fn, delay, args, repeat) {
    if (typeof fn !== 'function') { const code = String(fn); fn = () => (0, eval)(code); }
    const level = current + 1;
    const t = { id: nextId++, fn, args, delay, level, repeat, due: now() + clamp(delay, level, repeat) };
    place(t);
    schedule();
    return t.id;
  }

  function clear(id) {
    if (pending.delete(Number(id))) schedule();
  }

  W.setTimeout = function setTimeout(fn, delay, ...args) { return add(fn, delay, args, false); };
  W.setInterval = function setInterval(fn, delay, ...args) { return add(fn, delay, args, true); };
  W.clearTimeout = function clearTimeout(id) { clear(id); };
  W.clearInterval = function clearInterval(id) { clear(id); };

  function realign() {
    for (const t of Array.from(pending.values())) place(t);
    schedule();
  }

  W.__sockfaultTimers = {
    throttle(wake_ms, intensive_ms) {
      policy = { wake_ms: Number(wake_ms), intensive_ms: Number(intensive_ms), since: now() };
      stats = { delayed: 0, intensive: 0, max_delay_ms: 0 };
      realign();
      return { pending: pending.size };
    },
    unthrottle() {
      const was = stats;
      policy = null;
      stats = null;
      realign();
      return Object.assign({ pending: pending.size }, was || {});
    },
    get throttled() { return policy !== null; },
    get level() { return current; },
    pending() {
      return Array.from(pending.values()).map((t) => ({ level: t.level, delay: t.delay, repeat: t.repeat,
        due_in_ms: Math.round(t.due - now()), fires_in_ms: Math.round(t.at - now()) }));
    },
  };
})();
