// A socket.io 4.8.1 server on Node's http2.createSecureServer, for `sockfault diagnose`'s HTTP/2 check:
//   node h2_server.js CERT KEY allowHTTP1(true|false)
// prints {"port": P} once listening on 127.0.0.1 (port 0); ends when stdin closes (its owner is gone).
const fs = require("fs");
const path = require("path");
const http2 = require("http2");
const { Server } = require(path.join(__dirname, "..", "..", "harness", "peers", "node", "node_modules", "sio-4.8.1"));

const [cert, key, allow] = process.argv.slice(2);
const server = http2.createSecureServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key),
                                          allowHTTP1: allow === "true" });
new Server(server);
server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ port: server.address().port })));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
