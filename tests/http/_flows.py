"""mitmproxy test flows shaped like Socket.IO traffic (no network)."""

from mitmproxy import http
from mitmproxy.test import tflow, tutils


def sio_flow(method: str = "GET", query: str = "EIO=4&transport=polling", body: bytes = b"",
             resp: bytes | None = None, status: int = 200, headers: dict | None = None,
             resp_headers: dict | None = None, upgrade: bool = False) -> http.HTTPFlow:
    hdrs = http.Headers(host="127.0.0.1", **(headers or {}))
    if upgrade:
        hdrs["connection"] = "Upgrade"
        hdrs["upgrade"] = "websocket"
    req = tutils.treq(method=method.encode(), host="127.0.0.1", port=3000, path=f"/socket.io/?{query}".encode(),
                      headers=hdrs, content=body)
    response = False
    if resp is not None:
        rh = http.Headers(**{"content-type": "text/plain; charset=UTF-8", **(resp_headers or {})})
        response = tutils.tresp(status_code=status, headers=rh, content=resp)
    return tflow.tflow(req=req, resp=response)


def ws_flow(query: str = "EIO=4&transport=websocket&sid=abc", messages=()) -> http.HTTPFlow:
    """messages: (from_client, content) pairs appended in order."""
    from mitmproxy import websocket
    from wsproto.frame_protocol import Opcode
    f = tflow.twebsocketflow(messages=False)
    f.request.path = f"/socket.io/?{query}"
    for from_client, content in messages:
        is_text = isinstance(content, str)
        f.websocket.messages.append(websocket.WebSocketMessage(
            Opcode.TEXT if is_text else Opcode.BINARY, from_client, content.encode() if is_text else content))
    return f
