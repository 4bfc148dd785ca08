"""A lean mitmproxy Master for the caller's event loop: reverse mode, port 0, few addons.

DumpMaster loads ~35 addons, keeps every WebSocket message of a flow in memory and
listens with a backlog of 100. Here only Proxyserver and NextLayer are loaded, the
`Forget` addon drops each WebSocket message once every hook has seen it, and the
listening sockets get a large backlog. `Master.run()` is not used: it would install an
exception handler and an eager task factory on the caller's loop for its lifetime.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

from mitmproxy import ctx, http
from mitmproxy.addons import next_layer, proxyserver
from mitmproxy.master import Master
from mitmproxy.options import Options

from ._routing import own_port, release_port



__all__ = ["ProxyMaster", "Forget"]

BACKLOG = 4096


class Forget:
    """Last in the chain: WebSocket messages are not retained once every addon saw them."""

    needs_ws_messages = False

    def websocket_message(self, flow: http.HTTPFlow) -> None:
        assert flow.websocket is not None
        flow.websocket.messages.clear()


class ProxyMaster:
    """Proxyserver + NextLayer + caller's addons (in order) + `tail` addons + Forget."""

    def __init__(self, upstream: tuple[str, int], addons: list[Any] = (), tail: list[Any] = (),
                 listen_host: str = "127.0.0.1", backlog: int = BACKLOG, listen_port: int = 0):
        self.upstream, self.listen_host, self.backlog = upstream, listen_host, backlog
        self.listen_port = listen_port
        self._initial, self._tail = list(addons), [*tail, Forget()]
        self.master: Master | None = None
        self.address: tuple[str, int] | None = None

    async def start(self) -> tuple[str, int]:
        host, port = self.upstream
        opts = Options(mode=[f"reverse:http://{host}:{port}"], listen_host=self.listen_host, listen_port=self.listen_port)
        # lazy: a balancing addon picks the upstream per request; do not pre-connect to the default one.
        master = Master(opts, event_loop=asyncio.get_running_loop())
        self.master = master
        self._activate()
        self.proxyserver = proxyserver.Proxyserver()
        master.addons.add(self.proxyserver, next_layer.NextLayer())
        master.options.update(connection_strategy="lazy", websocket=True)
        for addon in [*self._initial, *self._tail]:
            self._bind(addon)
            master.addons.add(addon)
        self._activate()
        if not await self.proxyserver.setup_servers():
            raise_proxy_error(f"mitmproxy could not listen on {self.listen_host}:{self.listen_port}")
        addrs = self.proxyserver.listen_addrs()
        if not addrs:
            raise_proxy_error("mitmproxy started no listener")
        self._raise_backlog()
        await master.running()
        self.address = (addrs[0][0], addrs[0][1])
        own_port(self.address[1], master)
        return self.address

    def _activate(self) -> None:
        # mitmproxy reads the module-global ctx.options; point it at this master while
        # its servers start or stop (every master here shares the per-connection options).
        ctx.master, ctx.options = self.master, self.master.options

    def _raise_backlog(self) -> None:
        for instance in self.proxyserver.servers:
            for server in getattr(instance, "_servers", []):
                for tsock in getattr(server, "sockets", ()):
                    dup = socket.socket(fileno=socket.dup(tsock.fileno()))
                    try:
                        dup.listen(self.backlog)   # Linux: listen() again updates the backlog
                    finally:
                        dup.close()

    def add_addon(self, addon: Any) -> None:
        """Insert before the tail addons, so the timeline records what actually crossed."""
        assert self.master is not None, "start() first"
        self._bind(addon)
        self.master.addons.add(addon)
        chain = self.master.addons.chain
        chain.remove(addon)
        chain.insert(len(chain) - len(self._tail), addon)

    def _bind(self, addon: Any) -> None:
        if hasattr(addon, "proxy"):
            addon.proxy = self

    def remove_addon(self, addon: Any) -> None:
        assert self.master is not None
        if addon in self.master.addons.chain:
            self.master.addons.remove(addon)

    def connection_of(self, flow: http.HTTPFlow):
        """The live connection handler serving this flow's client, or None."""
        return self.proxyserver.connections.get(flow.client_conn.id)

    def cut(self, flow: http.HTTPFlow) -> bool:
        """Close the client connection of a flow in transit (mitmproxy cannot kill those)."""
        handler = self.connection_of(flow)
        if handler is None:
            return False
        for conn, io in list(handler.transports.items()):
            if io.writer is not None:
                io.writer.close()
        return True

    async def stop(self) -> None:
        master, self.master = self.master, None
        if master is None:
            return
        ps = self.proxyserver
        if self.address is not None:
            release_port(self.address[1])
        self.master = master
        self._activate()
        self.master = None
        for handler in list(ps.connections.values()):
            for io in list(handler.transports.values()):
                if io.writer is not None:
                    io.writer.close()
        await ps.servers.update([])
        try:
            await master.done()
        except Exception:  # pragma: no cover - shutdown must not mask the real error
            logging.getLogger(__name__).exception("mitmproxy shutdown")


def raise_proxy_error(message: str) -> None:
    from harness.errors import ProxyError
    raise ProxyError(message)
