'use strict';
// The stdin/stdout JSON-lines plumbing both Node runners share (docs/peer-protocol.md):
// the package an alias names, event output, and the command loop.
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const { sizeOf, safe, hasBinary } = require('./_client_core');

function loadAlias(alias) {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, 'node_modules', alias, 'package.json'), 'utf8'));
  return { pkg, major: parseInt(pkg.version, 10), mod: require(alias) };
}

// `mono`: when the event happened, in ms of CLOCK_MONOTONIC (process.hrtime, the clock of Python's
// time.monotonic): the runner times the event by it, not by when it read the line (a loaded runner
// reads a line hundreds of ms late)
function out(obj) {
  let line;
  try { line = JSON.stringify(obj); } catch (e) { line = JSON.stringify({ event: 'error', cmd: null, message: 'unserialisable event ' + obj.event }); }
  const mono = Number(process.hrtime.bigint()) / 1e6;
  process.stdout.write(line.slice(0, -1) + ',"mono":' + mono.toFixed(3) + '}\n');
}


// One command per line; a failing or unknown command answers an error event and the peer
// keeps running; stdin closing means stop.
function serve(commands, stop) {
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (!line.trim()) return;
    let cmd;
    try { cmd = JSON.parse(line); } catch (e) { out({ event: 'error', cmd: null, message: 'bad json: ' + e.message }); return; }
    const fn = commands[cmd.cmd];
    if (!fn) { out({ event: 'error', cmd: cmd.cmd, message: 'unknown command' }); return; }
    try { fn(cmd); } catch (e) { out({ event: 'error', cmd: cmd.cmd, message: String(e && e.message) }); }
  });
  rl.on('close', stop);
  process.on('uncaughtException', (e) => out({ event: 'error', cmd: null, message: String(e && e.stack || e) }));
  process.on('unhandledRejection', (e) => out({ event: 'error', cmd: null, message: String(e && e.stack || e) }));
}

module.exports = { loadAlias, out, sizeOf, safe, hasBinary, serve };
