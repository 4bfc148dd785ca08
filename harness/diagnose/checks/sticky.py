"""Sticky sessions: repeated polling requests of one session must reach the node that issued its sid;
a balancer that spreads them answers 400 {"code":1,"message":"Session ID unknown"} (python-engineio:
"Invalid session"). A Set-Cookie on the handshake hints at cookie stickiness, which holds only for
clients that send the cookie back (a browser; the Node client only with withCredentials: true)."""

from __future__ import annotations

from harness.protocol import ErrorCode

from .._model import FAIL, NA, PASS, WARN, Check, Evidence
from .._polling import Session
from .._target import Target

TITLE = "sticky sessions"
REPEATS = 6


def _cookies(headers: dict) -> str:
    """The handshake's Set-Cookie as a Cookie header value ("" when none); aiohttp folds repeats."""
    raw = headers.get("set-cookie", "")
    return "; ".join(part.split(";")[0].strip() for part in raw.split("\n") if "=" in part)


async def _repeat(session: Session, headers: dict | None) -> tuple[int, list]:
    lost, shown = 0, []
    for i in range(REPEATS):
        post = await session.post(session.heartbeat(), headers=headers, timeout=3.0)
        unknown = post.error is not None and post.error.code == ErrorCode.SESSION_ID_UNKNOWN
        lost += unknown
        if unknown and not any("400" in e.response for e in shown) or i == 0:
            shown.append(Evidence.of(post, note=f"request {i + 1} of {REPEATS}" + (" with the cookie" if headers else "")))
    return lost, shown


async def run(t: Target) -> Check:
    check = Check("sticky", TITLE, "sticky")
    if t.hello is None:
        return check.set(NA, "no Engine.IO server found (see reachable)")
    session, hs = await Session.open(t)
    check.evidence.append(Evidence.of(hs, headers=("set-cookie",)))
    if session is None:
        return check.set(WARN, f"a second handshake failed: {hs.verdict()}")
    lost, shown = await _repeat(session, None)
    check.evidence.extend(shown)
    await session.close()
    cookie = _cookies(hs.headers)
    check.facts.update(requests=REPEATS, session_unknown=lost, set_cookie=cookie or None)
    if not lost:
        hint = f"; the handshake sets a cookie ({cookie.split('=')[0]}) that these requests did not send back" if cookie else ""
        return check.set(PASS, f"{REPEATS} of {REPEATS} requests of one session reached the node that knows it "
                               f"(one node, or sticky balancing){hint}")
    summary = (f"{lost} of {REPEATS} requests of one session got 400 Session ID unknown: the load balancer sends "
               "them to a node that did not issue the sid")
    advice = ("Make the balancer sticky (nginx ip_hash / hash $remote_addr, HAProxy balance source or a cookie, "
              "mitmproxy/cloud balancers: session affinity), or use websocket-only clients.")
    if not cookie:
        return check.set(FAIL, summary, advice)
    again, hs2 = await Session.open(t)
    if again is None:
        return check.set(FAIL, summary, advice)
    with_cookie = _cookies(hs2.headers) or cookie
    lost2, shown2 = await _repeat(again, {"Cookie": with_cookie})
    check.evidence.extend(shown2)
    await again.close()
    check.facts["session_unknown_with_cookie"] = lost2
    if lost2:
        return check.set(FAIL, summary + f"; sending its cookie back does not help ({lost2} of {REPEATS})", advice)
    return check.set(WARN, summary + f" unless the cookie {with_cookie.split('=')[0]} comes back: with it, "
                                     f"{REPEATS} of {REPEATS} stick",
                     "Cookie stickiness holds for browsers (same origin, or withCredentials: true cross-origin) and "
                     "for the Node client only with withCredentials: true; other clients get \"xhr post error\".")
