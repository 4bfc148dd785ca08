"""Compression on one side only: a websocket-only connection that offers permessage-deflate (as browsers
and the Node client do). The 101 says whether the server agreed; a frame that arrives compressed (RSV1)
although the 101 agreed nothing means something in front hides Sec-WebSocket-Extensions from one side:
clients close with "Invalid WebSocket frame: RSV1 must be clear". Servers compress only messages over
their threshold (1 KB), so the check asks for one: a Socket.IO CONNECT to a namespace with a 1.1 KB name,
whose refusal ("Invalid namespace") echoes the name; when nothing that large comes it cannot tell."""

from __future__ import annotations

from .._model import FAIL, NA, PASS, Check, Evidence
from .._polling import misrouted
from .._target import Target

TITLE = "WebSocket compression"
SECTION = "beyond-compression"
THRESHOLD = 1024             # ws / engine.io's default perMessageDeflate threshold
NAMESPACE = "/sockfault-compression-check-" + "x" * 1100


CONNECT = "40" + NAMESPACE + ","   # an Engine.IO message carrying a Socket.IO CONNECT (v3 and v4 alike)


def _evidence(ws) -> Evidence:
    """The 101's extension header and each frame's size and compression (a compressed frame nobody agreed to
    is shown as such, not as its deflated bytes)."""
    seen = Evidence.of(ws, note="websocket-only, permessage-deflate offered, then a CONNECT of a 1.1 KB namespace")
    if ws.status != 101:
        return seen
    frames = []
    for f in ws.frames:
        text = str(f.get("data", ""))
        size = f.get("size", len(text))
        frames.append(f"{text[:50]!r}{'...' if len(text) > 50 else ''} ({size} bytes"
                      + (f", compressed to {f['compressed']})" if "compressed" in f else ")"))
    if ws.reserved_bits is not None:
        frames.append(f"a frame with RSV bits {ws.reserved_bits:03b} (RSV1: compressed) the client cannot read")
    extension = ws.headers.get("sec-websocket-extensions")
    return Evidence(seen.request, f"101 [Sec-WebSocket-Extensions: {extension or 'absent'}]; frames: "
                                  + ("; ".join(frames) or "none"))


async def run(t: Target) -> Check:
    check = Check("compression", TITLE, SECTION)
    if t.hello is None:
        return check.set(NA, "no Engine.IO server found (see reachable)")
    if "websocket" not in t.hello.open.upgrades:
        return check.set(NA, "the server offers no websocket upgrade (see the WebSocket check)")
    ws = await t.upgrade(eio=t.eio, timeout=3.0, deflate=True, then=(CONNECT,), wait_for=THRESHOLD)
    check.evidence.append(_evidence(ws))
    big = [f for f in ws.frames if f.get("size", len(f.get("data", ""))) >= THRESHOLD]
    compressed = [f for f in ws.frames if "compressed" in f]
    check.facts.update(agreed=ws.deflate, extensions=ws.headers.get("sec-websocket-extensions"),
                       reserved_bits=ws.reserved_bits, frames=len(ws.frames), compressed_frames=len(compressed),
                       largest=max((f.get("size", len(f.get("data", ""))) for f in ws.frames), default=0))
    if ws.status != 101:
        why = "another node answered (see sticky sessions)" if misrouted(ws) else f"HTTP {ws.status or 'no answer'}"
        return check.set(NA, f"no websocket to look at: {why} (see the WebSocket check)")
    if ws.reserved_bits is not None and not ws.deflate:
        return check.set(FAIL, f"a frame arrived compressed (RSV1 set) although the 101 agreed no permessage-deflate"
                               f" (Sec-WebSocket-Extensions: {ws.headers.get('sec-websocket-extensions', 'absent')}): "
                               "a proxy hides Sec-WebSocket-Extensions from one side; clients that offer compression "
                               "(browsers, the Node client) close with \"Invalid WebSocket frame: RSV1 must be clear\" "
                               "(browsers: \"Invalid frame header\") and stay on polling",
                         "Let the proxy pass Sec-WebSocket-Extensions both ways (or strip it from the request too, so "
                         "the server does not compress), or turn perMessageDeflate off on the server.")
    if ws.deflate:
        how = f"{len(compressed)} of {len(ws.frames)} frames came compressed and inflate" if compressed else \
              "no frame came compressed (the server's threshold)"
        return check.set(PASS, f"permessage-deflate agreed ({ws.headers.get('sec-websocket-extensions')}); {how}")
    if big:
        return check.set(PASS, f"permessage-deflate not agreed and a {check.facts['largest']}-byte frame came "
                               "uncompressed: no compression behind the client's back")
    return check.set(NA, f"permessage-deflate not agreed, and no frame of {THRESHOLD} bytes or more came "
                         f"(largest {check.facts['largest']}): a server compresses only messages over its threshold, "
                         "so this cannot tell whether something hides the extension")
