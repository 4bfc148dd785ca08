"""A Toxiproxy-compatible TCP fault proxy (API, proxy core, toxics) that runs in-process."""

from .api import VERSION
from .server import ToxiproxyServer

__all__ = ["ToxiproxyServer", "VERSION"]
