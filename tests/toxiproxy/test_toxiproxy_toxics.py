"""Each toxic against real sockets, with timing windows; live changes; the 100 MB run."""

from __future__ import annotations

import errno
import hashlib
import socket
import threading
import time

import pytest
import requests

from _toxiproxy_helpers import listen_addr, recv_exactly


def proxy_to(api, upstream: str, name: str = "p") -> tuple[str, int]:
    r = requests.post(api + "/proxies", json={"name": name, "upstream": upstream, "listen": "127.0.0.1:0"})
    assert r.status_code == 201
    return listen_addr(r.json())


def toxic(api, type_, stream="downstream", name=None, toxicity=1.0, proxy="p", **attributes):
    body = {"type": type_, "stream": stream, "toxicity": toxicity, "attributes": attributes}
    if name:
        body["name"] = name
    r = requests.post(f"{api}/proxies/{proxy}/toxics", json=body)
    assert r.status_code == 200, r.text
    return r.json()["name"]


# a loopback round trip with no toxic in the way: ~0.1 ms quiet, 23 ms seen at load 12 in a full run;
# the bound only has to stay below what the toxics in these tests hold (latency 200/300 ms, timeout: forever)
UNDELAYED_MS = 150


def round_trip(sock: socket.socket, payload: bytes = b"x" * 64) -> float:
    start = time.perf_counter()
    sock.sendall(payload)
    assert recv_exactly(sock, len(payload)) == payload
    return (time.perf_counter() - start) * 1000


def sender(n: int, close: bool = True):
    """A peer that sends n deterministic bytes on connect, then closes."""
    def handle(conn):
        block = bytes(range(256)) * 256
        left = n
        while left:
            conn.sendall(block[:min(left, len(block))])
            left -= min(left, len(block))
        if not close:
            conn.recv(1)
    return handle


@pytest.mark.parametrize("stream", ["downstream", "upstream"])
def test_latency_window(api, echo, stream):
    addr = proxy_to(api, echo.addr)
    toxic(api, "latency", stream, latency=50)
    with socket.create_connection(addr) as c:
        times = [round_trip(c) for _ in range(5)]
    assert all(50 <= t < 70 for t in times), times


def test_latency_both_directions_add_up(api, echo):
    addr = proxy_to(api, echo.addr)
    toxic(api, "latency", "upstream", latency=30)
    toxic(api, "latency", "downstream", latency=20)
    with socket.create_connection(addr) as c:
        times = [round_trip(c) for _ in range(3)]
    assert all(50 <= t < 70 for t in times), times


def test_latency_jitter_window(api, echo):
    addr = proxy_to(api, echo.addr)
    toxic(api, "latency", latency=40, jitter=20)
    with socket.create_connection(addr) as c:
        times = [round_trip(c) for _ in range(12)]
    # never earlier than latency - jitter; a late event loop only adds (one trip passed 80 ms in a loaded CI
    # run), so the window's top is held by most trips, not all
    assert all(t >= 20 for t in times), times
    assert sum(t < 80 for t in times) >= 10, times
    assert max(times) - min(times) > 5, times   # the jitter is really applied


def test_latency_is_from_arrival_not_per_chunk(api, make_peer):
    """A stream of many chunks is delayed once, not once per chunk."""
    peer = make_peer(sender(2_000_000))
    addr = proxy_to(api, peer.addr)
    toxic(api, "latency", latency=100)
    start = time.perf_counter()
    with socket.create_connection(addr) as c:
        assert len(recv_exactly(c, 2_000_000)) == 2_000_000
    assert (time.perf_counter() - start) < 0.5


def test_bandwidth_within_10_percent(api, make_peer):
    peer = make_peer(sender(500_000))
    addr = proxy_to(api, peer.addr)
    toxic(api, "bandwidth", rate=1000)         # 1000 KB/s -> 500,000 bytes in 0.5 s
    start = time.perf_counter()
    with socket.create_connection(addr) as c:
        assert len(recv_exactly(c, 500_000)) == 500_000
    elapsed = time.perf_counter() - start
    assert 0.45 <= elapsed <= 0.55, elapsed


