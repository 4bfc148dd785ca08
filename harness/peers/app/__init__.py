"""The user's own app as a peer family: `server: {app: ...}` / `{url: ...}` (see docs/your-app.md).

`app_spec` reads the scenario's mapping; `AppServer` starts the app once per run, waits until
its Socket.IO answers, and stops its whole process group; the hooks in node_hook/ and
python_hook/ make an unmodified app report like a bundled peer over `HookChannel`.
"""

from ._config import AppConfig
from ._server import AppServer, NODE_HOOK, PYTHON_HOOK_DIR
from ._spec import APP_KEYS, app_spec

__all__ = ["AppConfig", "AppServer", "app_spec", "APP_KEYS", "NODE_HOOK", "PYTHON_HOOK_DIR"]
