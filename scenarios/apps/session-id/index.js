// The page's advice on `socket.id`, as an ordinary socket.io 4.x app: it identifies users by a
// session id the client sends in `auth` (the page keeps it in localStorage), never by socket.id.
// On connection it tells the client both ids (`welcome`). When a socket goes away it sends a
// message to that socket's id, the way an app that stored socket.id would: without connection
// state recovery nobody gets it; with recovery the server keeps it for the restored session.
// Serves / (index.html: the page, with socket.io's own /socket.io/socket.io.js).
const fs = require('fs');
const http = require('http');
const path = require('path');

const server = http.createServer((req, res) => {
  if (req.url.split('?')[0] === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(fs.readFileSync(path.join(__dirname, 'index.html')));
  } else {
    res.writeHead(404);
    res.end();
  }
});
const io = require('socket.io')(server);

io.on('connection', (socket) => {
  const session = (socket.handshake.auth && socket.handshake.auth.sessionId) || null;
  console.log(`connection ${socket.id} session ${session} recovered ${!!socket.recovered}`);
  socket.emit('welcome', { session, id: socket.id, recovered: !!socket.recovered });
  socket.on('disconnect', (reason) => {
    const oldId = socket.id;
    console.log(`disconnect ${oldId} (${reason}): sending 'to-old-id' to ${oldId}`);
    io.to(oldId).emit('to-old-id', { to: oldId });
  });
});

server.listen(Number(process.env.PORT || 3000), '127.0.0.1');
