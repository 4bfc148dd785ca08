"""A `command:` peer that never says hello: the error names the peer protocol and shows what it printed."""

import sys

import pytest

from harness.errors import PeerError
from harness.peers import PeerPool, resolve_peer

# an ordinary app, not a peer: it logs to stdout and stderr and never speaks JSON lines
APP = ("import sys, time; print('Server listening on 3000', flush=True); "
       "print('connected to db', file=sys.stderr, flush=True); time.sleep(30)")
CRASH = "import sys; print('Booting...', flush=True); print('Error: EADDRINUSE', file=sys.stderr); sys.exit(3)"


def _command(code: str):
    return resolve_peer(None, "server", command=f"{sys.executable} -c \"{code}\"")


async def test_no_hello_names_the_protocol_and_shows_stdout_and_stderr():
    pool = PeerPool(spares=2, hello_timeout=0.8)
    with pytest.raises(PeerError) as info:
        await pool.acquire(_command(APP))
    await pool.close()
    text = str(info.value)
    assert "no hello within 0.8 s" in text
    assert "docs/peer-protocol.md" in text and '{"event":"hello"' in text
    assert "`server: {app: ...}`" in text                 # the likely mix-up: an app, not a peer
    assert "--- stdout (last 1 non-JSON lines) ---\nServer listening on 3000" in text
    assert "--- stderr ---\nconnected to db" in text


async def test_exit_before_hello_says_so_with_the_same_hint():
    pool = PeerPool(spares=0, hello_timeout=5.0)
    with pytest.raises(PeerError) as info:
        await pool.acquire(_command(CRASH))
    text = str(info.value)
    assert "exited with code 3 before its hello" in text and "docs/peer-protocol.md" in text
    assert "Booting..." in text and "EADDRINUSE" in text


async def test_only_the_last_twenty_stdout_lines_are_kept():
    code = "import time; [print('line', i, flush=True) for i in range(50)]; time.sleep(30)"
    pool = PeerPool(spares=0, hello_timeout=0.8)
    with pytest.raises(PeerError) as info:
        await pool.acquire(_command(code))
    text = str(info.value)
    assert "last 20 non-JSON lines" in text and "line 49" in text and "line 29\n" not in text
