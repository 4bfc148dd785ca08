"""Makes an unmodified python-socketio app report like a bundled server peer (docs/peer-protocol.md).

`install()` (called by the sitecustomize beside this file when SOCKFAULT_HOOK_SOCKET is set) only
puts a finder on `sys.meta_path`; when the app imports `socketio`, the package runs as usual and
then `_patch` wraps `BaseServer.__init__` (Server and AsyncServer, hence Flask-SocketIO, aiohttp,
ASGI apps): the scenario's SOCKFAULT_HOOK_OPTIONS are merged over the app's own keyword
arguments, and each instance's `_trigger_event` is wrapped to report connection / disconnect /
message without changing what the handlers return or raise. Engine.IO's upgrades and rejected
requests are seen on python-engineio itself. Events go out as JSON lines on the UNIX socket from a
writer thread (the app never waits on the runner); commands (emit, disconnect) come back on it
and are run in the app's event loop (AsyncServer) or called directly (Server). Nothing here ever
raises into the app: a dead runner socket just silences the hook.

This file must stand alone: the app's interpreter need not have sockfault installed.
"""
import os
import sys

__all__ = ["install"]

SOCKET_ENV = "SOCKFAULT_HOOK_SOCKET"
OPTIONS_ENV = "SOCKFAULT_HOOK_OPTIONS"
SCALE_ENV = "SOCKFAULT_HOOK_SCALE"
MAX_QUEUED = 10000  # lines waiting for a slow runner; beyond that they are dropped and counted

# Node option name -> (python-socketio kwarg, converter): the table of
# harness/peers/python/server.py `_MAP` (copied, since this file runs without sockfault).
_MAP = {
    "pingInterval": ("ping_interval", lambda v: v / 1000.0),
    "pingTimeout": ("ping_timeout", lambda v: v / 1000.0),
    "maxHttpBufferSize": ("max_http_buffer_size", int),
    "cors": ("cors_allowed_origins",
             lambda v: _origin(v.get("origin", "*")) if isinstance(v, dict) else _origin(v)),
    "cors_allowed_origins": ("cors_allowed_origins", lambda v: v),
    "transports": ("transports", lambda v: [v] if isinstance(v, str) else list(v)),
}
_DEFAULT_HEARTBEAT = (25.0, 20.0)  # python-engineio's ping_interval / ping_timeout, in s


def _origin(value):
    return "*" if value is True else value  # Node's `origin: true` reflects any origin


_state = None  # the one _Hook of this process, once installed


def install():
    """Put the import finder in place (idempotent); a no-op without SOCKFAULT_HOOK_SOCKET."""
    global _state
    path = os.environ.get(SOCKET_ENV)
    if not path or _state is not None:
        return
    _state = _Hook(path)
    if "socketio" in sys.modules:  # imported before us (not via sitecustomize): patch now
        _state.patch(sys.modules["socketio"])
    else:
        sys.meta_path.insert(0, _Finder())


# -- finding socketio ----------------------------------------------------------------------------
class _Finder:
    """Hands out socketio's own spec with a loader that patches right after the module runs."""

    def find_spec(self, name, path=None, target=None):
        if name != "socketio":
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _Loader(spec.loader, self)
        return spec

    def invalidate_caches(self):
        pass


class _Loader:
    def __init__(self, loader, finder):
        self.loader, self.finder = loader, finder

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        # the module sees its real loader (importlib.resources, reload, ...)
        module.__loader__ = self.loader
        if getattr(module, "__spec__", None) is not None:
            module.__spec__.loader = self.loader
        self.loader.exec_module(module)
        if self.finder in sys.meta_path:
            sys.meta_path.remove(self.finder)
        _state.patch(module)

    def __getattr__(self, name):
        return getattr(self.loader, name)


