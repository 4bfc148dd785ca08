// An ordinary Express + socket.io chat app with express-status-monitor beside it, as its users
// wire it: one http.Server for Express and socket.io. By default the status monitor creates its
// own socket.io (its dependency: socket.io 2.x) on that server, at the same default path
// /socket.io/, on the first request that reaches Express. SHARE_IO=1 is the package's documented
// fix: `statusMonitor({ websocket: io })`. APP_SOCKETIO=2 makes the app itself a socket.io 2.x
// app (the era of the troubleshooting page); the default is socket.io 4.x.
const http = require('http');
const express = require('express');

const app = express();
const server = http.createServer(app);
const io = process.env.APP_SOCKETIO === '2'
  ? require('socket.io-v2')(server)
  : new (require('socket.io').Server)(server);
const statusMonitor = require('express-status-monitor');   // brings its own socket.io 2.x

app.use(statusMonitor(process.env.SHARE_IO === '1' ? { websocket: io } : {}));
app.get('/', (req, res) => res.send('<!doctype html><title>app</title><p>hello</p>'));

io.on('connection', (socket) => {
  console.log(`app connection ${socket.id} over ${socket.conn.transport.name}`);
  socket.emit('welcome', { from: 'app' });
  socket.on('chat', (text) => io.emit('chat', text));
});

const port = Number(process.env.PORT || 3000);
server.listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
