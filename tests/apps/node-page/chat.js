// The page's own chat code, shared by the three pages: startChat(io) with whatever io they got.
window.startChat = function (io) {
  const socket = io();
  const form = document.getElementById('form');
  const input = document.getElementById('m');
  const status = document.getElementById('status');
  socket.on('connect', () => { status.textContent = 'online'; });
  socket.on('disconnect', () => { status.textContent = 'offline'; });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (input.value) { socket.emit('chat message', input.value); input.value = ''; }
  });
  socket.on('chat message', (msg) => {
    const item = document.createElement('li');
    item.textContent = msg;
    document.getElementById('messages').appendChild(item);
  });
};
