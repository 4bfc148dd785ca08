"""A reconnection storm: how many sockets of a swarm client came back after a server restart, how fast,
and how bunched: the peak number in any `window` of reconnects (`of: reconnects`, each socket's first
connect after the kill), of reconnection attempts (`of: attempts`, every `reconnect_attempt`: the
requests the herd sends, whether or not they succeed) or of the delays the sockets drew (`of: delays`,
each socket's first attempt after its drop: the `delay` its backoff drew when the peer reports it, else
the attempt's time minus the drop's; randomizationFactor 0 gives every socket the same delay, so sockets
dropped together come back together; this one holds on a starved CPU, where absolute times smear). A thundering herd when high."""

from __future__ import annotations

from ..errors import SymptomMismatch
from ._observation import Evidence, Observation

__all__ = ["reconnect_storm", "storm_figures"]


def storm_figures(obs: Observation, client: int = 0, window_ms: float = 100.0) -> dict:
    """After the runner's first `server_killed`: each socket's (`n`) first connect after it dropped,
    timed from the kill (timeline ms) and bunched by the peer's own clock (`ts`, so a burst of lines
    read late does not look like a burst of reconnects)."""
    source = f"client:{client}"
    kill = obs.first("runner", "server_killed")
    if kill is None:
        raise SymptomMismatch("a server_killed (a restart_server step) to time the storm from", "none on the timeline")
    dropped = {e.data.get("n") for e in obs.events(source, "disconnect") if e.t >= kill.t}
    back: dict = {}
    for e in obs.events(source, "connect"):
        n = e.data.get("n")
        if e.t >= kill.t and n in dropped and n not in back:
            back[n] = e
    stamps = sorted(_ts(e) for e in back.values())
    peak, peak_at = _peak(stamps, window_ms)
    attempts = sorted(_ts(e) for e in obs.events(source, "reconnect_attempt") if e.t >= kill.t)
    attempt_peak, _ = _peak(attempts, window_ms)
    drop_ts: dict = {}
    for e in obs.events(source, "disconnect"):
        if e.t >= kill.t:
            drop_ts.setdefault(e.data.get("n"), _ts(e))
    delays: dict = {}
    for e in obs.events(source, "reconnect_attempt"):
        n = e.data.get("n")
        if e.t >= kill.t and n in drop_ts and n not in delays:
            drawn = e.data.get("delay")   # what the client's backoff drew, when the peer says: exact on a starved CPU
            delays[n] = float(drawn) if isinstance(drawn, (int, float)) else _ts(e) - drop_ts[n]
    delay_peak, _ = _peak(sorted(delays.values()), window_ms)
    after = sorted((e.t - kill.t) / 1000 for e in back.values())
    first_ts = stamps[0] if stamps else None
    return {"sockets": len({e.data.get("n") for e in obs.events(source, "connect")}), "dropped": len(dropped),
            "back": len(back), "peak": peak, "window_ms": window_ms,
            "peak_at_s": None if peak_at is None else round(after[0] + (peak_at - first_ts) / 1000, 3),
            "first_back_s": after[0] if after else None, "all_back_s": after[-1] if after else None,
            "spread_s": (stamps[-1] - stamps[0]) / 1000 if stamps else None, "events": list(back.values()),
            "attempts": len(attempts), "attempt_peak": attempt_peak, "delay_peak": delay_peak,
            "delay_ms": (round(min(delays.values())), round(max(delays.values()))) if delays else None}


def _ts(event) -> float:
    return float(event.data.get("ts", event.t))


def _peak(stamps: list[float], window_ms: float) -> tuple[int, float | None]:
    """The most stamps in any window [t, t + window_ms), and where it starts."""
    peak, peak_at, j = 0, None, 0
    for i, t in enumerate(stamps):
        while stamps[j] <= t - window_ms:
            j += 1
        if i - j + 1 > peak:
            peak, peak_at = i - j + 1, stamps[j]
    return peak, peak_at


def _seconds(obs: Observation, p: dict, key: str) -> float:
    duration = p[key]
    return duration.resolve(obs.heartbeat_ms(p.get("client", 0)) / 1000 if duration.heartbeats else 0.0)


def reconnect_storm(obs: Observation, p: dict) -> Evidence:
    window_ms = _seconds(obs, p, "window") * 1000 if "window" in p else 100.0
    f = storm_figures(obs, p.get("client", 0), window_ms)
    seen = (f"{f['back']} of {f['dropped']} dropped sockets (of {f['sockets']}) back"
            + (f" {f['first_back_s']:.2f}-{f['all_back_s']:.2f} s after the kill (spread {f['spread_s']:.2f} s), "
               f"peak {f['peak']} in {window_ms:.0f} ms at {f['peak_at_s']:.2f} s" if f["back"] else "")
            + f"; {f['attempts']} reconnection attempts, peak {f['attempt_peak']} in {window_ms:.0f} ms"
            + (f"; first delays {f['delay_ms'][0]}-{f['delay_ms'][1]} ms, peak {f['delay_peak']} in {window_ms:.0f} ms"
               if f["delay_ms"] else ""))
    if not f["dropped"]:
        raise SymptomMismatch("sockets dropped by the server kill", f"no disconnect after it ({seen})")
    wanted = p.get("min_count", f["dropped"])
    if f["back"] < wanted:
        raise SymptomMismatch(f"at least {wanted} sockets back after the kill", seen, f["events"][:4])
    if "within" in p:
        limit = _seconds(obs, p, "within")
        if f["all_back_s"] > limit:
            raise SymptomMismatch(f"every socket back within {limit:.2f} s of the kill", seen, f["events"][-4:])
    what = p.get("of", "reconnects")
    peak = {"attempts": f["attempt_peak"], "delays": f["delay_peak"]}.get(what, f["peak"])
    what = "sockets' delays" if what == "delays" else what
    if "min_peak" in p and peak < p["min_peak"]:
        raise SymptomMismatch(f"a peak of at least {p['min_peak']} {what} in {window_ms:.0f} ms (a herd)", seen,
                              f["events"][:4])
    if "max_peak" in p and peak > p["max_peak"]:
        raise SymptomMismatch(f"at most {p['max_peak']} {what} in any {window_ms:.0f} ms (spread out)", seen,
                              f["events"][:4])
    return Evidence(seen, f["events"][:4])

