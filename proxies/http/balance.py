"""Spread requests over several upstreams: round-robin without stickiness, or sticky.

Without stickiness a Socket.IO session's requests land on servers that never saw its
sid: HTTP 400 {"code":1,"message":"Session ID unknown"}. sticky="cookie" inserts a
cookie as HAProxy's `cookie SERVERID insert` (the client must send it back:
withCredentials); sticky="sid" routes by the `sid` query parameter, learnt from the
handshake answer.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Literal

from mitmproxy import http

from ._eio import eio_of, split_polling

__all__ = ["Balance"]

Sticky = Literal["none", "cookie", "sid"]


class Balance:
    def __init__(self, upstreams: list[tuple[str, int]], sticky: Sticky = "none", cookie: str = "SERVERID"):
        if not upstreams:
            raise ValueError("balance needs at least one upstream")
        if sticky not in ("none", "cookie", "sid"):
            raise ValueError(f"balance sticky {sticky!r} not in none, cookie, sid")
        self.upstreams = [tuple(u) for u in upstreams]
        self.sticky, self.cookie = sticky, cookie
        self._next = itertools.cycle(range(len(self.upstreams)))
        self._by_sid: dict[str, int] = {}

    def _pick(self, flow: http.HTTPFlow) -> int:
        if self.sticky == "cookie":
            value = flow.request.cookies.get(self.cookie, "")
            if value.startswith("s") and value[1:].isdigit() and int(value[1:]) < len(self.upstreams):
                return int(value[1:])
        elif self.sticky == "sid":
            sid = flow.request.query.get("sid")
            if sid and sid in self._by_sid:
                return self._by_sid[sid]
        return next(self._next)

    def request(self, flow: http.HTTPFlow) -> None:
        if flow.response is not None:      # answered by a fault already
            return
        index = self._pick(flow)
        flow.metadata["sockfault.upstream"] = index
        flow.request.host, flow.request.port = self.upstreams[index]

    def response(self, flow: http.HTTPFlow) -> None:
        index = flow.metadata.get("sockfault.upstream")
        if index is None or flow.response is None:
            return
        if self.sticky == "cookie" and self.cookie not in flow.request.cookies:
            flow.response.headers.add("set-cookie", f"{self.cookie}=s{index}; Path=/")
        elif self.sticky == "sid" and "sid" not in flow.request.query:
            sid = _handshake_sid(flow)
            if sid:
                self._by_sid[sid] = index


def _handshake_sid(flow: http.HTTPFlow) -> str | None:
    body = flow.response.content or b""
    packets = split_polling(body, eio_of(flow.request.query.get("EIO"), body)) or []
    for p in packets:
        if p.startswith("0{"):
            try:
                return json.loads(p[1:]).get("sid")
            except ValueError:
                break
    m = re.search(rb'"sid":"([^"]+)"', body)
    return m.group(1).decode() if m else None
