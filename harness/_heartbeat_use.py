"""Does a case wait on the heartbeat? Only then does compressed time shorten its servers' heartbeat.

Compressed time exists so that heartbeat-timed symptoms ('ping timeout' after pingInterval +
pingTimeout, "no disconnect for 3 heartbeats") take a second, not a minute. A case none of whose
steps, expectations and faults involve the heartbeat (CORS, paths, versions, payload limits,
sticky sessions) gains nothing from a 1.1 s heartbeat and loses on a loaded machine: a polling
cycle or a page starved past 1.1 s ends in 'ping timeout' before the connect, a symptom that real
time never shows (-j 4 at load 13: the controls of cors-missing-on-server and cors-stripped-by-proxy,
and multiple-nodes-redis-adapter behind mitmproxy). Such a case keeps its servers' real heartbeat.

The test is deliberately narrow: anything not known to be heartbeat-free counts as using it.
"""

from __future__ import annotations

from typing import Any

from .scenario import Case
from .scenario._duration import Duration

__all__ = ["uses_heartbeat", "HEARTBEAT_FREE_SYMPTOMS", "HEARTBEAT_FREE_STEPS", "HEARTBEAT_FREE_EVENTS"]

# symptoms about getting connected (or not) and what was said, never about staying connected
HEARTBEAT_FREE_SYMPTOMS = frozenset({"connect_error", "connected", "console", "event_received", "http", "never_connects",
                                     "transport_stays",   # stays on polling for a time in seconds (in heartbeats: compressed)
                                     "socket_ids"})       # which ids were seen (a reconnect's own step says heartbeat)
HEARTBEAT_FREE_STEPS = frozenset({"connect", "emit", "wait", "wait_for", "probe", "server_emit"})
# what a wait_for may wait for in such a case: nothing a heartbeat produces (disconnects, reconnects)
HEARTBEAT_FREE_EVENTS = frozenset({"connect", "connect_error", "upgrade", "upgradeError", "event", "ack", "emitted",
                                   "handshake", "console", "http", "connection", "message",
                                   "action", "page_loaded"})   # a page: client's actions and page loads
_TIMER_FAULTS = frozenset({"throttle_timers", "engine_packets"})   # about the heartbeat's own packets and timers


def uses_heartbeat(case: Case) -> bool:
    """True unless the case and its control are known not to wait on, or be about, the heartbeat."""
    return any(_uses(c) for c in (case, case.control) if c is not None)


def _free(expectation) -> bool:
    # no_disconnect without `for`: nothing closes it while the run watches (a 400 of a broken sticky
    # session would); a real heartbeat never fires in that time, a compressed one may on a loaded machine
    return expectation.kind in HEARTBEAT_FREE_SYMPTOMS or (expectation.kind == "no_disconnect"
                                                           and "for" not in (expectation.params or {}))


def _uses(case: Case) -> bool:
    if not all(_free(e) for e in (*case.expect, *case.control_expect)):
        return True
    if any(s.kind not in HEARTBEAT_FREE_STEPS or _waits_on_other_events(s) for s in case.steps):
        return True
    if any(f.name in _TIMER_FAULTS or _in_heartbeats(f.at) or _in_heartbeats(f.duration) for f in case.faults):
        return True
    trees = [e.params for e in (*case.expect, *case.control_expect)] + [s.params for s in case.steps]
    trees += [f.params for f in case.faults] + [p.options for p in (*case.servers, *case.clients)]
    return _in_heartbeats(case.timeout) or any(_mentions_heartbeat(t) for t in trees)


def _waits_on_other_events(step) -> bool:
    if step.kind != "wait_for" or not isinstance(step.params, dict):
        return False
    events = step.params.get("event", [])
    return any(e not in HEARTBEAT_FREE_EVENTS for e in ([events] if isinstance(events, str) else events))


def _in_heartbeats(value: Any) -> bool:
    return isinstance(value, Duration) and bool(value.heartbeats)


def _mentions_heartbeat(tree: Any) -> bool:
    """A duration in heartbeats, or a `$scaled` value (a time the scenario wants compressed with the heartbeat)."""
    if _in_heartbeats(tree):
        return True
    if isinstance(tree, dict):
        return "$scaled" in tree or any(_mentions_heartbeat(v) for v in tree.values())
    if isinstance(tree, (list, tuple)):
        return any(_mentions_heartbeat(v) for v in tree)
    return False
