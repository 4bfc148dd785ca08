// An ordinary ESM app: `import { Server } from "socket.io"`, options in the constructor,
// a namespace of its own, acks. It knows nothing of sockfault.
import { createServer } from "node:http";
import { Server } from "socket.io";

const httpServer = createServer((req, res) => { res.writeHead(200); res.end("ok"); });
const io = new Server(httpServer, { pingInterval: 20000, pingTimeout: 10000, maxHttpBufferSize: 5000 });

io.of("/orders").on("connection", (socket) => {
  socket.on("order", (item, ack) => ack && ack({ accepted: item }));
});
io.on("connection", (socket) => {
  socket.on("ping-me", () => socket.emit("pong-you", Date.now()));
});

httpServer.listen(Number(process.env.PORT || 3000), "127.0.0.1");
