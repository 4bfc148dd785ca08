"""What a scenario says about a user's own app server: `app:` (a program to start) or `url:`."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["AppConfig", "PORT_FIELD"]

PORT_FIELD = "{port}"   # in `app` or an `env` value: the free 127.0.0.1 port sockfault picked


@dataclass(frozen=True)
class AppConfig:
    argv: tuple[str, ...] = ()           # the app's own command line, shell-free; empty for `url:`
    cwd: str | None = None               # absolute (the loader resolves it against the scenario file)
    env: tuple[tuple[str, str], ...] = ()
    port: int | None = None              # a fixed port the app always listens on
    path: str = "/socket.io/"            # where its Socket.IO answers
    url: str | None = None               # an app that is already running: nothing is started
    start_timeout: float = 20.0          # seconds until it must answer the Engine.IO handshake
    hook: bool = True                    # preload the Node / Python hook (events + options)
    hook_options: bool = True            # merge the scenario's options (compressed heartbeat) into the app's
    single_instance: bool = False        # the app refuses a second instance (a lock file, a database): take turns
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def wants_port(self) -> bool:
        return any(PORT_FIELD in a for a in self.argv) or any(PORT_FIELD in v for _, v in self.env)

    def label(self) -> str:
        return f"url:{self.url}" if self.url else "app:" + " ".join(self.argv)
