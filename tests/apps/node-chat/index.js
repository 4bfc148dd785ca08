// An ordinary chat app: Express serves the page, socket.io relays messages. It knows nothing
// of sockfault; CHAT_RECOVERY=1 turns on connection state recovery, CHAT_DEFLATE=1 websocket
// compression (permessage-deflate), as a user would in code.
const path = require('path');
const http = require('http');
const express = require('express');
const { Server } = require('socket.io');

const app = express();
const server = http.createServer(app);
const io = new Server(server, {
  pingInterval: 10000,
  pingTimeout: 5000,
  connectionStateRecovery: process.env.CHAT_RECOVERY === '1' ? { maxDisconnectionDuration: 60000 } : undefined,
  perMessageDeflate: process.env.CHAT_DEFLATE === '1' ? { threshold: 1024 } : undefined,
});

app.use(express.static(path.join(__dirname, 'public')));
app.get('/health', (req, res) => res.json({ ok: true }));

let users = 0;
io.on('connection', (socket) => {
  users += 1;
  console.log(`user connected (${users} online)`);
  socket.on('chat message', (msg, ack) => {
    io.emit('chat message', msg);
    if (typeof ack === 'function') ack({ ok: true });
  });
  socket.on('disconnect', (reason) => {
    users -= 1;
    console.log(`user disconnected: ${reason}`);
  });
});

const port = process.env.PORT || 3000;
server.listen(port, () => console.log(`listening on *:${port}`));
