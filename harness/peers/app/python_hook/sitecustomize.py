"""sockfault's start-up hook for a user's Python app (the runner puts this directory first on PYTHONPATH).

With SOCKFAULT_HOOK_SOCKET set it installs `_sockfault_hook` (cheap: an import finder, nothing of
socketio is imported here); without it, it does nothing. Either way it then runs the
sitecustomize that this one shadows, if there is one further along sys.path, so the user's own
still runs.
"""
import os
import sys

if os.environ.get("SOCKFAULT_HOOK_SOCKET"):
    try:
        import _sockfault_hook
        _sockfault_hook.install()
    except Exception:  # the hook never stops the app from starting
        pass


def _chain() -> None:
    import importlib.machinery
    import importlib.util

    here = os.path.realpath(os.path.dirname(os.path.abspath(__file__)))
    rest = [p for p in sys.path if os.path.realpath(os.path.abspath(p or os.curdir)) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["sitecustomize"] = module  # as if it had been the one found
    spec.loader.exec_module(module)  # its errors surface as site.py shows them for any sitecustomize


_chain()
del _chain
