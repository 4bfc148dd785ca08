"""Proxies: a listener, its connections and its toxic chains. No HTTP here.

A Proxy accepts on `listen`, dials `upstream` for each client and runs two Directions per
connection. Its ToxicCollection holds the toxic definitions per direction and applies every
change to the live connections too, as Toxiproxy does.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import struct
from dataclasses import dataclass
from typing import Any

from ._stream import Direction
from .toxics import TOXICS, Toxic

__all__ = ["ApiError", "Proxy", "ProxyCollection", "ToxicWrapper", "split_hostport"]

STREAMS = ("upstream", "downstream")
READ_SIZE = 4 << 20     # bytes per read: fewer loop turns and syscalls per MB
WRITE_HIGH = 1 << 20    # bytes buffered in a sink transport before its source pauses
SNDBUF = 4 << 20        # SO_SNDBUF asked for (Linux caps it at net.core.wmem_max and doubles it);
                        # on loopback a larger send buffer than autotuning's (tcp_wmem max) means
                        # fewer blocked sends and wake-ups: ~+20% throughput with no toxic


class ApiError(Exception):
    """An error with the HTTP status Toxiproxy gives it."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message, self.status = message, status

    def join(self, detail: str) -> "ApiError":
        return ApiError(f"{self.message}: {detail}", self.status)


ERR_BAD_BODY = ApiError("bad request body", 400)
ERR_MISSING = ApiError("missing required field", 400)
ERR_PROXY_NOT_FOUND = ApiError("proxy not found", 404)
ERR_PROXY_EXISTS = ApiError("proxy already exists", 409)
ERR_STREAM = ApiError("stream was invalid, can be either upstream or downstream", 400)
ERR_TOXIC_TYPE = ApiError("invalid toxic type", 400)
ERR_TOXIC_EXISTS = ApiError("toxic already exists", 409)
ERR_TOXIC_NOT_FOUND = ApiError("toxic not found", 404)


def split_hostport(addr: str, op: str = "listen") -> tuple[str, int]:
    """Go's net.SplitHostPort + port parsing, with Go-like messages (status 500)."""
    if addr == "":
        return "127.0.0.1", 0
    host, sep, port = addr.rpartition(":")
    if not sep:
        raise ApiError(f"{op} tcp: address {addr}: missing port in address", 500)
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not port.isdigit() or int(port) > 65535:
        raise ApiError(f"{op} tcp: lookup tcp/{port}: unknown port" if not port.isdigit()
                       else f"{op} tcp: address {port}: invalid port", 500)
    return host, int(port)


def _fmt_addr(sockname: tuple) -> str:
    host, port = sockname[0], sockname[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass
class ToxicWrapper:
    name: str
    type: str
    stream: str        # as the client spelled it (Toxiproxy keeps the case)
    direction: str     # "upstream" | "downstream"
    toxicity: float
    toxic: Toxic

    def to_json(self) -> dict:
        return {"attributes": self.toxic.to_json(), "name": self.name, "type": self.type,
                "stream": self.stream, "toxicity": self.toxicity}


class ToxicCollection:
    def __init__(self, proxy: "Proxy"):
        self.proxy = proxy
        self.chains: dict[str, list[ToxicWrapper]] = {"upstream": [], "downstream": []}

    def all(self) -> list[ToxicWrapper]:
        return self.chains["upstream"] + self.chains["downstream"]

    def find(self, name: str) -> ToxicWrapper | None:
        return next((t for t in self.all() if t.name == name), None)

    def add(self, wrapper: ToxicWrapper) -> None:
        if self.find(wrapper.name) is not None:
            raise ERR_TOXIC_EXISTS
        self.chains[wrapper.direction].append(wrapper)
        for conn in self.proxy.connections:
            conn.directions[wrapper.direction].add(wrapper)

    def update(self, wrapper: ToxicWrapper) -> None:
        for conn in self.proxy.connections:
            conn.directions[wrapper.direction].update(wrapper)

    def remove(self, name: str) -> None:
        wrapper = self.find(name)
        if wrapper is None:
            raise ERR_TOXIC_NOT_FOUND
        self.chains[wrapper.direction].remove(wrapper)
        for conn in self.proxy.connections:
            conn.directions[wrapper.direction].remove(name)

    def reset(self) -> None:
        for wrapper in self.all():
            self.remove(wrapper.name)


class _Side(asyncio.Protocol):
    """One socket of a connection: reads feed one direction, write pressure pauses the other."""

    def __init__(self, conn: "Connection", reads: Direction, writes: Direction):
        self.conn, self.reads, self.writes = conn, reads, writes
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport):
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SNDBUF)
            except OSError:
                pass
        transport.set_write_buffer_limits(high=WRITE_HIGH)
        if hasattr(transport, "max_size"):
            transport.max_size = READ_SIZE     # larger reads than asyncio's 256 KiB: fewer loop turns
        if self is self.conn.client:
            self.conn.client_made()

    def data_received(self, data):
        self.reads.feed(data)

    def eof_received(self):
        self.reads.feed_eof()
        return True     # keep our write side open until the chain closes it

    def connection_lost(self, exc):
        self.reads.feed_eof()
        self.writes.resume_sink()
        self.conn.side_lost(self)

    def pause_writing(self):
        self.writes.pause_sink()

    def resume_writing(self):
        self.writes.resume_sink()


