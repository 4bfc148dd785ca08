"""Versions: which Engine.IO revisions the server accepts (EIO=3 and EIO=4 handshakes), the server
generation that implies, and which socket.io-client majors can connect (the page's JS table, with
what the wire adds: a 1.x client reaches a 2.x server)."""

from __future__ import annotations

from harness.protocol import ErrorCode

from .._model import FAIL, NA, PASS, WARN, Check, Evidence
from .._target import Target

TITLE = "protocol versions"

# client major -> (connects?, what it sees when not), per accepted revision set
_NO_V4 = "400 {\"code\":5,\"message\":\"Unsupported protocol version\"} -> connect_error \"xhr poll error\""
_NO_V3 = "a v3-framed answer (\"96:0{...\") -> connect_error \"server error\""
TABLE = {
    frozenset({4}): {"1.x": (False, _NO_V4), "2.x": (False, _NO_V4), "3.x": (True, ""), "4.x": (True, "")},
    frozenset({3, 4}): {"1.x": (False, "the page's table: NO (not measured here)"), "2.x": (True, ""),
                        "3.x": (True, ""), "4.x": (True, "")},
    frozenset({3}): {"1.x": (True, ""), "2.x": (True, ""), "3.x": (False, _NO_V3), "4.x": (False, _NO_V3)},
}


def accepted(t: Target) -> set[int]:
    """The revisions the server handshakes in their own framing."""
    out = set()
    for eio, hs in ((4, t.open4), (3, t.open3)):
        if hs is not None and hs.open is not None and (hs.server_eio or eio) == eio:
            out.add(eio)
    return out


def family(t: Target) -> str:
    """"python" when an answer is python-engineio's (a text/plain JSON string), else "node"."""
    for hs in (t.open3, t.open4):
        if hs is not None and hs.error is not None and hs.error.family == "python":
            return "python"
    return "node"


def generation(eios: set[int], fam: str, open_) -> str:
    ping_timeout = open_.ping_timeout if open_ else None
    has_max = open_ is not None and open_.max_payload is not None
    if fam == "python":
        return "python-socketio 5.x (python-engineio 4.x" + (", >= 4.11" if has_max else "") + ")"
    if eios == {3}:
        guess = {60000: "1.x or 2.0.x", 5000: "2.1-2.4", 20000: "2.5.x"}.get(ping_timeout)
        return "socket.io 1.x/2.x" + (f" ({guess} if the heartbeat defaults were kept)" if guess else "")
    base = "socket.io 3.x/4.x" + (" with allowEIO3: true" if 3 in eios else "")
    if has_max:
        return base + " (maxPayload advertised: socket.io >= 4.5)"
    guess = {5000: "3.x", 20000: "4.0-4.4"}.get(ping_timeout)
    return base + (f" ({guess} if the heartbeat defaults were kept)" if guess else "")


async def run(t: Target) -> Check:
    check = Check("versions", TITLE, "versions")
    for hs in (t.open4, t.open3):
        if hs is not None:
            check.evidence.append(Evidence.of(hs))
    eios = accepted(t)
    if not eios:
        return check.set(NA, "no revision handshakes (see reachable)")
    fam = family(t)
    o = t.hello.open if t.hello else None
    table = TABLE[frozenset(eios)]
    clients = {major: ("yes" if ok else f"no: {why}") for major, (ok, why) in table.items()}
    gen = generation(eios, fam, o)
    check.facts.update(accepted_eio=sorted(eios), family=fam, generation=gen, clients=clients)
    if t.open3 is not None and t.open3.open is not None and t.open3.server_eio == 4:
        check.facts["ignores_eio"] = True
        gen += "; it answers EIO=3 in v4 framing (socket.io 3.0.x ignores EIO)"
    can = [m for m, (ok, _) in table.items() if ok]
    summary = f"accepts EIO {' and '.join(map(str, sorted(eios)))}: {gen}; JS clients {', '.join(can)} connect"
    advice = ""
    if eios == {4}:
        advice = ("1.x/2.x clients: upgrade them, or set allowEIO3: true on the server" if fam == "node" else
                  "python-socketio 5.x speaks EIO 4 only: 1.x/2.x clients need python-socketio 4.x")
    elif eios == {3}:
        advice = "3.x/4.x clients need a socket.io 3.x/4.x server (with allowEIO3: true for the 2.x clients)"
    if t.client_version:
        major = t.client_version.split(".")[0].lstrip("v") + ".x"
        check.facts["client_version"] = t.client_version
        if major not in table:
            return check.set(WARN, summary + f"; client {t.client_version}: not in the JS table", advice)
        ok, why = table[major]
        if not ok:
            return check.set(FAIL, f"socket.io-client {t.client_version} cannot connect: {why} ({gen})", advice)
        return check.set(PASS, summary + f"; your client {t.client_version}: yes")
    if eios == {3}:
        return check.set(WARN, summary + "; 3.x/4.x clients cannot (--client-version V to check yours)", advice)
    refusal = t.open3.error if t.open3 is not None else None
    if refusal is not None and refusal.code == ErrorCode.UNSUPPORTED_PROTOCOL_VERSION:
        summary += f" (EIO=3 refused: {refusal.message})"
    return check.set(PASS, summary, advice)
