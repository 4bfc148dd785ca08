"""Several mitmproxy masters in one process, at once.

mitmproxy hands every new connection the module-global `ctx.master` and `ctx.options`, so
with two masters running (a scenario and its control) a connection could be served by the
other proxy's addons - its faults included. Here each new connection goes to the master
that owns the port it arrived on.
"""

from __future__ import annotations

from typing import Any

from mitmproxy.proxy import mode_servers

__all__ = ["own_port", "release_port"]

_OWNERS: dict[int, Any] = {}
_Original = mode_servers.ProxyConnectionHandler


class _RoutedHandler(_Original):
    def __init__(self, master, r, w, options, mode):
        sockname = w.get_extra_info("sockname") if hasattr(w, "get_extra_info") else None
        owner = _OWNERS.get(sockname[1]) if isinstance(sockname, tuple) and len(sockname) > 1 else None
        if owner is not None:
            master, options = owner, owner.options
        super().__init__(master, r, w, options, mode)


def own_port(port: int, master: Any) -> None:
    mode_servers.ProxyConnectionHandler = _RoutedHandler
    _OWNERS[port] = master


def release_port(port: int) -> None:
    _OWNERS.pop(port, None)