def test_bandwidth_upstream(api, echo):
    addr = proxy_to(api, echo.addr)
    toxic(api, "bandwidth", "upstream", rate=200)    # 100,000 bytes -> 0.5 s
    with socket.create_connection(addr) as c:
        start = time.perf_counter()
        threading.Thread(target=c.sendall, args=(b"u" * 100_000,), daemon=True).start()
        assert len(recv_exactly(c, 100_000)) == 100_000
        elapsed = time.perf_counter() - start
    # the rate is never exceeded (lower bound, 10 %); above, the upper bound is scheduling on a loaded
    # 2-core machine (0.554 s seen in CI): the downstream test keeps the tight 10 % window
    assert 0.45 <= elapsed <= 0.65, elapsed


def test_slow_close(api, make_peer):
    peer = make_peer(sender(10))
    addr = proxy_to(api, peer.addr)
    toxic(api, "slow_close", delay=300)
    with socket.create_connection(addr) as c:
        start = time.perf_counter()
        assert recv_exactly(c, 10) and c.recv(1) == b""
        elapsed = time.perf_counter() - start
    assert 0.29 <= elapsed < 0.4, elapsed


def test_timeout_closes_after_timeout_and_drops_data(api, echo):
    addr = proxy_to(api, echo.addr)
    toxic(api, "timeout", timeout=200)
    start = time.perf_counter()   # before the connect: the proxy's timer starts at its accept, which a loaded
    with socket.create_connection(addr) as c:   # test process can see 10 ms before it reads the clock again
        c.sendall(b"dropped")
        assert c.recv(10) == b""
        elapsed = time.perf_counter() - start
    assert 0.195 <= elapsed < 0.25, elapsed


def test_timeout_zero_holds_until_removed(api, echo):
    addr = proxy_to(api, echo.addr)
    name = toxic(api, "timeout", timeout=0)
    with socket.create_connection(addr) as c:
        c.settimeout(0.3)
        c.sendall(b"lost")
        with pytest.raises(socket.timeout):
            c.recv(10)
        assert requests.delete(f"{api}/proxies/p/toxics/{name}").status_code == 204
        c.settimeout(2)
        assert round_trip(c, b"back") < 1000   # it flows again (held forever before); a speed is not the claim:
        # 64 ms was seen in a loaded CI run against the old 50 ms bound


def test_reset_peer_gives_econnreset(api, echo):
    addr = proxy_to(api, echo.addr)
    toxic(api, "reset_peer", timeout=100)
    with socket.create_connection(addr) as c:
        start = time.perf_counter()
        c.sendall(b"boom")
        with pytest.raises(ConnectionResetError) as info:
            c.recv(10)
            c.recv(10)
        elapsed = time.perf_counter() - start
    assert info.value.errno == errno.ECONNRESET
    assert 0.1 <= elapsed < 0.15, elapsed


def test_reset_peer_timeout_zero(api, echo):
    addr = proxy_to(api, echo.addr)
    toxic(api, "reset_peer", "upstream", timeout=0)
    with socket.create_connection(addr) as c:
        c.sendall(b"boom")
        with pytest.raises(ConnectionResetError):
            c.recv(10)
            c.recv(10)


@pytest.mark.parametrize("limit", [0, 1, 100, 1000])
def test_limit_data_exactly_n_bytes(api, make_peer, limit):
    peer = make_peer(sender(5000, close=False))
    addr = proxy_to(api, peer.addr)
    toxic(api, "limit_data", bytes=limit)
    with socket.create_connection(addr) as c:
        got = bytearray()
        while data := c.recv(65536):
            got += data
    assert len(got) == limit
    assert bytes(got) == (bytes(range(256)) * 20)[:limit]


def test_slicer_slices(api, make_peer):
    peer = make_peer(sender(1000, close=False))
    addr = proxy_to(api, peer.addr)
    toxic(api, "slicer", average_size=100, size_variation=20, delay=20_000)
    sizes, got = [], bytearray()
    with socket.create_connection(addr) as c:
        while len(got) < 1000:
            data = c.recv(65536)
            sizes.append(len(data))
            got += data
    assert bytes(got) == (bytes(range(256)) * 4)[:1000]
    assert len(sizes) >= 6 and max(sizes) <= 240, sizes


