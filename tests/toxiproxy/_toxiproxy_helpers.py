"""Shared test helpers: threaded TCP peers and socket utilities."""

from __future__ import annotations

import socket
import threading
from typing import Callable


class Peer:
    """A threaded TCP server on 127.0.0.1:0 running `handle(conn)` per connection."""

    def __init__(self, handle: Callable[[socket.socket], None]):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1024)
        self.port = self.sock.getsockname()[1]
        self.addr = f"127.0.0.1:{self.port}"
        self.handle = handle
        self.conns: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        try:
            self.handle(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)   # wakes the blocked accept()
        except OSError:
            pass
        self.sock.close()
        self._thread.join(2)
        for conn in self.conns:
            try:
                conn.close()
            except OSError:
                pass


def echo_handler(conn: socket.socket) -> None:
    while data := conn.recv(1 << 16):
        conn.sendall(data)


def listen_addr(proxy) -> tuple[str, int]:
    listen = proxy["listen"] if isinstance(proxy, dict) else proxy.listen
    host, _, port = listen.rpartition(":")
    return host, int(port)


def recv_exactly(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        data = sock.recv(n - len(buf))
        if not data:
            break
        buf += data
    return bytes(buf)


class FakeLink:
    """A toxiproxy link that records the faults' calls instead of proxying (unit tests of faults)."""

    kind = "toxiproxy"

    def __init__(self):
        self.calls = []

    async def add_toxic(self, type, stream, attributes, toxicity, name):
        self.calls.append(("add", type, stream, attributes, toxicity, name))
        return name

    async def remove_toxic(self, name):
        self.calls.append(("remove", name))

    async def disable(self):
        self.calls.append(("disable",))

    async def enable(self):
        self.calls.append(("enable",))
