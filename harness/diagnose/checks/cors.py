"""CORS for the page's origin: the polling GET and POST a browser sends cross-origin, the preflight
(sent only when the client adds extraHeaders), and credentials with a wildcard origin. Only
browsers enforce CORS: Node and Python clients send no Origin and never see it."""

from __future__ import annotations

from .._model import FAIL, NA, PASS, WARN, Check, Evidence
from .._polling import Session, misrouted
from .._target import Target

TITLE = "CORS"
ACAO, ACAC = "access-control-allow-origin", "access-control-allow-credentials"
SHOWN = (ACAO, ACAC, "access-control-allow-methods", "access-control-allow-headers", "vary")


def _allows(headers: dict, origin: str) -> str | None:
    """None when the answer lets the page read it, else why not."""
    value = headers.get(ACAO)
    if value is None:
        return "no Access-Control-Allow-Origin header"
    if value not in ("*", origin):
        return f"Access-Control-Allow-Origin is {value!r}, not {origin!r}"
    return None


async def run(t: Target) -> Check:
    check = Check("cors", TITLE, "cors")
    if not t.origin:
        return check.set(NA, "no --origin given: pass the origin of your page (e.g. --origin https://app.example) "
                             "to check what a browser there gets; Node/Python clients send no Origin")
    if t.hello is None:
        return check.set(NA, "no Engine.IO server found (see reachable)")
    origin = t.origin
    session, hs = await Session.open(t, origin=origin)
    check.evidence.append(Evidence.of(hs, headers=SHOWN))
    if session is None:
        refusal = hs.error.message if hs.error else hs.verdict()
        check.facts.update(get=False, refusal=refusal)
        return check.set(FAIL, f"the handshake from {origin} is refused: HTTP {hs.status} {refusal!r} (the browser "
                               "reports \"xhr poll error\")",
                         "Add the origin to the server's allowed origins (cors.origin / cors_allowed_origins).")
    problems = {}
    why = _allows(hs.headers, origin)
    if why:
        problems["GET"] = why
    post = await session.post(session.heartbeat())
    check.evidence.append(Evidence.of(post, headers=SHOWN, note="a heartbeat packet"))
    why = _allows(post.headers, origin) if post.status is not None else "no answer"
    if why and not misrouted(post):
        problems["POST"] = why
    preflight = await t.request(method="OPTIONS", eio=session.eio, sid=session.sid, timeout=3.0, origin=origin,
                                headers={"Access-Control-Request-Method": "POST",
                                         "Access-Control-Request-Headers": "content-type,x-custom"})
    check.evidence.append(Evidence.of(preflight, headers=SHOWN, note="preflight"))
    await session.close()
    preflight_ok = preflight.status is not None and preflight.status < 300 and _allows(preflight.headers, origin) is None
    wildcard = hs.headers.get(ACAO) == "*"
    credentials = hs.headers.get(ACAC, "").lower() == "true"
    check.facts.update(allow_origin=hs.headers.get(ACAO), allow_credentials=credentials, preflight=preflight.status,
                       problems=problems)
    if problems:
        detail = "; ".join(f"{k}: {v}" for k, v in problems.items())
        return check.set(FAIL, f"a page at {origin} cannot read the polling answers ({detail}): the browser says "
                               "\"Cross-Origin Request Blocked\" and the client \"xhr poll error\"",
                         "Enable CORS on the server for this origin (socket.io v3+: the `cors` option; "
                         "python-socketio: cors_allowed_origins), or check that the proxy keeps the headers.")
    if wildcard and credentials:
        return check.set(FAIL, "Access-Control-Allow-Origin is '*' together with Allow-Credentials: true: browsers "
                               "refuse it (\"must not be the wildcard '*' when the request's credentials mode is "
                               "'include'\")", "Reflect the page's origin instead of '*'.")
    notes = []
    if wildcard:
        notes.append("'*': a client with withCredentials: true is refused")
    elif not credentials:
        notes.append("no Allow-Credentials: withCredentials: true (cookie stickiness) would be refused")
    if not preflight_ok:
        notes.append(f"the preflight gets {preflight.status}: a client that sends extraHeaders is refused")
    summary = f"{origin} may read the polling GET and POST (Allow-Origin {hs.headers.get(ACAO)!r})"
    if notes:
        return check.set(WARN if not preflight_ok else PASS, summary + "; " + "; ".join(notes))
    return check.set(PASS, summary + ", with credentials and a preflight")

