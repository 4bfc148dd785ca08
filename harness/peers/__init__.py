"""Peers: real Socket.IO servers and clients run as subprocesses speaking JSON lines.

See docs/peer-protocol.md. `catalog` turns a scenario's peer spec ("node@4.8.1",
"python", "plain-ws", a user command) into a command line; `process` runs one peer;
`pool` keeps warm spares so a scenario does not pay the interpreter's start-up.
"""

from ._catalog import PeerSpec, installed_peers, page_spec, resolve_peer, unavailable_reason
from ._pool import PeerPool
from ._process import PeerProcess

__all__ = ["page_spec", "PeerSpec", "PeerProcess", "PeerPool", "installed_peers", "resolve_peer", "unavailable_reason"]
