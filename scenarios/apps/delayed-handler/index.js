// The page's "Delayed event handler registration", as an ordinary app: the `connection` handler
// awaits a timer (standing in for a database call) and registers `hello` after it (ORDER=bad, the
// page's BAD) or before it (ORDER=good). The await lasts `?delay=<ms>` (the client's query; the
// scenarios give each client its own delay). `hello` acknowledges, so a lost packet is an
// emit that never got its ack. Works unchanged with socket.io 2.x and 4.x: NODE_PATH picks one.
const http = require('http');
const io = require('socket.io')(http.createServer().listen(Number(process.env.PORT || 3000)));

const ORDER = process.env.ORDER || 'bad';
const longRunningOperation = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function onHello(socket) {
  socket.on('hello', (n, ack) => {
    console.log(`hello ${n} handled (${socket.id})`);
    if (typeof ack === 'function') ack({ handled: n });
  });
}

io.on('connection', async (socket) => {
  const delay = Number(socket.handshake.query.delay || 0);
  if (ORDER === 'good') onHello(socket);
  await longRunningOperation(delay);
  if (ORDER !== 'good') onHello(socket);
});
