"""The one exception tree of sockfault.

HarnessError                 anything the harness reports as a failure of its own
 +-- ScenarioError           a scenario file is malformed; carries file, line and valid choices
 +-- PeerError               a peer failed to start or crashed; carries its stderr
 +-- ProxyError              a proxy could not start or rejected a command
 +-- SymptomMismatch         an expected symptom was not seen; carries expected, seen, evidence
"""

from __future__ import annotations

__all__ = ["HarnessError", "ScenarioError", "PeerError", "ProxyError", "SymptomMismatch"]


class HarnessError(Exception):
    """Base of every error sockfault raises on purpose."""


class ScenarioError(HarnessError):
    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 choices: list[str] | None = None):
        self.message, self.file, self.line, self.choices = message, file, line, choices or []
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file and self.line else (f"{self.file}: " if self.file else "")
        tail = f" (valid: {', '.join(self.choices)})" if self.choices else ""
        return f"{where}{self.message}{tail}"


class PeerError(HarnessError):
    def __init__(self, message: str, peer: str = "", stderr: str = ""):
        self.peer, self.stderr = peer, stderr
        text = f"{peer}: {message}" if peer else message
        if stderr.strip():
            text += "\n--- stderr ---\n" + stderr.strip()[-4000:]
        super().__init__(text)


class ProxyError(HarnessError):
    pass


class SymptomMismatch(HarnessError):
    def __init__(self, expected: str, seen: str, evidence: list | None = None):
        self.expected, self.seen, self.evidence = expected, seen, evidence or []
        super().__init__(f"expected {expected}; saw {seen}")
