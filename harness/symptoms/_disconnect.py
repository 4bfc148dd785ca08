"""Disconnects: which side, which reason, and when relative to the advertised heartbeat."""

from __future__ import annotations

from ..errors import SymptomMismatch
from ._observation import Evidence, Observation, fmt_events

__all__ = ["disconnect", "no_disconnect"]


def _sources(p: dict) -> list[str]:
    side = p.get("side", "any")
    client, server = f"client:{p.get('client', 0)}", f"server:{p.get('server', 0)}"
    return {"client": [client], "server": [server], "any": [client, server]}[side]


def _references(obs: Observation, p: dict, before_ms: float | None = None) -> tuple[float, float, str]:
    """(earliest, latest, name) of the reference: one origin, or a pair [a, b] when what starts the clock
    is only known to lie between two observed events (a TCP proxy's connection age starts at its accept,
    somewhere between the runner's connect command and the client's handshake)."""
    origin = p.get("from", "handshake")
    if isinstance(origin, list):
        (early, a), (late, b) = (_reference_ms(obs, dict(p, **{"from": o}), before_ms) for o in origin)
        return early, max(early, late), f"{a} .. {b}"
    ref, name = _reference_ms(obs, p, before_ms)
    return ref, ref, name


def _reference_ms(obs: Observation, p: dict, before_ms: float | None = None) -> tuple[float, str]:
    origin = p.get("from", "handshake")
    client = f"client:{p.get('client', 0)}"
    if origin == "start":
        return 0.0, "start"
    if origin == "command":   # the runner's connect command for this client
        commands = [e for e in obs.events("runner", "connect") if e.data.get("client") == p.get("client", 0)]
        if not commands:
            raise SymptomMismatch("a connect command to time the disconnect from", "none on the timeline")
        return commands[0].t, "the connect command"
    if origin == "last_ping":
        # Engine.IO 4: each ping the client receives restarts its pingInterval + pingTimeout deadline, so its
        # 'ping timeout' is timed from the last one before it (none yet: from the handshake, which starts it)
        pings = [e for e in obs.events(client, "ping") if before_ms is None or e.t <= before_ms]
        if pings:
            return pings[-1].t, "its last ping"
        origin = "handshake"
    kinds = {"handshake": "handshake", "connect": "connect", "fault": "fault_applied"}[origin]
    source = "runner" if origin == "fault" else client
    event = obs.first(source, kinds)
    if event is None and origin == "handshake":
        event = obs.first("server", "connection")
    if event is None:
        raise SymptomMismatch(f"a {origin} to time the disconnect from", "none on the timeline")
    return event.t, origin


def disconnect(obs: Observation, p: dict) -> Evidence:
    reasons = p.get("reason")
    reasons = [reasons] if isinstance(reasons, str) else reasons
    seen = sorted((e for s in _sources(p) for e in obs.events(s, "disconnect")), key=lambda e: e.t)
    hits = [e for e in seen if reasons is None or e.data.get("reason") in reasons]
    what = f"disconnect {'/'.join(map(repr, reasons)) if reasons else ''} on {p.get('side', 'any')} side".replace("  ", " ")
    if not hits:
        raise SymptomMismatch(what, fmt_events(seen), seen)
    if len(hits) < p.get("min_count", 1):
        raise SymptomMismatch(f"{what} at least {p['min_count']} times", f"{len(hits)}: {fmt_events(hits)}", hits)
    if "at" not in p and "within" not in p:
        return Evidence(f"{fmt_events(hits[:2])}", hits[:4])
    heartbeat_s = obs.heartbeat_ms(p.get("client", 0)) / 1000
    if "within" in p:
        return _within(obs, p, what, hits, seen, heartbeat_s)
    expected_s = p["at"].resolve(heartbeat_s)
    tolerance_s = p["tolerance"].resolve(heartbeat_s) if "tolerance" in p else max(0.3, 0.15 * expected_s)
    first = hits[0]
    early_ms, late_ms, origin = _references(obs, p, before_ms=first.t)
    window = f"{expected_s:.2f}±{tolerance_s:.2f} s after {origin} (heartbeat {heartbeat_s:.2f} s as advertised)"
    offsets = f"{(first.t - early_ms) / 1000:.2f} s" if early_ms == late_ms else \
        f"{(first.t - late_ms) / 1000:.2f} .. {(first.t - early_ms) / 1000:.2f} s"
    if not (early_ms / 1000 + expected_s - tolerance_s <= first.t / 1000 <= late_ms / 1000 + expected_s + tolerance_s):
        raise SymptomMismatch(f"{what} at {window}",
                              f"{first.data.get('reason')!r} at {offsets} ({fmt_events(seen)})", seen)
    return Evidence(f"{first.source} {first.data.get('reason')!r} at {offsets}, expected {window}", hits[:4])


def _within(obs: Observation, p: dict, what: str, hits: list, seen: list, heartbeat_s: float) -> Evidence:
    """A disconnect after the reference and no later than `within` (+ tolerance) after it."""
    limit_s = p["within"].resolve(heartbeat_s)
    tolerance_s = p["tolerance"].resolve(heartbeat_s) if "tolerance" in p else max(0.3, 0.15 * limit_s)
    ref_ms, late_ms, origin = _references(obs, p)
    after = [e for e in hits if e.t >= ref_ms]
    window = f"within {limit_s:.2f}+{tolerance_s:.2f} s after {origin} (heartbeat {heartbeat_s:.2f} s as advertised)"
    if not after:
        raise SymptomMismatch(f"{what} {window}", f"none after {origin}: {fmt_events(seen)}", seen)
    offset_s = (after[0].t - late_ms) / 1000
    if offset_s > limit_s + tolerance_s:
        raise SymptomMismatch(f"{what} {window}", f"{after[0].data.get('reason')!r} at {offset_s:.2f} s", seen)
    return Evidence(f"{after[0].source} {after[0].data.get('reason')!r} {offset_s:.2f} s after {origin}, "
                    f"expected {window}", after[:4])


def no_disconnect(obs: Observation, p: dict) -> Evidence:
    seen = sorted((e for s in _sources(p) for e in obs.events(s, "disconnect")), key=lambda e: e.t)
    connect = obs.first(f"client:{p.get('client', 0)}", "connect")
    if connect is None:
        raise SymptomMismatch("a connected client that stays connected", "no connect")
    if seen:
        raise SymptomMismatch("no disconnect", fmt_events(seen), seen)
    if "for" in p:
        need_s = p["for"].resolve(obs.heartbeat_ms(p.get("client", 0)) / 1000)
        held_s = (obs.end_ms - connect.t) / 1000
        if held_s < need_s:
            raise SymptomMismatch(f"connected for {need_s:.2f} s", f"the run watched only {held_s:.2f} s")
    return Evidence(f"connected at {connect.t / 1000:.2f} s, no disconnect until {obs.end_ms / 1000:.2f} s",
                    [connect])
