"""Did the client connect, fail to connect (and how), or come back after a drop?"""

from __future__ import annotations

import re

from ..errors import SymptomMismatch
from ._observation import Evidence, Observation, fmt_events

__all__ = ["connected", "never_connects", "connect_error", "reconnected"]


def connected(obs: Observation, p: dict) -> Evidence:
    source = f"client:{p.get('client', 0)}"
    connects = obs.events(source, "connect")
    want = p.get("transport")
    if not connects:
        errors = obs.events(source, ("connect_error", "disconnect", "peer_exit"))
        raise SymptomMismatch(f"{source} connected", f"no connect: {fmt_events(errors)}", errors)
    first = connects[0]
    if "within" in p and first.t > p["within"].resolve(obs.heartbeat_ms(p.get("client", 0)) / 1000) * 1000:
        raise SymptomMismatch(f"{source} connected within {p['within']}", f"connect at {first.t / 1000:.2f} s",
                              [first])
    if want is None:
        return Evidence(f"connected as {first.data.get('id')} over {first.data.get('transport')}", [first])
    upgrades = [e for e in obs.events(source, "upgrade") if e.t >= first.t]
    final = upgrades[-1].data.get("transport") if upgrades else first.data.get("transport")
    if final != want:
        raise SymptomMismatch(f"{source} connected over {want}",
                              f"connected over {first.data.get('transport')}, final transport {final}",
                              [first] + upgrades)
    return Evidence(f"connected over {first.data.get('transport')}, now {final}", [first] + upgrades)


def never_connects(obs: Observation, p: dict) -> Evidence:
    source = f"client:{p.get('client', 0)}"
    connects = obs.events(source, "connect")
    if connects:
        raise SymptomMismatch(f"{source} never connects", fmt_events(connects), connects)
    errors = obs.events(source, ("connect_error", "connect_timeout", "disconnect"))
    return Evidence(f"no connect in {obs.end_ms / 1000:.2f} s; saw {fmt_events(errors)}", errors)


def _matches(event, p: dict) -> bool:
    data = event.data
    if "message" in p and data.get("message") != p["message"]:
        return False
    if "message_contains" in p and p["message_contains"] not in str(data.get("message", "")):
        return False
    if "message_matches" in p and not re.search(p["message_matches"], str(data.get("message", ""))):
        return False
    if "description" in p and str(data.get("description")) != str(p["description"]):
        return False
    if "type" in p and data.get("type") != p["type"]:
        return False
    return True


def connect_error(obs: Observation, p: dict) -> Evidence:
    source = f"client:{p.get('client', 0)}"
    errors = obs.events(source, "connect_error")
    hits = [e for e in errors if _matches(e, p)]
    wanted = {k: v for k, v in p.items() if k != "client"}
    if not hits:
        raise SymptomMismatch(f"connect_error {wanted or ''}".strip(), fmt_events(errors), errors)
    return Evidence(f"connect_error {fmt_events(hits[:1])}", hits[:3])


def reconnected(obs: Observation, p: dict) -> Evidence:
    source = f"client:{p.get('client', 0)}"
    connects = obs.events(source, "connect")
    drops = obs.events(source, "disconnect")
    if not connects or not drops:
        raise SymptomMismatch(f"{source} connects, drops and reconnects", fmt_events(connects + drops),
                              connects + drops)
    drop = drops[0]
    before = [e for e in connects if e.t < drop.t]
    after = [e for e in connects if e.t > drop.t]
    if not before or not after:
        raise SymptomMismatch("a connect before and after the disconnect", fmt_events(connects + [drop]),
                              connects + [drop])
    old, new = before[-1].data.get("id"), after[0].data.get("id")
    evidence = [before[-1], drop, after[0]]
    if "new_id" in p and (old != new) != p["new_id"]:
        raise SymptomMismatch("a new socket id after reconnecting" if p["new_id"] else "the same socket id kept",
                              f"{old!r} then {new!r}", evidence)
    if "recovered" in p:
        recovered = [e for e in obs.events("server", "connection") if e.t > drop.t and e.data.get("recovered")]
        if bool(recovered) != p["recovered"]:
            raise SymptomMismatch(f"recovered={p['recovered']}", fmt_events(recovered) if recovered
                                  else "no recovered connection on the server", evidence + recovered)
    return Evidence(f"reconnected {new!r} (was {old!r}) at {after[0].t / 1000:.2f} s after "
                    f"{drop.data.get('reason')!r} at {drop.t / 1000:.2f} s", evidence)
