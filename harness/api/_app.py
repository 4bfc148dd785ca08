"""sockfault.app(): the user's own app started as a scenario's `server: {app: ...}` starts it.

harness.peers.app does the work (AppServer: a free port through `{port}`, ready at the
Engine.IO handshake, the Node/Python hook reporting the server's events, the whole process
group stopped); this only gives it a face for tests. The app's events (its hook's `connection`,
`disconnect` with the server's reason, its output as `log`) are on `app.timeline`, source
"server:0"; a proxy built on the app shares that timeline.
"""

from __future__ import annotations

from typing import Any

from harness.errors import ScenarioError
from harness.timeline import Event, Timeline

from ._errors import SockfaultError

__all__ = ["App", "app"]

SOURCE = "server:0"


class App:
    """Async face. `async with sockfault.app("node index.js", cwd="my-app") as a:` -> a.url."""

    def __init__(self, command: str | list[str] | None = None, *, url: str | None = None,
                 cwd: str | None = None, env: dict | None = None, port: int | None = None,
                 path: str | None = None, start_timeout: float | str | None = None,
                 hook: bool | dict | None = None, options: dict | None = None,
                 base: str | None = None, timeline: Timeline | None = None):
        from harness.peers.app import app_spec  # imports the peers: on first use

        raw: dict[str, Any] = {"app": command} if command is not None else {}
        if url is not None:
            raw["url"] = url
        for key, value in (("cwd", cwd), ("env", env), ("port", port), ("path", path),
                           ("start_timeout", start_timeout), ("hook", hook)):
            if value is not None:
                raw[key] = value
        if command is not None and port is None and not _mentions_port(command, env):
            raw["env"] = {**(env or {}), "PORT": "{port}"}       # what most apps read
        try:
            self.spec = app_spec(raw, base)
        except ScenarioError as exc:
            raise SockfaultError(f"app: {exc}") from None
        self.options = dict(options or {})
        self.timeline = timeline or Timeline()
        self.server = None
        self.address: tuple[str, int] | None = None

    @property
    def url(self) -> str:
        if self.address is None:
            raise SockfaultError("the app is not started")
        return f"http://{self.address[0]}:{self.address[1]}"

    @property
    def output(self) -> str:
        """The last lines the app printed (stdout and stderr)."""
        return self.server.stderr if self.server is not None else ""

    def events(self, kind: str | None = None) -> list[Event]:
        """What the app's hook reported (connection, disconnect {id, reason}, upgrade, message, log...)."""
        return self.timeline.events(source=SOURCE, kind=kind)

    async def start(self) -> "App":
        from harness.peers.app import AppServer

        if self.server is not None:
            return self
        self.server = AppServer(self.spec)
        self.server.attach(self.timeline, SOURCE)
        try:
            self.address = tuple(await self.server.start(self.options, compressed=False))
        except BaseException:
            await self.server.stop()
            raise
        return self

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()

    async def __aenter__(self) -> "App":
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.stop()


def _mentions_port(command: str | list[str], env: dict | None) -> bool:
    parts = [command] if isinstance(command, str) else [str(c) for c in command]
    return any("{port}" in p for p in parts) or any("{port}" in str(v) for v in (env or {}).values())


def app(command: str | list[str] | None = None, **kwargs: Any) -> App:
    """An App (started by `async with`). command: "node index.js" or an argv list; `{port}` in it
    or in an env value is the free port sockfault picks (default: env PORT={port}). Keywords:
    url (an app already running: nothing started), cwd (relative to `base`'s folder, default the
    current directory), env, port (a fixed one), path (/socket.io/), start_timeout (20 s), hook
    (True; False: the wire only), options (merged into the app's server options by the hook)."""
    return App(command, **kwargs)
