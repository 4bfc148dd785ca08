"""'Stuck in HTTP long-polling': connected on one transport and never upgraded for a window."""

from __future__ import annotations

from ..errors import SymptomMismatch
from ._observation import Evidence, Observation, fmt_events

__all__ = ["transport_stays"]


def transport_stays(obs: Observation, p: dict) -> Evidence:
    index = p.get("client", 0)
    source = f"client:{index}"
    want = p["transport"]
    connect = obs.first(source, "connect")
    if connect is None:
        errors = obs.events(source, ("connect_error", "disconnect"))
        raise SymptomMismatch(f"{source} connected over {want}", f"no connect: {fmt_events(errors)}", errors)
    if connect.data.get("transport") != want:
        raise SymptomMismatch(f"connected over {want}", f"connected over {connect.data.get('transport')}", [connect])
    need_s = p["for"].resolve(obs.heartbeat_ms(index) / 1000) if "for" in p else 0.0
    until = connect.t + need_s * 1000
    upgrades = [e for e in obs.events(source, "upgrade") if e.t >= connect.t]
    if upgrades:
        raise SymptomMismatch(f"transport stays {want} for {need_s:.2f} s",
                              f"upgraded to {upgrades[0].data.get('transport')} at {upgrades[0].t / 1000:.2f} s",
                              [connect] + upgrades)
    drops = [e for e in obs.events(source, "disconnect") if connect.t <= e.t <= until]
    if drops:
        raise SymptomMismatch(f"connected over {want} for {need_s:.2f} s", fmt_events(drops), [connect] + drops)
    if obs.end_ms < until:
        raise SymptomMismatch(f"watched {need_s:.2f} s on {want}", f"the run ended {(until - obs.end_ms) / 1000:.2f} s early")
    evidence = [connect]
    if p.get("upgrade_error"):
        errors = obs.events(source, "upgradeError")
        if not errors:
            raise SymptomMismatch("an upgradeError (failed probe)", "no upgradeError", [connect])
        evidence += errors[:1]
    return Evidence(f"on {want} from {connect.t / 1000:.2f} s for {need_s:.2f} s, no upgrade"
                    + (f"; upgradeError {evidence[-1].data.get('message')!r}" if p.get("upgrade_error") else ""),
                    evidence)
