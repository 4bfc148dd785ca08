"""Rewrite what a proxy forwards: a path prefix, request and response headers."""

from __future__ import annotations

from mitmproxy import http

__all__ = ["Rewrite"]


class Rewrite:
    """path_from -> path_to replaces a leading path prefix (e.g. "/socket.io/" -> "/app/socket.io/");
    set_/remove_ request/response headers apply on every exchange (and the upgrade request)."""

    def __init__(self, path_from: str = "", path_to: str = "",
                 set_request_headers: dict[str, str] | None = None, remove_request_headers: list[str] = (),
                 set_response_headers: dict[str, str] | None = None, remove_response_headers: list[str] = ()):
        self.path_from, self.path_to = path_from, path_to
        self.set_req, self.rm_req = dict(set_request_headers or {}), list(remove_request_headers)
        self.set_resp, self.rm_resp = dict(set_response_headers or {}), list(remove_response_headers)

    def request(self, flow: http.HTTPFlow) -> None:
        req = flow.request
        if self.path_from and req.path.startswith(self.path_from):
            req.path = self.path_to + req.path[len(self.path_from):]
        _edit(req.headers, self.set_req, self.rm_req)

    def response(self, flow: http.HTTPFlow) -> None:
        assert flow.response is not None
        _edit(flow.response.headers, self.set_resp, self.rm_resp)


def _edit(headers, put: dict[str, str], remove: list[str]) -> None:
    for name in remove:
        headers.pop(name, None)
    for name, value in put.items():
        headers[name] = value
