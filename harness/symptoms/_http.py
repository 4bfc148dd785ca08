"""Raw HTTP exchanges (from the probe or a proxy): status, JSON or text body, content type; `source: client`:
the requests a browser peer saw fail (no status, Chromium's error as the body, e.g. net::ERR_CERT_AUTHORITY_INVALID)."""

from __future__ import annotations

from ..errors import SymptomMismatch
from ._observation import Evidence, Observation, fmt_events

__all__ = ["http"]


def _subset(expected, seen) -> bool:
    if isinstance(expected, dict):
        return isinstance(seen, dict) and all(k in seen and _subset(v, seen[k]) for k, v in expected.items())
    return expected == seen


def _matches(event, p: dict) -> bool:
    d = event.data
    checks = [
        "status" not in p or d.get("status") == p["status"],
        "json" not in p or _subset(p["json"], d.get("json")),
        "body" not in p or d.get("body") == p["body"],
        "body_contains" not in p or p["body_contains"] in str(d.get("body", "")),
        "content_type" not in p or str(d.get("content_type", "")).startswith(p["content_type"]),
        "url_contains" not in p or p["url_contains"] in str(d.get("url", "")),
        "method" not in p or d.get("method") == p["method"],
    ]
    return all(checks)


def http(obs: Observation, p: dict) -> Evidence:
    source = {"any": "", "probe": "probe", "proxy": "proxy", "client": "client"}.get(p.get("source", "any"), p.get("source"))
    exchanges = obs.events(source or None, "http") if source else obs.events(None, "http")
    hits = [e for e in exchanges if _matches(e, p)]
    wanted = {k: v for k, v in p.items() if k not in ("source", "min_count")}
    if len(hits) < p.get("min_count", 1):
        raise SymptomMismatch(f"HTTP exchange {wanted}", f"{len(exchanges)} exchanges: {fmt_events(exchanges[-4:])}",
                              exchanges[-4:])
    first = hits[0]
    return Evidence(f"{first.data.get('method')} {first.data.get('url')} -> {first.data.get('status')} "
                    f"{str(first.data.get('body', ''))[:120]}", hits[:3])
