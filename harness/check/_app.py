"""The app under check: its scenario mapping from the command line, and one look at it first.

The first look starts the app once with its own options (the hook reports, merges nothing)
to learn what it really runs and advertises: the socket.io / python-socketio version, the
real pingInterval + pingTimeout, maxPayload. The checks adapt to that (which client major
to use, the payload just over its limit) and the header reports it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..peers.app import AppServer, app_spec
from ..timeline import Timeline

__all__ = ["app_mapping", "AppFacts", "look_at"]


def app_mapping(args) -> dict:
    if args.url:
        raw = {"url": args.url}
    else:
        raw = {"app": args.server, "cwd": os.path.abspath(args.cwd or os.getcwd())}
        if args.port:
            raw["port"] = args.port
        elif "{port}" not in args.server:
            raw["env"] = {args.port_env or "PORT": "{port}"}
    if args.path:
        raw["path"] = args.path
    if args.no_hook:
        raw["hook"] = False
    if args.start_timeout:
        raw["start_timeout"] = args.start_timeout
    if getattr(args, "single_instance", False) and "app" in raw:
        raw["single_instance"] = True
    return raw


@dataclass
class AppFacts:
    label: str
    impl: str | None = None
    version: str | None = None
    hook: bool = False
    eio: int | None = None
    ping_interval: int | None = None
    ping_timeout: int | None = None
    max_payload: int | None = None
    ready_ms: int | None = None
    events: list = field(default_factory=list)

    @property
    def major(self) -> int | None:
        try:
            return int(str(self.version).split(".")[0])
        except ValueError:
            return None

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "events"}


async def look_at(raw: dict) -> AppFacts:
    """Start the app once, untouched (raises PeerError with its output when it cannot start)."""
    spec = app_spec({**raw, "hook": {"options": False}} if raw.get("hook", True) else raw, None)
    server, timeline = AppServer(spec), Timeline()
    server.attach(timeline, "server:0")
    try:
        await server.start({}, compressed=False)
    finally:
        await server.stop()
    facts = AppFacts(spec.label, events=timeline.to_json())
    hello = server.hello or {}
    facts.impl, facts.version, facts.hook = hello.get("impl"), hello.get("version"), bool(hello)
    for event in timeline.events(kind="ready"):
        shake = event.data.get("handshake") or {}
        facts.eio, facts.ready_ms = shake.get("eio"), event.data.get("ms")
        facts.ping_interval, facts.ping_timeout = shake.get("pingInterval"), shake.get("pingTimeout")
        facts.max_payload = shake.get("maxPayload")
    for event in timeline.events(kind="listening"):
        options = event.data.get("options") or {}
        facts.max_payload = facts.max_payload or options.get("maxHttpBufferSize")
    return facts
