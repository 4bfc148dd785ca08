"""Fixtures: one in-process Toxiproxy server per module, emptied after each test, and
threaded TCP peers (echo, send-N-bytes) to proxy to."""

from __future__ import annotations

import pytest
import requests
import toxiproxy

from proxies.toxiproxy import ToxiproxyServer

from _toxiproxy_helpers import Peer, echo_handler


@pytest.fixture(scope="module")
def server():
    srv = ToxiproxyServer("127.0.0.1", 0, seed=1).start()
    yield srv
    srv.stop()


@pytest.fixture
def api(server):
    """The server's base URL; every proxy is deleted afterwards."""
    yield server.url
    for name in requests.get(server.url + "/proxies").json():
        requests.delete(f"{server.url}/proxies/{name}")


@pytest.fixture
def client(server, api):
    c = toxiproxy.Toxiproxy()
    c.update_api_consumer("127.0.0.1", server.port)
    return c


@pytest.fixture
def echo():
    peer = Peer(echo_handler)
    yield peer
    peer.close()


@pytest.fixture
def make_peer():
    peers = []

    def make(handle):
        peers.append(Peer(handle))
        return peers[-1]

    yield make
    for p in peers:
        p.close()
