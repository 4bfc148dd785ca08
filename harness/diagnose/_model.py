"""What a diagnosis is made of: checks with a status, evidence (request sent, what came back) and
the troubleshooting page's section they come from. `to_dict` is the `--json` document (schema.json)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PASS", "FAIL", "WARN", "NA", "STATUSES", "SCHEMA_VERSION", "Evidence", "Check", "Diagnosis",
           "SECTIONS", "BEYOND", "beyond"]

PASS, FAIL, WARN, NA = "pass", "fail", "warn", "n/a"
STATUSES = (PASS, FAIL, WARN, NA)
SCHEMA_VERSION = "sockfault-diagnose/1"
EXCERPT = 300

# the page's headings (troubleshooting-connection-issues.md) each check answers, then "Beyond the page: ..."
SECTIONS = {
    "not-reachable": "The server is not reachable",
    "plain-websocket": "You are trying to reach a plain WebSocket server",
    "versions": "The client is not compatible with the version of the server",
    "path": "The request path does not match on both sides",
    "cors": "The server does not send the necessary CORS headers",
    "websocket": "A proxy in front of your servers does not accept the WebSocket connection",
    "sticky": "You didn't enable sticky sessions (in a multi server setup)",
    "heartbeat": "Problem: the socket gets disconnected",
    "payload": "You are trying to send a huge payload",
    # failures users report that the page does not name (the catalogue's scenarios/beyond-the-page/)
    "beyond-cut": "Beyond the page: a proxy idle or lifetime cut",
    "beyond-certificate": "Beyond the page: an untrusted certificate or the wrong scheme",
    "beyond-http2": "Beyond the page: HTTP/2 without HTTP/1.1",
    "beyond-compression": "Beyond the page: compression on one side only",
    "beyond-origin-tls": "Beyond the page: python-socketio rejecting the Origin behind TLS termination",
}
BEYOND = "Beyond the page"           # the title of the sections the page has no heading for


def beyond(section: str) -> bool:
    """True for a section key the troubleshooting page has no heading for."""
    return SECTIONS[section].startswith(BEYOND)


@dataclass
class Evidence:
    request: str                 # "GET http://host/socket.io/?EIO=4&transport=polling (Origin: x)"
    response: str                # "200 text/plain: 0{...}" | "no answer: connection refused"

    def to_dict(self) -> dict:
        return {"request": self.request, "response": self.response}

    @classmethod
    def of(cls, result, *, headers: tuple[str, ...] = (), note: str = "") -> "Evidence":
        """Evidence from a probe ProbeResult, with the named response headers shown."""
        request = f"{result.method} {result.url}" + (f" (Origin: {result.origin})" if result.origin else "")
        if note:
            request += f" [{note}]"
        if result.status is None:
            return cls(request, f"no answer: {result.error.message if result.error else 'nothing'}")
        parts = [str(result.status)]
        if result.content_type:
            parts.append(result.content_type.split(";")[0])
        shown = [f"{h}: {result.headers[h]}" for h in headers if h in result.headers]
        text = f"{' '.join(parts)}" + (f" [{'; '.join(shown)}]" if shown else "")
        body = result.text.strip()
        if result.kind == "ws_upgrade" and result.frames:
            body = " | ".join(str(f.get("data", f.get("b64", ""))) for f in result.frames)
        if result.kind == "ws_upgrade" and result.error is not None and result.status == 101:
            body = (body + " | " if body else "") + str(result.error.message)
        body = re.sub(r"[\r\n\t ]+", " ", body).replace("\x1e", "\\x1e")   # one line; v4's separator shown
        if body:
            text += ": " + (body[:EXCERPT] + ("..." if len(body) > EXCERPT else ""))
        return cls(request, text)


@dataclass
class Check:
    id: str
    title: str
    section: str                         # key of SECTIONS
    status: str = NA
    summary: str = ""
    advice: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)   # machine-readable findings
    ms: float = 0.0

    def set(self, status: str, summary: str, advice: str = "") -> "Check":
        assert status in STATUSES, status
        self.status, self.summary, self.advice = status, summary, advice
        return self

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "status": self.status, "summary": self.summary,
                "advice": self.advice, "section": SECTIONS[self.section],
                "evidence": [e.to_dict() for e in self.evidence], "facts": self.facts, "ms": round(self.ms, 1)}


@dataclass
class Diagnosis:
    url: str
    options: dict
    checks: list[Check] = field(default_factory=list)
    wall_s: float = 0.0
    requests: int = 0
    undiagnosable: str = ""              # why the URL could not be diagnosed at all (exit 2)

    @property
    def exit_code(self) -> int:
        if self.undiagnosable:
            return 2
        return 1 if any(c.status == FAIL for c in self.checks) else 0

    def check(self, check_id: str) -> Check | None:
        return next((c for c in self.checks if c.id == check_id), None)

    def to_dict(self) -> dict:
        counts = {s: sum(1 for c in self.checks if c.status == s) for s in STATUSES}
        return {"schema": SCHEMA_VERSION, "url": self.url, "options": self.options, "exit_code": self.exit_code,
                "undiagnosable": self.undiagnosable or None, "wall_s": round(self.wall_s, 3),
                "requests": self.requests, "counts": counts, "checks": [c.to_dict() for c in self.checks]}
