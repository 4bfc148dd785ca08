"""Faults: named, typed parameter sets applied to the layer they target.

A fault is a dataclass in its own module (one file per fault) with
  name: ClassVar[str]        the scenario's key (`faults: [{strip_upgrade: {mode: reject}}]`)
  async apply(ctx)           inject it (at the scenario's `at`, default 0 = before peers start)
  async remove(ctx)          undo it (at `at + for`, when `for` is given)
A cause that is a server or client option (allowEIO3, maxHttpBufferSize, ...) is not a fault:
the scenario sets the option and names the fix in its `control`.
The loader validates fields against the dataclass (names, types, Literal choices), so a
new fault = one module + one line in FAULTS + one test file. The core never names a fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import ScenarioError
from ..registry import load_registered
from ..timeline import Timeline

__all__ = ["FAULTS", "Fault", "FaultContext", "load_fault"]

# name -> "module:Class"; modules import lazily.
FAULTS: dict[str, str] = {
    "strip_upgrade": "harness.faults.strip_upgrade:StripUpgrade",          # http proxy
    "strip_cors": "harness.faults.strip_cors:StripCors",                   # http proxy
    "engine_packets": "harness.faults.engine_packets:EnginePackets",       # http proxy
    "request_deadline": "harness.faults.request_deadline:RequestDeadline", # http proxy
    "toxic": "harness.faults.toxic:ToxicFault",                            # toxiproxy
    "down": "harness.faults.down:DownFault",                               # toxiproxy
    "blackhole": "harness.faults.blackhole:Blackhole",                     # toxiproxy
    "lifetime": "harness.faults.lifetime:Lifetime",                        # toxiproxy
    "throttle_timers": "harness.faults.throttle_timers:ThrottleTimers",    # browser client's timers
}


@dataclass
class FaultContext:
    """What a fault may touch during a run."""
    timeline: Timeline
    links: dict[str, Any] = field(default_factory=dict)      # proxy name -> started ProxyLink
    servers: list[Any] = field(default_factory=list)         # started server peers
    clients: list[Any] = field(default_factory=list)         # started client peers

    def link(self, name: str | None, kind: str | None = None) -> Any:
        """The named link, or the only link of `kind` when no name is given."""
        if name:
            if name not in self.links:
                raise ScenarioError(f"fault targets unknown proxy {name!r}", choices=sorted(self.links))
            return self.links[name]
        matches = [l for l in self.links.values() if kind is None or l.kind == kind]
        if len(matches) != 1:
            raise ScenarioError(f"fault needs exactly one proxy of kind {kind!r} (or a `proxy:` name); found {len(matches)}",
                                choices=sorted(self.links))
        return matches[0]


class Fault(Protocol):
    name: str

    async def apply(self, ctx: FaultContext) -> None: ...
    async def remove(self, ctx: FaultContext) -> None: ...


def load_fault(name: str) -> type:
    return load_registered(FAULTS, name, "fault")
