"""An ordinary python-socketio app in WSGI (async_mode="threading"), as its docs show it.

It knows nothing of sockfault (run it with `python app.py`; PORT defaults to 5000).
SERVER picks the WSGI server that runs it:
  wsgiref   (default) the standard library's wsgiref.simple_server (threaded by a mixin):
            a plain WSGI server, no access to the socket, so no WebSocket
  werkzeug  Werkzeug's development server (what `flask run` uses), threaded
"""
import os
import socketserver
from wsgiref.simple_server import WSGIServer, make_server

import socketio

sio = socketio.Server(async_mode="threading")
app = socketio.WSGIApp(sio)


@sio.event
def connect(sid, environ):
    print(f"connect {sid}", flush=True)
    sio.emit("welcome", {"from": "app"}, to=sid)


@sio.event
def chat(sid, text):
    return text


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "5000"))
    kind = os.environ.get("SERVER", "wsgiref")
    print(f"serving on {port} ({kind})", flush=True)
    if kind == "werkzeug":
        from werkzeug.serving import run_simple
        run_simple("127.0.0.1", port, app, threaded=True)
    else:
        make_server("127.0.0.1", port, app, server_class=ThreadingWSGIServer).serve_forever()
