"""Run the checks against one URL: reachable first (the others need its handshake), the waiting
heartbeat check last with what is left of --timeout, every check bounded by the request budget."""

from __future__ import annotations

import time

from ._model import NA, Check, Diagnosis, SECTIONS
from ._target import BadTarget, OutOfBudget, Target
from .checks import ALWAYS, CHECKS, LAST

__all__ = ["diagnose"]


async def _timed(check_id: str, module, t: Target) -> Check:
    started = time.monotonic()
    try:
        check = await module.run(t)
    except OutOfBudget as exc:
        check = Check(check_id, module.TITLE, _section(module)).set(NA, f"not run: {exc}")
    check.ms = (time.monotonic() - started) * 1000
    return check


def _section(module) -> str:
    name = module.__name__.rsplit(".", 1)[-1]
    return getattr(module, "SECTION", name if name in SECTIONS else "not-reachable")


async def diagnose(url: str, *, origin: str | None = None, path: str | None = None, namespace: str | None = None,
                   client_version: str | None = None, intrusive: bool = False, timeout: float = 15.0,
                   insecure: bool = False, only: list[str] | None = None) -> Diagnosis:
    """The page's checklist answered for a live URL. A bad URL gives a Diagnosis with exit code 2."""
    options = {"origin": origin, "path": path, "namespace": namespace, "client_version": client_version,
               "intrusive": intrusive, "timeout": timeout, "insecure": insecure}
    started = time.monotonic()
    try:
        t = Target(url, origin=origin, path=path, namespace=namespace, client_version=client_version,
                   intrusive=intrusive, timeout=timeout, insecure=insecure)
    except BadTarget as exc:
        return Diagnosis(url, options, undiagnosable=str(exc))
    result = Diagnosis(url, options)
    first = await _timed("reachable", CHECKS["reachable"], t)
    result.checks.append(first)
    rest = [(cid, m) for cid, m in CHECKS.items() if cid != "reachable" and (not only or cid in only)]
    if t.hello is None:
        for cid, module in rest:                 # the transport's checks (TLS, HTTP/2) need no handshake
            result.checks.append(await _timed(cid, module, t) if cid in ALWAYS else Check(
                cid, module.TITLE, _section(module)).set(NA, "not run: no Engine.IO handshake (see reachable)"))
        if t.unreachable:
            result.undiagnosable = f"no HTTP answer from {t.base} ({t.unreachable})"
    else:
        done = {}
        # the TLS look first (cheap, and the others' time must not starve it), the waiting ones last
        for cid, module in sorted(rest, key=lambda item: (item[0] in LAST, item[0] not in ALWAYS)):
            done[cid] = await _timed(cid, module, t)
        result.checks.extend(done[cid] for cid, _ in rest)                  # reported in CHECKS order
    if insecure and t.base.startswith("https"):
        first.facts["insecure"] = True
        first.summary += " (certificate NOT verified: --insecure; browsers and Node clients at their defaults refuse an untrusted one)"
    result.requests = t.requests
    result.wall_s = time.monotonic() - started
    return result