# -- the hook ------------------------------------------------------------------------------------
class _Hook:
    def __init__(self, path):
        self.path = path
        self.channel = None
        self.options, self.scale = _read_options()
        self.instances = []  # _Instance, in creation order
        self.sockets = {}  # socket.io sid -> (_Instance, namespace, engine.io sid)
        self.patched = False
        self.hello = None
        self.pid = None

    def out(self, event, **fields):
        try:
            pid = os.getpid()
            if self.channel is None or self.pid != pid:
                forked = self.channel is not None
                self.channel, self.pid = _Channel(self.path, self.command), pid
                if forked:
                    self._forked()
            self.channel.send({"event": event, **{k: v for k, v in fields.items() if v is not None}})
        except Exception:
            pass

    def _forked(self):
        # a forked worker reports on a connection of its own (the parent's locks and threads
        # are not its own); it says hello again, with its pid, and the instances it inherited
        self.sockets = {}
        for inst in self.instances:
            inst.loop = None
        if self.hello is not None:
            self.out("hello", pid=os.getpid(), **self.hello)
            for inst in self.instances:
                inst.announce()

    # patching ---------------------------------------------------------------------------------
    def patch(self, socketio):
        if self.patched:
            return
        self.patched = True
        try:
            self._patch(socketio)
        except Exception as exc:
            self.out("error", cmd=None, message=f"hook: cannot patch socketio: {type(exc).__name__}: {exc}")

    def _patch(self, socketio):
        if not (hasattr(socketio, "Server") or hasattr(socketio, "AsyncServer")):
            return  # some other package named socketio
        from importlib import metadata

        def version(dist):
            try:
                return metadata.version(dist)
            except Exception:
                return None

        self.hello = {"role": "server", "impl": "python-socketio", "version": version("python-socketio"),
                      "engineio": version("python-engineio"), "hook": "python",
                      "options_merged": self.options is not None}
        self.out("hello", pid=os.getpid(), **self.hello)
        try:
            from socketio import base_server
            classes = [base_server.BaseServer]
        except ImportError:  # python-socketio < 5.10: no common base
            classes = [socketio.Server, socketio.AsyncServer]
        for cls in classes:
            _wrap_init(cls, self)
        _watch_upgrades(self)

    # options ----------------------------------------------------------------------------------
    def merged_kwargs(self, kwargs):
        """The app's kwargs with the scenario's options over them, and the ignored option names."""
        if self.options is None:
            return kwargs, []
        extra, ignored = {}, []
        for key, value in self.options.items():
            if key in _MAP:
                name, conv = _MAP[key]
                try:
                    extra[name] = conv(value)
                except Exception:
                    ignored.append(key)
            else:
                ignored.append(key)
        if self.scale:  # compressed time: the app's own heartbeat (or the default), scaled
            for node_name, name, default in (("pingInterval", "ping_interval", _DEFAULT_HEARTBEAT[0]),
                                             ("pingTimeout", "ping_timeout", _DEFAULT_HEARTBEAT[1])):
                if node_name not in self.options and name not in extra:
                    own = kwargs.get(name, default)
                    if isinstance(own, tuple):  # (interval, grace period)
                        extra[name] = (self._whole(own[0]),) + tuple(v * self.scale for v in own[1:])
                    else:
                        extra[name] = self._whole(own)
        return {**kwargs, **extra}, ignored

    def _whole(self, seconds):
        # python-engineio advertises whole seconds (0.5 s goes out as 0), so a scaled heartbeat is
        # kept whole, at least 1 s: harness/_timescale.py does the same for the bundled peer
        return float(max(1, round(seconds * self.scale)))

    # commands ---------------------------------------------------------------------------------
    def command(self, line):
        import json
        try:
            cmd = json.loads(line)
            name = cmd.get("cmd")
        except (ValueError, AttributeError) as exc:
            self.out("error", cmd=None, message=f"bad json: {exc}")
            return
        fn = {"emit": self._emit, "disconnect": self._disconnect}.get(name)
        if fn is None:
            self.out("error", cmd=name, message=f"the app hook does not do {name}")
            return
        try:
            fn(cmd)
        except Exception as exc:
            self.out("error", cmd=name, message=f"{type(exc).__name__}: {exc}")

    def _targets(self, to):
        if to is None:
            return list(self.sockets.items())
        if to not in self.sockets:
            raise LookupError(f"no socket {to}")
        return [(to, self.sockets[to])]

    def _emit(self, cmd):
        args = cmd.get("args") or []
        data = (tuple(args) if len(args) != 1 else args[0]) if args else None
        for sid, (inst, ns, _) in self._targets(cmd.get("to")):
            inst.call(inst.server.emit, cmd["event"], data, to=sid, namespace=ns)

    def _disconnect(self, cmd):
        for sid, (inst, ns, _) in self._targets(cmd.get("to")):
            inst.call(inst.server.disconnect, sid, namespace=ns)


