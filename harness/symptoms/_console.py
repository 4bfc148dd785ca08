"""What the page's console said: the messages a browser client peer records as `console` events
(Chromium's own errors and warnings, e.g. "Mixed Content: The page at '…' was loaded over HTTPS, …")."""

from __future__ import annotations

import re

from ..errors import SymptomMismatch
from ._observation import Evidence, Observation, fmt_events

__all__ = ["console"]


def _matches(event, p: dict) -> bool:
    text = str(event.data.get("text", ""))
    return all(["type" not in p or event.data.get("type") == p["type"],
                "text" not in p or text == p["text"],
                "text_contains" not in p or p["text_contains"] in text,
                "text_matches" not in p or re.search(p["text_matches"], text) is not None])


def console(obs: Observation, p: dict) -> Evidence:
    client = p.get("client", 0)
    source = "client" if client == "any" else f"client:{client}"
    messages = obs.events(source, "console")
    hits = [e for e in messages if _matches(e, p)]
    wanted = {k: v for k, v in p.items() if k not in ("client", "min_count")}
    if len(hits) < p.get("min_count", 1):
        seen = "; ".join(f"[{e.data.get('type')}] {str(e.data.get('text', ''))[:200]}" for e in messages[-4:])
        raise SymptomMismatch(f"console message {wanted} on {source}",
                              f"{len(messages)} console message(s){': ' + seen if seen else ''}", messages[-4:])
    first = hits[0]
    return Evidence(f"[{first.data.get('type')}] {str(first.data.get('text', ''))[:300]} "
                    f"({len(hits)} message(s); {fmt_events(hits[:1])})", hits[:3])
