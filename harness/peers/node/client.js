'use strict';
// JSON-lines peer runner for a Socket.IO client (1.x-4.x), see docs/peer-protocol.md.
// usage: node client.js sioc-4.8.1
const { loadAlias, out, serve } = require('./_jsonlines');
const { createClient } = require('./_client_core');

const alias = process.argv[2] || 'sioc-4.8.1';
const { pkg, major, mod } = loadAlias(alias);
const lookup = typeof mod === 'function' ? mod : (mod.io || mod.default);
const client = createClient(lookup, major, out);

out({ event: 'hello', role: 'client', impl: 'socket.io-client', version: pkg.version, alias, pid: process.pid });

function stop() {
  client.close();
  process.stdout.write(JSON.stringify({ event: 'stopped' }) + '\n', () => process.exit(0));
}

serve({ connect: client.connect, emit: client.emit, disconnect: client.disconnect, stop }, stop);