def _read_options():
    import json
    text = os.environ.get(OPTIONS_ENV, "")
    options = None
    if text.strip():
        try:
            value = json.loads(text)
            options = value if isinstance(value, dict) else None
        except ValueError:
            options = None
    try:
        scale = float(os.environ.get(SCALE_ENV, "") or 0) or None
    except ValueError:
        scale = None
    return options, scale


def _wrap_init(cls, hook):
    original = cls.__init__
    if getattr(original, "_sockfault", False):
        return

    def __init__(self, *args, **kwargs):
        ignored = []
        try:
            kwargs, ignored = hook.merged_kwargs(kwargs)
        except Exception:
            pass
        original(self, *args, **kwargs)
        if "_sockfault" not in self.__dict__:
            try:
                _Instance(hook, self, ignored)
            except Exception as exc:
                hook.out("error", cmd=None, message=f"hook: cannot observe the server: {type(exc).__name__}: {exc}")

    __init__._sockfault = True
    for attr in ("__name__", "__qualname__", "__doc__", "__module__"):
        try:
            setattr(__init__, attr, getattr(original, attr))
        except AttributeError:
            pass
    __init__.__wrapped__ = original
    cls.__init__ = __init__


# -- one server instance -------------------------------------------------------------------------
class _Instance:
    def __init__(self, hook, server, ignored):
        self.hook, self.server, self.ignored = hook, server, ignored
        self.index = len(hook.instances)
        self.loop = None
        self.is_async = bool(server.is_asyncio_based())
        server.__dict__["_sockfault"] = self
        hook.instances.append(self)
        eio = getattr(server, "eio", None)
        if eio is not None:
            eio.__dict__["_sockfault"] = self
        self._wrap_trigger_event()
        self._wrap_engine(eio)
        self.announce()

    def out(self, event, **fields):
        self.hook.out(event, instance=self.index, **fields)

    def announce(self):
        eio = self.server.eio
        interval = eio.ping_interval
        grace = getattr(eio, "ping_interval_grace_period", 0) or 0
        self.out("options", ignored=list(self.ignored), options={
            # advertised as python-engineio writes it: int(interval + grace) whole seconds, in ms
            "pingInterval": int(interval + grace) * 1000,
            "pingIntervalConfigured": interval * 1000,
            "pingTimeout": int(eio.ping_timeout * 1000),
            "maxHttpBufferSize": eio.max_http_buffer_size,
            "transports": list(getattr(eio, "transports", None) or ["polling", "websocket"])})

    def call(self, fn, *args, **kwargs):
        """Run a server method from the command thread: in the app's loop when it is a coroutine."""
        if not self.is_async:
            fn(*args, **kwargs)
            return
        import asyncio
        if self.loop is None or self.loop.is_closed():
            raise RuntimeError("the app's event loop is not known yet")
        asyncio.run_coroutine_threadsafe(fn(*args, **kwargs), self.loop).result(timeout=10)

    # socket.io events ---------------------------------------------------------------------------
    def _connected(self, namespace, args, result):
        if result is False or not args:
            return
        sid = args[0]
        eio_sid = transport = eio = None
        try:
            eio_sid = self.server.manager.eio_sid_from_sid(sid, namespace)
            transport = self.server.eio.transport(eio_sid)
        except Exception:
            pass
        try:
            from urllib.parse import parse_qs
            environ = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
            value = parse_qs(environ.get("QUERY_STRING", "")).get("EIO", [None])[0]
            eio = int(value) if value and value.isdigit() else None
        except Exception:
            pass
        self.hook.sockets[sid] = (self, namespace, eio_sid)
        self.out("connection", id=sid, namespace=namespace, transport=transport, eio=eio, eio_sid=eio_sid)

    def _disconnected(self, namespace, args):
        sid = args[0] if args else None
        self.hook.sockets.pop(sid, None)
        reason = args[1] if len(args) > 1 else None
        self.out("disconnect", id=sid, namespace=namespace, reason=reason)

    def _message(self, event, namespace, args):
        sid, data = (args[0], args[1:]) if args else (None, ())
        size = _size_of(data)
        self.out("message", id=sid, namespace=namespace, name=event, size=size,
                 args=list(data) if 0 <= size <= 1024 else None)

    def _before(self, event, namespace, args):
        try:
            if event == "disconnect":
                self._disconnected(namespace or "/", args)
            elif event != "connect":
                self._message(event, namespace or "/", args)
        except Exception:
            pass

    def _after_connect(self, namespace, args, result):
        try:
            self._connected(namespace or "/", args, result)
        except Exception:
            pass

    def _wrap_trigger_event(self):
        original = self.server._trigger_event  # bound; the app's handlers run exactly as before
        if self.is_async:
            import asyncio

            async def _trigger_event(event, namespace, *args):
                if self.loop is None or self.loop.is_closed():
                    try:
                        self.loop = asyncio.get_running_loop()
                    except RuntimeError:
                        pass
                self._before(event, namespace, args)
                result = await original(event, namespace, *args)
                if event == "connect":
                    self._after_connect(namespace, args, result)
                return result
        else:
            def _trigger_event(event, namespace, *args):
                self._before(event, namespace, args)
                result = original(event, namespace, *args)
                if event == "connect":
                    self._after_connect(namespace, args, result)
                return result
        self.server._trigger_event = _trigger_event

    # engine.io: rejected requests ---------------------------------------------------------------
    def _wrap_engine(self, eio):
        if eio is None:
            return
        if self.is_async and hasattr(eio, "_make_response"):
            make_response = eio._make_response  # every HTTP answer of AsyncServer.handle_request

            async def _make_response(response_dict, environ):
                self._maybe_rejected(response_dict.get("status"), response_dict.get("headers"),
                                     response_dict.get("response"), environ)
                return await make_response(response_dict, environ)
            eio._make_response = _make_response
        elif not self.is_async:
            handle_request = eio.handle_request

            def handle_request_(environ, start_response):
                seen = {}

                def start_response_(status, headers, *rest):
                    seen["status"], seen["headers"] = status, headers
                    return start_response(status, headers, *rest)
                result = handle_request(environ, start_response_)
                if "status" in seen and isinstance(result, list) and len(result) == 1:
                    self._maybe_rejected(seen["status"], seen["headers"], result[0], environ)
                return result
            eio.handle_request = handle_request_

    def _maybe_rejected(self, status, headers, body, environ):
        try:
            code = int(str(status).split()[0])
            if code < 400:
                return
            message = None
            encoded = any(str(k).lower() == "content-encoding" for k, _ in headers or [])
            if isinstance(body, bytes) and not encoded:
                import json
                text = body.decode("utf-8", "replace")
                try:
                    value = json.loads(text)
                    message = value if isinstance(value, str) else text
                except ValueError:
                    message = text
            environ = environ or {}
            url = environ.get("RAW_URI") or (environ.get("PATH_INFO", "") + (
                "?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else ""))
            self.out("connection_error", code=_engine_code(code, message), status=code,
                     message=message or str(status), url=url)
        except Exception:
            pass


def _engine_code(status, message):
    """The engine.io (Node) error code for python-engineio's answer, where the meaning matches."""
    text = (message or "").lower()
    if "invalid transport" in text:
        return 0  # Transport unknown
    if "invalid session" in text:
        return 1  # Session ID unknown
    if status == 405:
        return 2  # Bad handshake method
    if "unsupported version" in text:
        return 5  # Unsupported protocol version
    if status in (401, 403):
        return 4  # Forbidden
    return 3 if status == 400 else None  # Bad request


def _size_of(args):
    import json
    try:
        return len(json.dumps(list(args), separators=(",", ":"), ensure_ascii=False))
    except (TypeError, ValueError):
        return -1


# -- engine.io: upgrades -------------------------------------------------------------------------
def _watch_upgrades(hook):
    """python-engineio flips `socket.upgraded` to True once a polling session's websocket upgrade
    completes (with `upgrading` still True; a websocket-only session sets it with `upgrading`
    False): a data descriptor on that one attribute sees the moment."""
    try:
        from engineio import base_socket
        classes = [base_socket.BaseSocket]
    except ImportError:  # older python-engineio: no common base
        classes = []
        for mod, name in (("engineio.socket", "Socket"), ("engineio.async_socket", "AsyncSocket"),
                          ("engineio.asyncio_socket", "AsyncSocket")):
            try:
                classes.append(getattr(__import__(mod, fromlist=[name]), name))
            except (ImportError, AttributeError):
                pass
    for cls in classes:
        if not isinstance(cls.__dict__.get("upgraded"), _Upgraded):
            cls.upgraded = _Upgraded(hook)


class _Upgraded:
    def __init__(self, hook):
        self.hook = hook

    def __get__(self, obj, cls=None):
        if obj is None:
            return False
        return obj.__dict__.get("upgraded", False)

    def __set__(self, obj, value):
        before = obj.__dict__.get("upgraded", False)
        obj.__dict__["upgraded"] = value
        if value and not before and obj.__dict__.get("upgrading"):
            try:
                self._report(obj)
            except Exception:
                pass

    def _report(self, sock):
        inst = getattr(sock.server, "__dict__", {}).get("_sockfault")
        eio_sid = getattr(sock, "sid", None)
        ids = [(ns != "/", sid) for sid, (i, ns, e) in list(self.hook.sockets.items())
               if e == eio_sid and i is inst]
        sid = min(ids)[1] if ids else eio_sid
        self.hook.out("upgrade", instance=inst.index if inst is not None else None, id=sid,
                      transport="websocket", eio_sid=eio_sid)


# -- the side channel ----------------------------------------------------------------------------
class _Channel:
    """JSON lines to the runner's UNIX socket from a writer thread; commands read by another."""

    def __init__(self, path, on_command):
        import collections
        import threading
        self.path, self.on_command = path, on_command
        self.cond = threading.Condition()
        self.queue = collections.deque()
        self.dropped = 0
        self.inflight = False
        self.dead = False
        self.sock = None
        self.writer = threading.Thread(target=self._write_loop, name="sockfault-hook-writer", daemon=True)
        self.writer.start()
        import atexit
        atexit.register(self.flush, 1.0)

    def send(self, event):
        if self.dead:
            return
        import json
        try:
            line = json.dumps(event, default=repr, ensure_ascii=False) + "\n"
        except (TypeError, ValueError) as exc:
            line = json.dumps({"event": "error", "cmd": None,
                               "message": f"hook: unserialisable {event.get('event')}: {exc}"}) + "\n"
        with self.cond:
            if len(self.queue) >= MAX_QUEUED:
                self.dropped += 1
                return
            self.queue.append(line.encode("utf-8"))
            self.cond.notify()

    def flush(self, timeout):
        import time
        deadline = time.monotonic() + timeout
        with self.cond:
            while (self.queue or self.inflight) and not self.dead and time.monotonic() < deadline:
                self.cond.wait(0.05)

    def _write_loop(self):
        import socket
        import threading
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(5)
            sock.connect(self.path)
            sock.settimeout(None)
            self.sock = sock
            threading.Thread(target=self._read_loop, name="sockfault-hook-reader", daemon=True).start()
            while True:
                with self.cond:
                    while not self.queue:
                        self.cond.wait()
                    lines = list(self.queue)
                    self.queue.clear()
                    dropped, self.dropped = self.dropped, 0
                    self.inflight = True
                if dropped:
                    lines.append(('{"event":"error","cmd":null,"message":"hook: %d events dropped '
                                  '(the runner did not read)"}\n' % dropped).encode())
                sock.sendall(b"".join(lines))
                with self.cond:
                    self.inflight = False
                    self.cond.notify_all()
        except Exception:  # the runner is gone: the hook falls silent
            with self.cond:
                self.dead = True
                self.queue.clear()
                self.cond.notify_all()

    def _read_loop(self):
        buffer = b""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    if line.strip():
                        self.on_command(line.decode("utf-8", "replace"))
        except Exception:
            return
