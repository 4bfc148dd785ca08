'use strict';
// N socket.io-client 4.8.1 sockets in one Node process (a peer per socket would be N processes): each
// connects, emits one ack'd event, and the process prints a summary line every second and at the end:
// {"t","connected","polling","websocket","upgrades","acks","disconnects","reconnects","errors"}.
// usage: NODE_PATH=harness/peers/node/node_modules node benchmarks/load/clients.js URL N SECONDS [websocket]
const io = require('sioc-4.8.1');
const [url, n, seconds, only] = [process.argv[2], +process.argv[3], +process.argv[4], process.argv[5]];
const t0 = Date.now();
const stats = { connected: 0, upgrades: 0, acks: 0, disconnects: 0, reconnects: 0, errors: 0, reasons: {} };
const sockets = [];
for (let i = 0; i < n; i++) {
  const s = io(url, { forceNew: true, transports: only ? [only] : ['polling', 'websocket'],
    reconnectionDelay: 200, reconnectionDelayMax: 1000, randomizationFactor: 0.5, timeout: 20000 });
  s.on('connect', () => {
    stats.connected++;
    s.io.engine.once('upgrade', () => stats.upgrades++);
    s.emit('echo', i, () => stats.acks++);
  });
  s.on('disconnect', (r) => { stats.disconnects++; stats.connected--; stats.reasons[r] = (stats.reasons[r] || 0) + 1; });
  s.io.on('reconnect', () => stats.reconnects++);
  s.on('connect_error', () => stats.errors++);
  sockets.push(s);
}
function report(final) {
  let polling = 0, websocket = 0;
  for (const s of sockets) {
    const t = s.io.engine && s.io.engine.transport && s.connected ? s.io.engine.transport.name : null;
    if (t === 'polling') polling++; else if (t === 'websocket') websocket++;
  }
  console.log(JSON.stringify(Object.assign({ t: Date.now() - t0, final: !!final, polling, websocket }, stats)));
}
const tick = setInterval(report, 1000);
setTimeout(() => { clearInterval(tick); report(true); for (const s of sockets) s.close(); setTimeout(() => process.exit(0), 200); },
  seconds * 1000);
