"""Remove CORS response headers and answer preflights, as a misconfigured proxy does."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mitmproxy import http

__all__ = ["StripCors"]


class StripCors:
    """headers: Access-Control-* names to remove (empty = all of them);
    preflight_status: answer OPTIONS here with this status and no CORS headers (None = forward).
    The relay engine applies the same (relay_request / relay_response)."""

    relay = True

    def __init__(self, headers: list[str] | tuple[str, ...] = (), preflight_status: int | None = None):
        self.headers = {h.lower() for h in headers}
        self.preflight_status = preflight_status

    def request(self, flow: http.HTTPFlow) -> None:
        if self.preflight_status is not None and flow.request.method == "OPTIONS":
            from mitmproxy import http
            flow.metadata["sockfault.fault"] = "strip_cors:preflight"
            flow.response = http.Response.make(self.preflight_status, b"", {"content-length": "0"})

    def response(self, flow: http.HTTPFlow) -> None:
        assert flow.response is not None
        names = {k.lower() for k in flow.response.headers.keys()}
        gone = [n for n in names
                if n.startswith("access-control-") and (not self.headers or n in self.headers)]
        for name in gone:
            del flow.response.headers[name]
        if gone:
            flow.metadata["sockfault.fault"] = "strip_cors:" + ",".join(sorted(gone))

    def relay_request(self, ex) -> None:
        if self.preflight_status is not None and ex.method == "OPTIONS":
            ex.metadata["sockfault.fault"] = "strip_cors:preflight"
            ex.respond(self.preflight_status, b"", [])

    def relay_response(self, ex) -> None:
        gone = sorted({k.lower() for k, _ in ex.resp_headers
                       if k.lower().startswith("access-control-") and (not self.headers or k.lower() in self.headers)})
        if gone:
            ex.resp_headers = [(k, v) for k, v in ex.resp_headers if k.lower() not in gone]
            ex.metadata["sockfault.fault"] = "strip_cors:" + ",".join(gone)
