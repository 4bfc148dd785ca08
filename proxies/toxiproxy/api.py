"""The Toxiproxy HTTP API: routes, Go-style body decoding and error mapping, nothing else.

Responses are byte-for-byte what Toxiproxy's Go server sends: JSON errors through
http.Error (text/plain, nosniff, trailing newline), /populate's JSON errors, 200 for a new
toxic, the `Mozilla/` refusal and an X-Toxiproxy-Request-Id on every response.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from typing import Any, Awaitable, Callable

from aiohttp import web

from . import _gojson as gj
from ._proxy import (ERR_BAD_BODY, ERR_MISSING, ERR_STREAM, ERR_TOXIC_EXISTS, ERR_TOXIC_TYPE,
                     ApiError, Proxy, ProxyCollection, ToxicWrapper, new_toxic)
from .toxics import TOXICS

__all__ = ["Api", "VERSION", "populate"]

VERSION = "2.12.0"
log = logging.getLogger(__name__)

PROXY_FIELDS = {"name": "string", "listen": "string", "upstream": "string", "enabled": "bool"}
POPULATE_GO_TYPE = 'struct { toxiproxy.Proxy; Enabled *bool "json:\\"enabled\\"" }'

_JSON = "application/json"
_TEXT = "text/plain; charset=utf-8"


# -- responses ----------------------------------------------------------------------
def _json(obj: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=gj.dumps(obj), headers={"Content-Type": _JSON})


def _http_error(text: str, status: int) -> web.Response:
    """Go's http.Error."""
    return web.Response(status=status, body=text.encode() + b"\n",
                        headers={"Content-Type": _TEXT, "X-Content-Type-Options": "nosniff"})


def _api_error(err: ApiError) -> web.Response:
    return _http_error(gj.dumps({"error": err.message, "status": err.status}).decode(), err.status)


def _body(raw: bytes) -> Any:
    try:
        return gj.decode(raw)
    except gj.GoJSONError as exc:
        raise ERR_BAD_BODY.join(str(exc)) from None


# -- request ids (xid-like, as zerolog's hlog gives) --------------------------------
_B32 = "0123456789abcdefghijklmnopqrstuv"
_counter = int.from_bytes(os.urandom(3), "big")
_machine = os.urandom(3)
_id_lock = threading.Lock()


def _request_id() -> str:
    global _counter
    with _id_lock:
        _counter = (_counter + 1) & 0xFFFFFF
        n = _counter
    raw = int(time.time()).to_bytes(4, "big") + _machine + (os.getpid() & 0xFFFF).to_bytes(2, "big") + n.to_bytes(3, "big")
    bits = int.from_bytes(raw, "big") << 4      # 96 bits -> 20 base32 digits
    return "".join(_B32[(bits >> (5 * i)) & 31] for i in range(19, -1, -1))


# -- the API ------------------------------------------------------------------------
Handler = Callable[..., Awaitable[web.Response]]


async def populate(collection: ProxyCollection, value: Any) -> tuple[list[Proxy], ApiError | None]:
    """Toxiproxy's PopulateJson on a decoded body: validate all, then upsert in order."""
    if value is None:
        value = []
    if not isinstance(value, list):
        return [], ERR_BAD_BODY.join(f"json: cannot unmarshal {gj._kind(value)} into Go value of type []{POPULATE_GO_TYPE}")
    items, first = [], None
    for item in value:
        fields = {"name": "", "listen": "", "upstream": "", "enabled": None}
        err = gj.fill(item, PROXY_FIELDS, fields, "", POPULATE_GO_TYPE)
        first = first or err
        items.append(fields)
    if first:
        return [], ERR_BAD_BODY.join(first)
    for i, fields in enumerate(items, 1):
        if not fields["name"]:
            return [], ERR_MISSING.join(f"name at proxy {i}")
        if not fields["upstream"]:
            return [], ERR_MISSING.join(f"upstream at proxy {i}")
    done: list[Proxy] = []
    for fields in items:
        enabled = True if fields["enabled"] is None else fields["enabled"]
        try:
            proxy = await collection.add_or_replace(Proxy(fields["name"], fields["listen"], fields["upstream"]), enabled)
        except ApiError as exc:
            return done, exc
        done.append(proxy)
    return done, None