class Connection:
    def __init__(self, proxy: "Proxy"):
        self.proxy = proxy
        self.up = Direction("upstream", self.reset)
        self.down = Direction("downstream", self.reset)
        self.directions = {"upstream": self.up, "downstream": self.down}
        self.client = _Side(self, self.up, self.down)
        self.server = _Side(self, self.down, self.up)
        self._lost: set[int] = set()
        self._dial: asyncio.Task | None = None

    def client_made(self) -> None:
        self.client.transport.pause_reading()
        self.up.source = self.down.sink = self.client.transport
        self._dial = asyncio.get_running_loop().create_task(self._connect())

    async def _connect(self) -> None:
        try:
            host, port = split_hostport(self.proxy.upstream, "dial")
            await asyncio.get_running_loop().create_connection(lambda: self.server, host, port)
        except (OSError, ApiError, asyncio.CancelledError):
            self.client.transport.abort()
            return
        self.down.source = self.up.sink = self.server.transport
        for name, direction in self.directions.items():
            for wrapper in self.proxy.toxics.chains[name]:
                direction.add(wrapper)
        if not self.client.transport.is_closing():
            self.client.transport.resume_reading()
        self.up.update_source()
        self.down.update_source()
        self.up.try_splice()
        self.down.try_splice()

    def side_lost(self, side: _Side) -> None:
        self._lost.add(id(side))
        other = self.server if side is self.client else self.client
        if other.transport is None or len(self._lost) == 2:
            self.close()

    def reset(self) -> None:
        self.up.cancel()
        self.down.cancel()
        for side in (self.client, self.server):
            t = side.transport
            if t is not None and not t.is_closing():
                sock = t.get_extra_info("socket")
                try:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                except OSError:
                    pass
                t.abort()

    def close(self) -> None:
        """Drop both sockets now (what `enabled:false` and deleting the proxy do)."""
        if self._dial is not None and not self._dial.done():
            self._dial.cancel()
        self.up.cancel()
        self.down.cancel()
        for side in (self.client, self.server):
            if side.transport is not None:
                side.transport.abort()
        self.proxy.connections.discard(self)


class Proxy:
    def __init__(self, name: str, listen: str, upstream: str):
        self.name, self.listen, self.upstream = name, listen, upstream
        self.enabled = False
        self.toxics = ToxicCollection(self)
        self.connections: set[Connection] = set()
        self._server: asyncio.base_events.Server | None = None

    def to_json(self) -> dict:
        return {"name": self.name, "listen": self.listen, "upstream": self.upstream,
                "enabled": self.enabled, "Logger": {}, "toxics": [t.to_json() for t in self.toxics.all()]}

    def _accept(self) -> asyncio.Protocol:
        conn = Connection(self)
        self.connections.add(conn)
        return conn.client

    async def start(self) -> None:
        if self.enabled:
            return
        host, port = split_hostport(self.listen)
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host or "0.0.0.0", port))
        except socket.gaierror as exc:
            sock.close()
            raise ApiError(f"listen tcp: lookup {host}: {exc.strerror.lower()}", 500) from None
        except OSError as exc:
            sock.close()
            reason = "address already in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc)).lower()
            raise ApiError(f"listen tcp {self.listen}: bind: {reason}", 500) from None
        self._server = await asyncio.get_running_loop().create_server(self._accept, sock=sock, backlog=4096)
        self.listen = _fmt_addr(sock.getsockname())
        self.enabled = True

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for conn in list(self.connections):
            conn.close()
        self.enabled = False

    async def update(self, listen: str, upstream: str, enabled: bool) -> None:
        if listen != self.listen or upstream != self.upstream:
            await self.stop()
            self.listen, self.upstream = listen, upstream
        if enabled != self.enabled:
            await (self.start() if enabled else self.stop())


class ProxyCollection:
    def __init__(self):
        self.proxies: dict[str, Proxy] = {}
        self.lock = asyncio.Lock()

    def get(self, name: str) -> Proxy:
        if name not in self.proxies:
            raise ERR_PROXY_NOT_FOUND
        return self.proxies[name]

    async def add(self, proxy: Proxy, start: bool) -> None:
        if proxy.name in self.proxies:
            raise ERR_PROXY_EXISTS
        if start:
            await proxy.start()
        self.proxies[proxy.name] = proxy

    async def add_or_replace(self, proxy: Proxy, start: bool) -> Proxy:
        existing = self.proxies.get(proxy.name)
        if existing is not None:
            if existing.listen == proxy.listen and existing.upstream == proxy.upstream:
                return existing
            await existing.stop()
        if start:
            await proxy.start()
        self.proxies[proxy.name] = proxy
        return proxy

    async def remove(self, name: str) -> None:
        proxy = self.get(name)
        del self.proxies[name]
        await proxy.stop()

    async def clear(self) -> None:
        for name in list(self.proxies):
            await self.remove(name)


def new_toxic(type_: str, values: dict[str, Any]) -> Toxic | None:
    cls = TOXICS.get(type_)
    return cls(**values) if cls else None
