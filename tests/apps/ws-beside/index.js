// An ordinary socket.io 4 app with a second WebSocket endpoint, a plain `ws` server, on the same
// http.Server. WS_MODE picks how the ws server is attached:
//   server   (default) `new WebSocketServer({ server })`: the common mistake, no path: it answers
//            every upgrade on the server, socket.io's included
//   path     `new WebSocketServer({ server, path: '/ws' })`: ws answers 400 to any other path
//   noserver `new WebSocketServer({ noServer: true })` + one 'upgrade' listener routing /ws to it
//            (ws's README, "Multiple servers sharing a single HTTP/S server"): socket.io keeps its own
const http = require('http');
const { Server } = require('socket.io');
const { WebSocketServer } = require('ws');

const mode = process.env.WS_MODE || 'server';
const PAGE = `<!doctype html><title>app</title><p id="status">offline</p>
<script src="/socket.io/socket.io.js"></script>
<script>
  const socket = io();
  socket.on('connect', () => { document.getElementById('status').textContent = 'online'; });
  socket.on('welcome', () => console.log('welcome'));
</script>`;
const server = http.createServer((req, res) => {
  if (req.url === '/') { res.setHeader('content-type', 'text/html'); res.end(PAGE); return; }
  res.end('ok\n');
});
const io = new Server(server);

let wss;
if (mode === 'noserver') {
  wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (req.url.split('?')[0] === '/ws') {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    }   // anything else is socket.io's (engine.io has its own 'upgrade' listener)
  });
} else if (mode === 'path') {
  wss = new WebSocketServer({ server, path: '/ws' });
} else {
  wss = new WebSocketServer({ server });
}
wss.on('connection', (ws, req) => {
  console.log(`ws connection at ${req.url}`);
  ws.on('error', console.error);   // as in every example of ws's README
  ws.send('hello from ws');
  ws.on('message', (data) => ws.send(`echo ${data}`));
});

io.on('connection', (socket) => {
  console.log(`socket.io connection ${socket.id} over ${socket.conn.transport.name}`);
  socket.conn.on('upgrade', (t) => console.log(`socket.io upgraded ${socket.id} to ${t.name}`));
  socket.emit('welcome', { from: 'app' });
  socket.on('chat', (text, ack) => { if (typeof ack === 'function') ack(text); });
});

const port = Number(process.env.PORT || 3000);
server.listen(port, '127.0.0.1', () => console.log(`listening on ${port} (ws mode ${mode})`));