class Api:
    def __init__(self, collection: ProxyCollection, version: str = VERSION):
        self.collection, self.version = collection, version
        p, t = r"/proxies/(?P<proxy>[^/]+)", r"/toxics/(?P<toxic>[^/]+)"
        self.routes: list[tuple[re.Pattern, dict[str, Handler]]] = [
            (r"/reset", {"POST": self.reset}),
            (r"/proxies", {"GET": self.proxy_index, "POST": self.proxy_create}),
            (r"/populate", {"POST": self.populate}),
            (p, {"GET": self.proxy_show, "POST": self.proxy_update, "PATCH": self.proxy_update,
                 "DELETE": self.proxy_delete}),
            (p + r"/toxics", {"GET": self.toxic_index, "POST": self.toxic_create}),
            (p + t, {"GET": self.toxic_show, "POST": self.toxic_update, "PATCH": self.toxic_update,
                     "DELETE": self.toxic_delete}),
            (r"/version", {"GET": self.show_version}),
        ]
        self.routes = [(re.compile(pattern + r"\Z"), methods) for pattern, methods in self.routes]

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        response = await self._dispatch(request)
        response.headers["X-Toxiproxy-Request-Id"] = _request_id()
        return response

    async def _dispatch(self, request: web.BaseRequest) -> web.StreamResponse:
        if request.headers.get("User-Agent", "").startswith("Mozilla/"):
            return _http_error("User agent not allowed", 403)
        for pattern, methods in self.routes:
            match = pattern.match(request.path)
            if match is None:
                continue
            handler = methods.get(request.method)
            if handler is None:
                return web.Response(status=405)
            try:
                body = await request.read()
                async with self.collection.lock:
                    return await handler(body, **match.groupdict())
            except ApiError as exc:
                return _api_error(exc)
            except Exception as exc:   # a bug: still answer the way Go's apiError would
                log.exception("toxiproxy API handler failed")
                return _api_error(ApiError(str(exc), 500))
        return _http_error("404 page not found", 404)

    # -- proxies ------------------------------------------------------------------
    async def reset(self, body: bytes) -> web.Response:
        for proxy in list(self.collection.proxies.values()):
            await proxy.start()
            proxy.toxics.reset()
        return web.Response(status=204)

    async def proxy_index(self, body: bytes) -> web.Response:
        return _json({name: self.collection.proxies[name].to_json() for name in sorted(self.collection.proxies)})

    async def proxy_create(self, body: bytes) -> web.Response:
        fields = {"name": "", "listen": "", "upstream": "", "enabled": True}
        err = gj.fill(_body(body), PROXY_FIELDS, fields, "Proxy", "toxiproxy.Proxy")
        if err:
            raise ERR_BAD_BODY.join(err)
        for required in ("name", "upstream"):
            if not fields[required]:
                raise ERR_MISSING.join(required)
        proxy = Proxy(fields["name"], fields["listen"], fields["upstream"])
        await self.collection.add(proxy, fields["enabled"])
        return _json(proxy.to_json(), 201)

    async def populate(self, body: bytes) -> web.Response:
        try:
            proxies, err = await populate(self.collection, _body(body))
        except ApiError as exc:
            proxies, err = [], exc
        out: dict[str, Any] = {"error": err.message, "status": err.status} if err else {}
        out["proxies"] = [p.to_json() for p in proxies] or None
        return _json(out, err.status if err else 201)

    async def proxy_show(self, body: bytes, proxy: str) -> web.Response:
        return _json(self.collection.get(proxy).to_json())

    async def proxy_update(self, body: bytes, proxy: str) -> web.Response:
        p = self.collection.get(proxy)
        fields = {"name": "", "listen": p.listen, "upstream": p.upstream, "enabled": p.enabled}
        err = gj.fill(_body(body), PROXY_FIELDS, fields, "Proxy", "toxiproxy.Proxy")
        if err:
            raise ERR_BAD_BODY.join(err)
        await p.update(fields["listen"], fields["upstream"], fields["enabled"])
        return _json(p.to_json())

    async def proxy_delete(self, body: bytes, proxy: str) -> web.Response:
        await self.collection.remove(proxy)
        return web.Response(status=204)

    # -- toxics -------------------------------------------------------------------
    async def toxic_index(self, body: bytes, proxy: str) -> web.Response:
        return _json([t.to_json() for t in self.collection.get(proxy).toxics.all()])

    async def toxic_create(self, body: bytes, proxy: str) -> web.Response:
        p = self.collection.get(proxy)
        value = _body(body)
        w = {"name": "", "type": "", "stream": "downstream", "toxicity": 1}
        err = gj.fill(value, {"name": "string", "type": "string", "stream": "string", "toxicity": "float32",
                              "attributes": ("NoopToxic", {})}, w, "ToxicWrapper", "toxics.ToxicWrapper")
        if err:
            raise ERR_BAD_BODY.join(err)
        direction = w["stream"].lower()
        if direction not in ("upstream", "downstream"):
            raise ERR_STREAM
        name = w["name"] or f"{w['type']}_{w['stream']}"
        cls = TOXICS.get(w["type"])
        if cls is None:
            raise ERR_TOXIC_TYPE
        if p.toxics.find(name) is not None:
            raise ERR_TOXIC_EXISTS
        attrs: dict = {}
        err = gj.fill(value, {"attributes": (cls.go_name, dict(cls.attrs))}, attrs, "", "")
        if err:
            raise ERR_BAD_BODY.join(err)
        wrapper = ToxicWrapper(name, w["type"], w["stream"], direction, w["toxicity"],
                               new_toxic(w["type"], attrs.get("attributes", {})))
        p.toxics.add(wrapper)
        return _json(wrapper.to_json())

    def _toxic(self, proxy: str, toxic: str) -> tuple[Proxy, ToxicWrapper]:
        p = self.collection.get(proxy)
        wrapper = p.toxics.find(toxic)
        if wrapper is None:
            from ._proxy import ERR_TOXIC_NOT_FOUND
            raise ERR_TOXIC_NOT_FOUND
        return p, wrapper

    async def toxic_show(self, body: bytes, proxy: str, toxic: str) -> web.Response:
        return _json(self._toxic(proxy, toxic)[1].to_json())

    async def toxic_update(self, body: bytes, proxy: str, toxic: str) -> web.Response:
        p, wrapper = self._toxic(proxy, toxic)
        cls = type(wrapper.toxic)
        out = {"attributes": wrapper.toxic.to_json(), "toxicity": wrapper.toxicity}
        err = gj.fill(_body(body), {"attributes": (cls.go_name, dict(cls.attrs)), "toxicity": "float32"},
                      out, "", "")
        if err:
            raise ERR_BAD_BODY.join(err)
        wrapper.toxic, wrapper.toxicity = cls(**out["attributes"]), out["toxicity"]
        p.toxics.update(wrapper)
        return _json(wrapper.to_json())

    async def toxic_delete(self, body: bytes, proxy: str, toxic: str) -> web.Response:
        self._toxic(proxy, toxic)
        self.collection.get(proxy).toxics.remove(toxic)
        return web.Response(status=204)

    async def show_version(self, body: bytes) -> web.Response:
        return web.Response(body=(json.dumps({"version": self.version}) + "\n").encode(),
                            headers={"Content-Type": "application/json;charset=utf-8"})
