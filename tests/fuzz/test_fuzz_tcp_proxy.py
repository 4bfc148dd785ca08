"""The Toxiproxy-compatible TCP proxy under hostile clients: arbitrary bytes come back unchanged
through an echo upstream (with and without a toxic), and half-open, slowloris, reset and refused
connections never stop it serving the next client. The API port is fed garbage too."""

from __future__ import annotations

import re
import socket
import struct
import time

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proxies.toxiproxy import ToxiproxyServer

from _fuzz_helpers import EXAMPLES, Echo, hang_guard

FUZZ = settings(max_examples=EXAMPLES, deadline=5000, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def tcp():
    echo = Echo()
    server = ToxiproxyServer("127.0.0.1", 0, seed=3).start()
    s = requests.Session()
    for name, upstream in (("plain", echo.port), ("sliced", echo.port), ("refused", _closed_port())):
        r = s.post(server.url + "/proxies", json={"name": name, "listen": "127.0.0.1:0",
                                                  "upstream": f"127.0.0.1:{upstream}"})
        assert r.status_code == 201, r.text
    r = s.post(server.url + "/proxies/sliced/toxics",
               json={"type": "slicer", "attributes": {"average_size": 64, "size_variation": 16}})
    assert r.status_code == 200, r.text
    ports = {name: int(p["listen"].rsplit(":", 1)[1]) for name, p in s.get(server.url + "/proxies").json().items()}
    yield server, ports
    s.close()
    server.stop()
    echo.sock.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _roundtrip(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Send data and read as many bytes back. (Not a half-close: a client's EOF makes the proxy
    close the upstream side fully, as Toxiproxy does, so what is still in flight back is lost.)"""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as c:
        c.sendall(data)
        return _recv_n(c, len(data), timeout)


def _serves(port: int) -> float:
    started = time.monotonic()
    assert _roundtrip(port, b"still here") == b"still here"
    return time.monotonic() - started


@FUZZ
@given(st.binary(max_size=4096) | st.binary(max_size=16).map(lambda b: b * 500), st.sampled_from(["plain", "sliced"]))
def test_arbitrary_bytes_come_back_unchanged(tcp, data, proxy):
    with hang_guard(20):
        assert _roundtrip(tcp[1][proxy], data) == data


def test_hostile_connections_do_not_stop_it_serving_others(tcp):
    server, ports = tcp
    held = []
    with hang_guard(60):
        try:
            for _ in range(50):   # idle: connected, never a byte
                held.append(socket.create_connection(("127.0.0.1", ports["plain"])))
            for _ in range(20):   # half-open: a few bytes, then our write side closed, never read
                c = socket.create_connection(("127.0.0.1", ports["sliced"]))
                c.sendall(b"partial")
                c.shutdown(socket.SHUT_WR)
                held.append(c)
            for _ in range(20):   # reset mid-stream (SO_LINGER 0)
                c = socket.create_connection(("127.0.0.1", ports["plain"]))
                c.sendall(b"x" * 100_000)
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                c.close()
            for _ in range(20):   # to an upstream that refuses: the proxy closes them
                c = socket.create_connection(("127.0.0.1", ports["refused"]), timeout=5)
                try:
                    assert c.recv(1) == b""
                except ConnectionResetError:
                    pass
                c.close()
            slow = [socket.create_connection(("127.0.0.1", ports["sliced"])) for _ in range(20)]
            held += slow
            for i in range(10):   # slowloris: a byte each 20 ms on 20 connections, while others are served
                for c in slow:
                    c.sendall(b"s")
                assert _serves(ports["plain"]) < 2.0 and _serves(ports["sliced"]) < 2.0
                time.sleep(0.02)
            for c in slow:        # and the trickled bytes all made it through
                assert _recv_n(c, 10) == b"s" * 10
        finally:
            for c in held:
                c.close()
        assert _serves(ports["plain"]) < 2.0
        r = requests.get(server.url + "/version", timeout=5)
        assert r.status_code == 200


def _recv_n(sock: socket.socket, n: int, timeout: float = 5.0) -> bytes:
    sock.settimeout(timeout)
    out = bytearray()
    while len(out) < n and (chunk := sock.recv(n - len(out))):
        out += chunk
    return bytes(out)


@pytest.mark.parametrize("garbage", [b"\x00\xff" * 1000, b"GET / HTTP/1.1\r\n" + b"X: " + b"y" * 70_000 + b"\r\n\r\n",
                                     b"POST /proxies HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n{",
                                     b"POST /proxies HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                                     b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", b"GET /" + b"%" * 9000 + b" HTTP/1.1\r\n\r\n"])
def test_the_api_port_shrugs_off_garbage(tcp, garbage):
    server, _ = tcp
    with hang_guard(20), socket.create_connection(("127.0.0.1", server.port), timeout=5) as c:
        try:
            c.sendall(garbage)
            c.shutdown(socket.SHUT_WR)
            answer = c.recv(200)
        except OSError:
            answer = b""
    assert answer == b"" or re.match(rb"HTTP/1\.[01] 4\d\d ", answer), answer
    assert requests.get(server.url + "/version", timeout=5).status_code == 200
