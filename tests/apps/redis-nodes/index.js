// One node of a multi-node socket.io 4.x deployment, as socket.io's "Using multiple nodes" guide
// wires it: with REDIS_URL, @socket.io/redis-adapter relays every broadcast through redis to the
// other nodes; without it the default in-memory adapter reaches only this node's clients.
const http = require('http');
const { Server } = require('socket.io');

const server = http.createServer();
const io = new Server(server);
const port = Number(process.env.PORT || 3000);

io.on('connection', (socket) => {
  socket.emit('welcome', { pid: process.pid });
  socket.on('chat', (text) => io.emit('chat', text));   // to everyone, on every node
});

async function main() {
  if (process.env.REDIS_URL) {
    const { createClient } = require('redis');
    const { createAdapter } = require('@socket.io/redis-adapter');
    const pubClient = createClient({ url: process.env.REDIS_URL });
    const subClient = pubClient.duplicate();
    for (const client of [pubClient, subClient]) client.on('error', (err) => console.error('redis:', err.message));
    await Promise.all([pubClient.connect(), subClient.connect()]);
    io.adapter(createAdapter(pubClient, subClient));
    console.log(`redis adapter on ${process.env.REDIS_URL}`);
  }
  server.listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
}

main().catch((err) => { console.error(err); process.exit(1); });
