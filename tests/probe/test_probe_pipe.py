"""`sockfault probe URL --json | head -1`: a reader that leaves early ends the CLI without a traceback."""

import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SOCKFAULT, MODULE = ["-m", "harness.cli", "probe"], ["-m", "harness.probe.cli"]


# `true` closes the pipe before the first byte, every time; `head -c 10` after the first line or so
@pytest.mark.parametrize("command, flags, reader", [
    (SOCKFAULT, ["--json"], "head -c 10"),
    (SOCKFAULT, ["--json"], "true"),
    (SOCKFAULT, [], "true"),                      # the plain verdict lines
    (MODULE, ["--json"], "true"),                 # python -m harness.probe.cli
], ids=["json-head", "json-gone", "plain-gone", "module-json-gone"])
def test_a_closed_pipe_is_not_a_traceback(command, flags, reader):
    cli = " ".join([sys.executable, *command, f"http://127.0.0.1:{_unused_port()}", *flags])
    out = subprocess.run(["bash", "-c", f"set -o pipefail; {cli} | {reader}"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert "Traceback" not in out.stderr and "BrokenPipeError" not in out.stderr, out.stderr
    assert out.returncode in (1, 141), out.stderr        # 1: nothing answered; 141: the reader left first
