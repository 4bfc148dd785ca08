// An ordinary socket.io 2 app: the server made first, then io.listen(port). It knows nothing of sockfault.
const io = require('socket.io')({ pingTimeout: 4000 });

io.on('connection', (socket) => {
  socket.on('chat message', (msg) => io.emit('chat message', msg));
});

io.listen(Number(process.env.PORT || 3000));
