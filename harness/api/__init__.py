"""sockfault: fault proxies and app servers for your own tests, where YOUR client code runs.

    import sockfault
    async with sockfault.proxy("http://127.0.0.1:3000") as p:     # or: with sockfault.proxy_sync(...)
        await p.apply("strip_upgrade", mode="reject")             # any fault of harness.faults.FAULTS
        ...your client connects to p.url...
        assert set(p.transports().values()) == {"polling"}

pytest: the fixtures `sockfault_proxy` and `sockfault_app` (sockfault.fixtures). See
docs/python-api.md. This folder is harness/api in the repository, installed under the name
`sockfault` (pyproject: package-dir); import it only as `sockfault`.
"""

if __name__ != "sockfault":     # harness.api: the same files under a second name would make twin classes
    import importlib.util as _util

    if _util.find_spec("sockfault") is not None:
        raise ImportError("harness/api is installed as the package `sockfault`: import sockfault "
                          "(pytest fixtures: from sockfault.fixtures import sockfault_proxy, sockfault_app)")

from harness.errors import HarnessError
from harness.faults import FAULTS
from harness.timeline import Event, Timeline

from ._app import App, app
from ._errors import SockfaultError, WaitTimeout
from ._proxy import FaultHandle, Proxy, proxy
from ._sync import SyncApp, SyncProxy, app_sync, proxy_sync
from ._wire import Exchange

__all__ = ["proxy", "proxy_sync", "app", "app_sync", "Proxy", "SyncProxy", "App", "SyncApp", "FaultHandle",
           "Exchange", "Event", "Timeline", "FAULTS", "SockfaultError", "WaitTimeout", "HarnessError"]
