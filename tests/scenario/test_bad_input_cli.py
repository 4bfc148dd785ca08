"""`sockfault run DIR` over a folder of bad scenario files (one per class) and one good one (a copy
of a catalogue scenario): each bad file is reported as `ERROR file:line: message`, no traceback,
quickly, and the good scenario still runs to its verdict."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
GOOD = "name: g\ndoc: x\nserver: node@4.8.1\nclient: node@4.8.1\nexpect:\n  - connected: {}\n"
BOMB = "a: &a [1,1,1,1,1,1,1,1,1]\n" + "".join(
    f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
BAD = {   # file -> (content, line)
    "not-utf8.yaml": (GOOD.encode() + b"description: caf\xe9\n", 7),
    "binary.yaml": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), 3),
    "empty.yaml": (b"", 1),
    "huge.yaml": (GOOD.encode() + b"# " + b"x" * (1 << 20) + b"\n", 1),
    "deep.yaml": (b"name: " + b"[" * 20000 + b"\n", 1),
    "alias-bomb.yaml": (BOMB.encode(), 1),
    "unknown-tag.yaml": ((GOOD + "description: !!python/object/apply:os.system [ls]\n").encode(), 7),
    "duplicate-key.yaml": ((GOOD + "name: h\n").encode(), 7),
    "wrong-type.yaml": (GOOD.replace("name: g", "name: 12").encode(), 1),
    "unknown-key.yaml": ((GOOD + "clinet: node@4.8.1\n").encode(), 7),
    "bad-duration.yaml": ((GOOD + "steps:\n  - wait: 2 sec\n").encode(), 8),
    "bad-peer.yaml": (GOOD.replace("server: node@4.8.1", "server: node@9.9.9").encode(), 3),
}


def test_bad_files_are_reported_with_file_and_line_and_the_good_one_runs(tmp_path):
    for name, (data, _) in BAD.items():
        (tmp_path / name).write_bytes(data)
    shutil.copy(ROOT / "scenarios" / "not-able-to-connect" / "path-mismatch-server-path.yaml", tmp_path / "good.yaml")
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "harness.cli", "run", str(tmp_path), "-k", "server=node@4.8.1"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - started
    assert out.returncode == 1, out.stdout + out.stderr      # load errors fail the run
    assert "Traceback" not in out.stderr + out.stdout, out.stderr
    for name, (_, line) in BAD.items():
        assert f"ERROR {tmp_path / name}:{line}: " in out.stderr, (name, out.stderr)
    assert "reproduced" in out.stdout and "path-mismatch-server-path[server=node@4.8.1" in out.stdout, out.stdout
    assert f"{len(BAD)} load errors" in out.stdout
    assert elapsed < 60, f"{elapsed:.1f} s (the alias bomb alone used to take more than 30 s)"
