"""Shared by the fuzz targets: the example count (SOCKFAULT_FUZZ_EXAMPLES for a long run) and a
hang guard that turns a stuck call into a test failure instead of a stalled suite, and an echo upstream."""

from __future__ import annotations

import os
import signal
import socket
import threading
from contextlib import contextmanager

EXAMPLES = int(os.environ.get("SOCKFAULT_FUZZ_EXAMPLES", "200"))


class Hang(Exception):
    pass


@contextmanager
def hang_guard(seconds: float):
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(*_):
        raise Hang(f"still running after {seconds} s")
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Echo:
    """A threaded echo server; after the client's EOF it sends what is left and closes."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=1024)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._echo, args=(conn,), daemon=True).start()

    @staticmethod
    def _echo(conn):
        with conn:
            try:
                while data := conn.recv(65536):
                    conn.sendall(data)
            except OSError:
                pass
