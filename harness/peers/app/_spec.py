"""A scenario's `server: {app: ..., ...}` / `server: {url: ...}` mapping -> a PeerSpec of family "app"."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from ...errors import ScenarioError
from .._catalog import PeerSpec
from ._config import AppConfig

__all__ = ["app_spec", "APP_KEYS"]

APP_KEYS = ("app", "url", "cwd", "env", "port", "path", "start_timeout", "hook", "single_instance")


def app_spec(raw: dict, scenario_file: str | None) -> PeerSpec:
    """Raises ScenarioError (message only: the loader adds file and line)."""
    if "app" in raw and "url" in raw:
        raise ScenarioError("a server has either `app` (a program sockfault starts) or `url` (already running)")
    if "app" not in raw and "url" not in raw:
        extra = [k for k in APP_KEYS if k in raw]
        raise ScenarioError(f"{', '.join('`' + k + '`' for k in extra)} belong to an app server: add `app:` or `url:`")
    hook, hook_options = _hook(raw.get("hook", True))
    common = dict(path=_path(raw.get("path", "/socket.io/")), hook=hook, hook_options=hook_options,
                  start_timeout=_seconds(raw.get("start_timeout", 20)))
    if "url" in raw:
        url = str(raw["url"])
        if not url.startswith(("http://", "https://")):
            raise ScenarioError(f"url {url!r} must start with http:// or https://")
        bad = [k for k in ("cwd", "env", "port", "single_instance") if k in raw]
        if bad:
            raise ScenarioError(f"`{bad[0]}` has no meaning for a `url:` server (sockfault starts nothing)")
        config = AppConfig(url=url, **common)
        return PeerSpec(config.label(), "server", "app", "", (), app=config, max_spares=0)
    argv = _argv(raw["app"])
    base = Path(scenario_file).resolve().parent if scenario_file else Path.cwd()
    cwd = str((base / str(raw["cwd"])).resolve()) if "cwd" in raw else str(base)
    if not Path(cwd).is_dir():
        raise ScenarioError(f"cwd {raw.get('cwd')!r}: no such folder ({cwd})")
    env = raw.get("env") or {}
    if not isinstance(env, dict):
        raise ScenarioError("env must be a mapping of NAME: value")
    port = raw.get("port")
    if port is not None and (not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536):
        raise ScenarioError(f"port {port!r} must be a port number (1-65535)")
    single = raw.get("single_instance", False)
    if not isinstance(single, bool):
        raise ScenarioError(f"single_instance {single!r} must be true or false")
    config = AppConfig(argv=argv, cwd=cwd, env=tuple((str(k), _env_value(v)) for k, v in env.items()),
                       port=port, single_instance=single, **common)
    if port is None and not config.wants_port:
        raise ScenarioError("sockfault cannot tell the app which port to listen on: put `{port}` in `app` or in "
                            "an `env` value (e.g. env: {PORT: \"{port}\"}), or give the app's fixed `port:`")
    if port is not None and config.wants_port:
        raise ScenarioError("give either a fixed `port:` or `{port}` in `app`/`env`, not both")
    return PeerSpec(config.label(), "server", "app", "", argv, cwd, max_spares=0, app=config)


def _argv(value: Any) -> tuple[str, ...]:
    if isinstance(value, list) and value and all(isinstance(v, (str, int, float)) for v in value):
        return tuple(str(v) for v in value)
    if isinstance(value, str) and value.strip():
        try:
            return tuple(shlex.split(value))
        except ValueError as exc:
            raise ScenarioError(f"app {value!r}: {exc}") from None
    raise ScenarioError("app must be a command line (\"node index.js\") or a list of arguments")


def _hook(value: Any) -> tuple[bool, bool]:
    if isinstance(value, bool):
        return value, value
    if isinstance(value, dict) and set(value) <= {"options"} and isinstance(value.get("options", True), bool):
        return True, value.get("options", True)
    raise ScenarioError("hook must be true, false or {options: false}")


def _path(value: Any) -> str:
    text = "/" + str(value).strip("/") + "/"
    return "/" if text == "//" else text


def _seconds(value: Any) -> float:
    from ...scenario._duration import parse_duration  # here: harness.scenario imports the peers
    try:
        return parse_duration(value).resolve(1.0)
    except (ValueError, AttributeError) as exc:
        raise ScenarioError(f"start_timeout: {exc}") from None


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
