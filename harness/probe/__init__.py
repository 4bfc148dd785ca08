"""Raw probe: speaks Engine.IO to a server the way curl would, decodes every answer and puts each
exchange on the timeline (source "probe", kinds "http" and "ws_upgrade").

    result = await handshake("http://127.0.0.1:3000", eio=3)
    result.verdict()  # "EIO=3 refused: code 5 Unsupported protocol version"
"""

from ._answered import network_failure, not_socketio, server_header
from ._probe import BODY_LIMIT, ProbeResult, handshake, probe_all, request, upgrade

__all__ = ["ProbeResult", "handshake", "request", "upgrade", "probe_all", "BODY_LIMIT",
           "network_failure", "not_socketio", "server_header"]