def test_toxicity_drawn_per_connection(api, echo):
    addr = proxy_to(api, echo.addr)
    toxic(api, "latency", latency=300, toxicity=0.5)   # far above any loaded machine's loopback round trip
    slow = 0
    for _ in range(16):
        with socket.create_connection(addr) as c:
            first = round_trip(c)
            second = round_trip(c)
        assert (first >= 300) == (second >= 300)   # one draw per connection
        slow += first >= 300
    assert 1 <= slow <= 15


def test_toxicity_zero_is_inert(api, echo):
    addr = proxy_to(api, echo.addr)
    toxic(api, "timeout", timeout=0, toxicity=0)
    with socket.create_connection(addr) as c:
        assert round_trip(c) < UNDELAYED_MS


def test_live_add_and_remove_keep_data(api, echo):
    addr = proxy_to(api, echo.addr)
    with socket.create_connection(addr) as c:
        assert round_trip(c) < UNDELAYED_MS
        name = toxic(api, "latency", latency=300)        # applies to the open connection
        start = time.perf_counter()
        c.sendall(b"held")
        time.sleep(0.05)
        requests.delete(f"{api}/proxies/p/toxics/{name}")  # what it held leaves at once, in order
        assert recv_exactly(c, 4) == b"held"
        assert time.perf_counter() - start < 0.2
        assert round_trip(c) < UNDELAYED_MS


def test_live_update_changes_attributes(api, echo):
    addr = proxy_to(api, echo.addr)
    toxic(api, "latency", name="lat", latency=200)
    with socket.create_connection(addr) as c:
        requests.post(f"{api}/proxies/p/toxics/lat", json={"attributes": {"latency": 30}})
        assert 30 <= round_trip(c) < UNDELAYED_MS       # 30 ms now, not the 200 ms it was added with


def test_reset_endpoint_clears_live_toxics(api, echo):
    addr = proxy_to(api, echo.addr)
    toxic(api, "timeout", timeout=0)
    with socket.create_connection(addr) as c:
        c.sendall(b"a")
        time.sleep(0.05)
        assert requests.post(api + "/reset").status_code == 204
        c.settimeout(2)
        assert round_trip(c, b"b") < 50    # flows again; the dropped byte stays dropped


def test_client_close_propagates(api, make_peer):
    seen = threading.Event()

    def handle(conn):
        while conn.recv(100):
            pass
        seen.set()

    peer = make_peer(handle)
    addr = proxy_to(api, peer.addr)
    c = socket.create_connection(addr)
    c.sendall(b"bye")
    c.close()
    assert seen.wait(2)


def test_upstream_refused_closes_client(api):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = s.getsockname()[1]
    s.close()
    addr = proxy_to(api, f"127.0.0.1:{dead}")
    with socket.create_connection(addr) as c:
        c.settimeout(2)
        try:
            assert c.recv(1) == b""
        except ConnectionResetError:
            pass


def test_100_mb_byte_for_byte_through_slicer_and_latency(api, make_peer):
    total = 100 * 1024 * 1024
    block = hashlib.sha256(b"seed").digest() * 8192           # 256 KiB of pseudo-random bytes
    expected = hashlib.sha256()
    for _ in range(total // len(block)):
        expected.update(block)

    def handle(conn):
        for _ in range(total // len(block)):
            conn.sendall(block)

    peer = make_peer(handle)
    addr = proxy_to(api, peer.addr)
    toxic(api, "slicer", average_size=65536, size_variation=16384, delay=0)
    toxic(api, "latency", latency=5, jitter=2)
    got = hashlib.sha256()
    n = 0
    start = time.perf_counter()
    with socket.create_connection(addr) as c:
        buf = bytearray(1 << 20)
        while (k := c.recv_into(buf)) > 0:
            got.update(memoryview(buf)[:k])
            n += k
    assert n == total
    assert got.hexdigest() == expected.hexdigest()
    assert time.perf_counter() - start < 30
