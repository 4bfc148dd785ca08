"""The lifetime toxic (a connection cap whatever the traffic) and the lifetime fault."""

from __future__ import annotations

import socket
import threading
import time

import requests

from harness.faults import FaultContext, load_fault
from harness.faults.lifetime import Lifetime
from harness.timeline import Timeline

from _toxiproxy_helpers import FakeLink, listen_addr


def proxy_to(api, upstream: str) -> tuple[str, int]:
    r = requests.post(api + "/proxies", json={"name": "p", "upstream": upstream, "listen": "127.0.0.1:0"})
    assert r.status_code == 201
    return listen_addr(r.json())


def cap(api, ms: int, stream: str) -> None:
    r = requests.post(f"{api}/proxies/p/toxics", json={"type": "lifetime", "stream": stream,
                                                      "attributes": {"lifetime": ms}})
    assert r.status_code == 200, r.text
    assert r.json()["attributes"] == {"lifetime": ms}


def test_closes_at_its_age_despite_traffic_and_both_peers_get_a_fin(api, make_peer):
    server_eof = threading.Event()

    def echo_until_eof(conn):
        while data := conn.recv(100):
            conn.sendall(data)
        server_eof.set()

    peer = make_peer(echo_until_eof)
    addr = proxy_to(api, peer.addr)
    cap(api, 400, "downstream")
    cap(api, 400, "upstream")
    with socket.create_connection(addr) as c:
        start = time.perf_counter()
        c.settimeout(2)
        echoed = 0
        while True:                               # traffic every 50 ms: the cap comes anyway
            try:
                c.sendall(b"ping")
            except OSError:
                break
            data = c.recv(100)
            if data == b"":
                break
            echoed += len(data)
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
    assert echoed >= 4 * 5                        # data flowed until the cap
    assert 0.38 <= elapsed < 0.55, elapsed
    assert server_eof.wait(1)                     # the server side got its FIN as well


def test_a_new_connection_gets_its_own_age(api, echo):
    addr = proxy_to(api, echo.addr)
    cap(api, 300, "downstream")
    for _ in range(2):
        with socket.create_connection(addr) as c:
            c.settimeout(2)
            start = time.perf_counter()
            assert c.recv(10) == b""
            assert 0.28 <= time.perf_counter() - start < 0.45


def test_registered():
    assert load_fault("lifetime") is Lifetime and Lifetime.name == "lifetime"


async def test_fault_caps_both_streams_in_ms():
    fake = FakeLink()
    ctx = FaultContext(Timeline(), links={"net": fake})
    f = Lifetime(seconds=1.5)
    await f.apply(ctx)
    added = [c for c in fake.calls if c[0] == "add"]
    assert sorted(c[2] for c in added) == ["downstream", "upstream"]
    assert all(c[1] == "lifetime" and c[3] == {"lifetime": 1500} for c in added)
    await f.remove(ctx)
    await f.remove(ctx)
    assert sorted(c[1] for c in fake.calls if c[0] == "remove") == sorted(c[5] for c in added)
