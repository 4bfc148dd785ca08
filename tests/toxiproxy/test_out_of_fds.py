"""A proxy out of file descriptors logs it once, with the limit, instead of a traceback per retried accept."""

from __future__ import annotations

import asyncio
import errno
import socket
import subprocess
import sys
import textwrap
import time

from proxies import _out_of_fds


def test_emfile_is_said_once_and_counted_other_errors_reach_the_previous_handler(caplog):
    loop = asyncio.new_event_loop()
    seen = []
    loop.set_exception_handler(lambda _loop, context: seen.append(context["message"]))
    try:
        _out_of_fds.install(loop)
        _out_of_fds.install(loop)                      # idempotent: one handler, one counter
        handler = loop.get_exception_handler()
        for _ in range(3):
            handler(loop, {"message": "socket.accept() out of system resource",
                           "exception": OSError(errno.EMFILE, "Too many open files")})
        handler(loop, {"message": "something else", "exception": ValueError("x")})
    finally:
        loop.close()
    assert _out_of_fds.refused_accepts(loop) == 3
    assert [r.getMessage() for r in caplog.records].count(caplog.records[0].getMessage()) == 1
    assert "out of file descriptors (ulimit -n" in caplog.records[0].getMessage()
    assert seen == ["something else"]


SERVER = textwrap.dedent("""
    import asyncio, resource, sys
    from proxies import _out_of_fds
    resource.setrlimit(resource.RLIMIT_NOFILE, (40, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
    async def main():
        _out_of_fds.install(asyncio.get_running_loop())
        held = []
        server = await asyncio.start_server(lambda r, w: held.append(w), "127.0.0.1", 0, backlog=200)
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.sleep(3)
        print("refused", _out_of_fds.refused_accepts(asyncio.get_running_loop()), flush=True)
    asyncio.run(main())
""")


def test_a_real_server_past_its_limit_logs_one_line_not_a_traceback_per_retry():
    proc = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    clients = []
    try:
        port = int(proc.stdout.readline())
        for _ in range(80):                            # twice what its 40 descriptors can accept
            clients.append(socket.create_connection(("127.0.0.1", port)))
        out, err = proc.communicate(timeout=20)
    finally:
        for c in clients:
            c.close()
        proc.kill()
    assert int(out.split("refused")[1]) >= 1
    assert err.count("out of file descriptors") == 1 and "Traceback" not in err, err
