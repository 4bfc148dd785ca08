"""HaproxyLink: the real HAProxy in front of one or more Socket.IO servers.

options:
  preset:   haproxy-roundrobin (no stickiness) | haproxy-cookie (cookie SERVERID insert) |
            haproxy-no-tunnel (no `timeout tunnel`: the client/server timeouts apply to websockets)
  timeout:  client/server timeout in seconds (default 60; websockets use `timeout tunnel` 1h,
            but in haproxy-no-tunnel)
  tunnel:   haproxy-no-tunnel only: `timeout tunnel` in seconds (default: none)
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from proxies.nginx._launch import BinaryLink

__all__ = ["HaproxyLink"]


class HaproxyLink(BinaryLink):
    kind: ClassVar[str] = "haproxy"
    binary = "haproxy"
    package = "haproxy"
    here = Path(__file__).parent
    default_preset = "haproxy-roundrobin"
    PRESETS = {
        "haproxy-roundrobin": "haproxy-roundrobin.cfg",
        "haproxy-cookie": "haproxy-cookie.cfg",
        "haproxy-no-tunnel": "haproxy-no-tunnel.cfg",
    }

    def values(self, upstreams, port):
        cookie = self.preset == "haproxy-cookie"
        servers = [f"server s{i} {h}:{p}" + (f" cookie s{i}" if cookie else "") for i, (h, p) in enumerate(upstreams)]
        return {"DIR": str(self.dir), "PORT": str(port), "SERVERS": "\n    ".join(servers),
                "TIMEOUT": f"{round(float(self.options.get('timeout', 60)) * 1000)}ms",
                "TUNNEL": (f"timeout tunnel {round(float(self.options['tunnel']) * 1000)}ms"
                           if self.options.get("tunnel") is not None else "# no timeout tunnel")}

    def command(self, config: Path) -> list[str]:
        return [self.executable(), "-db", "-f", str(config)]
