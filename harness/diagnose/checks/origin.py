"""Origin behind TLS termination: a page served from the deployment itself sends Origin https://host.
python-socketio without cors_allowed_origins accepts only {scheme}://{Host} as it receives them (plus
X-Forwarded-Proto / X-Forwarded-Host when present): behind a proxy that terminates TLS and forwards
plain HTTP without X-Forwarded-Proto (or rewrites Host) it answers 400 "https://host is not an accepted
origin.". The check sends that same-origin handshake; when refused, the same with X-Forwarded-Proto:
https (what the proxy should add) and with the http:// origin, which show which is missing."""

from __future__ import annotations

from urllib.parse import urlsplit

from .._model import FAIL, NA, PASS, WARN, Check, Evidence
from .._target import Target

TITLE = "Origin behind TLS termination"
SECTION = "beyond-origin-tls"
ADVICE = ("Make the proxy that terminates TLS say so: nginx `proxy_set_header X-Forwarded-Proto $scheme;` and "
          "`proxy_set_header Host $http_host;` (HAProxy: `http-request set-header X-Forwarded-Proto https`), or "
          "list the public origin in cors_allowed_origins.")


def refused_origin(result) -> bool:
    return result.status == 400 and "is not an accepted origin" in result.text


async def run(t: Target) -> Check:
    check = Check("origin", TITLE, SECTION)
    if t.hello is None:
        return check.set(NA, "no Engine.IO server found (see reachable)")
    origins = []
    if t.base.startswith("https://"):
        origins.append(t.base)                      # a page served by the deployment itself
    if t.origin and t.origin.startswith("https://") and t.origin not in origins:
        origins.append(t.origin)
    if not origins:
        return check.set(NA, "http:// URL and no https --origin: no TLS termination to look at")
    check.facts["origins"] = {}
    refused = None
    for origin in origins:
        hs = await t.handshake(t.eio, origin=origin)
        check.evidence.append(Evidence.of(hs, note="same-origin page" if origin == t.base else "--origin"))
        check.facts["origins"][origin] = hs.status
        if refused_origin(hs) and refused is None:
            refused = origin
    if refused is None:
        return check.set(PASS, f"the https origin{'s' if len(origins) > 1 else ''} {', '.join(origins)} "
                               "accepted by the handshake")
    said = f"400 \"{refused} is not an accepted origin.\" (python-socketio's same-origin default)"
    if refused != t.base:
        return check.set(WARN, f"{said} for --origin {refused}, which is not the deployment's own origin: a CORS "
                               "matter (see the CORS check): list it in cors_allowed_origins")
    host = urlsplit(refused).netloc
    with_proto = await t.request(eio=t.eio, origin=refused,
                                 headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": host})
    check.evidence.append(Evidence.of(with_proto, note="with X-Forwarded-Proto: https, X-Forwarded-Host"))
    as_http = await t.handshake(t.eio, origin="http://" + host)
    check.evidence.append(Evidence.of(as_http, note="the same origin as http://"))
    check.facts.update(refused=refused, accepted_with_forwarded_proto=with_proto.ok,
                       accepted_as_http=as_http.ok and as_http.open is not None)
    if as_http.open is not None or with_proto.open is not None:
        proof = ("it accepts http://" + host if as_http.open is not None else "") + \
                (" and" if as_http.open is not None and with_proto.open is not None else "") + \
                (" it accepts the https origin when X-Forwarded-Proto: https comes" if with_proto.open is not None else "")
        return check.set(FAIL, f"{said}: the server sees the request as plain http (TLS terminated in front, no "
                               f"X-Forwarded-Proto) or under another Host; {proof.strip()}: browsers on the https "
                               "page get \"xhr poll error\" (400)", ADVICE)
    return check.set(FAIL, f"{said}, also with X-Forwarded-Proto / X-Forwarded-Host: the proxy rewrites Host "
                           "(e.g. to the upstream's address) or the server lists other origins", ADVICE)
