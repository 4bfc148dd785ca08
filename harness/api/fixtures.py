"""pytest fixtures: `sockfault_proxy` and `sockfault_app`, factories whose products close at teardown.

Both hand out the sync faces (SyncProxy, SyncApp: they run on sockfault's own loop thread), so
they serve plain tests and async tests alike; an async test awaits `apply_async` /
`wait_for_async` instead of the blocking calls. Registered by harness.pytest_plugin (the
`pytest11` entry point) importing them; elsewhere: `pytest -p sockfault.fixtures`, or import
them in a conftest.py.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

__all__ = ["sockfault_proxy", "sockfault_app"]


def _close_all(made: list) -> None:
    errors = []
    for obj in reversed(made):
        try:
            obj.close()
        except Exception as exc:    # close every one, then report the first failure
            errors.append(exc)
    if errors:
        raise errors[0]


@pytest.fixture
def sockfault_proxy() -> Iterator[Callable[..., Any]]:
    """sockfault_proxy(upstream, kind="http", *, http_options=None) -> a started SyncProxy.
    upstream: "http://127.0.0.1:3000", (host, port), or what sockfault_app returned."""
    from ._sync import proxy_sync

    made: list = []

    def factory(upstream: Any, kind: str = "http", **options: Any):
        made.append(proxy_sync(upstream, kind, **options))
        return made[-1]

    yield factory
    _close_all(made)


@pytest.fixture
def sockfault_app(request) -> Iterator[Callable[..., Any]]:
    """sockfault_app(command, cwd=..., env=..., port=..., hook=..., ...) -> a started SyncApp,
    as a scenario's `server: {app: ...}`; a relative cwd is taken from the test file's folder."""
    from ._sync import app_sync

    made: list = []

    def factory(command: Any = None, **kwargs: Any):
        kwargs.setdefault("base", str(request.path))
        made.append(app_sync(command, **kwargs))
        return made[-1]

    yield factory
    _close_all(made)
