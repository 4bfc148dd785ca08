"""The frozen model a scenario file becomes: one Case per matrix cell, each with its control."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..peers import PeerSpec
from ._duration import Duration

__all__ = ["PeerConfig", "ProxyConfig", "FaultConfig", "Step", "Expectation", "Case"]


@dataclass(frozen=True)
class PeerConfig:
    spec: PeerSpec
    options: dict = field(default_factory=dict)
    namespaces: tuple[str, ...] = ()
    url_path: str = ""          # client: appended to the URL (a namespace, or the doc's custom-path mistake)
    target: str = "proxy"       # client: proxy (outermost link, else server 0) | server | server:N | nowhere
    line: int = 0
    page: str = ""              # page client: a path on the app (through the proxy chain) or a full URL
    actions: tuple = ()         # page client: Playwright actions run once the page has loaded
    raw: dict = field(default_factory=dict, compare=False)   # the file's mapping (app/page peers: for overrides)


@dataclass(frozen=True)
class ProxyConfig:
    name: str
    kind: str
    options: dict
    line: int = 0


@dataclass(frozen=True)
class FaultConfig:
    name: str                   # registry name, e.g. "toxic"
    label: str                  # unique in the scenario: "toxic" or "toxic#2"
    params: dict
    at: Duration | None = None  # None: in place before any client starts
    duration: Duration | None = None
    line: int = 0


@dataclass(frozen=True)
class Step:
    kind: str
    params: Any
    line: int = 0


@dataclass(frozen=True)
class Expectation:
    kind: str
    params: dict
    line: int = 0

    def describe(self) -> str:
        inner = ", ".join(f"{k}={v}" for k, v in self.params.items() if k not in ("client", "server"))
        return f"{self.kind}({inner})" if inner else self.kind


@dataclass(frozen=True)
class Case:
    name: str                   # the scenario's name
    case_id: str                # name, or name[server=…,client=…] for a matrix cell
    file: str
    line: int
    doc: str
    timing: str                 # compressed | faithful
    timeout: Duration
    tags: tuple[str, ...]
    servers: tuple[PeerConfig, ...]
    clients: tuple[PeerConfig, ...]
    proxies: tuple[ProxyConfig, ...]
    faults: tuple[FaultConfig, ...]
    steps: tuple[Step, ...]
    expect: tuple[Expectation, ...]
    control: "Case | None" = None
    control_expect: tuple[Expectation, ...] = ()   # what must hold in a control run
    is_control: bool = False
    cause: str = "fault"        # fault | pair | baseline
    negative: bool = False      # the fault must make no difference: expect holds in the control too
    services: tuple[str, ...] = ()   # started by the runner for each run (harness/services): redis

    @property
    def symptom(self) -> Expectation:
        return self.expect[0]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"
