"""The reaper removes a peer's temp dir even while a detached program (Chromium) still writes into it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from harness.peers import _reaper


def test_forget_dir_kills_what_names_the_dir_then_removes_it():
    path = tempfile.mkdtemp(prefix="sockfault-peer-")
    _reaper.remember_dir(path)
    profile = os.path.join(path, "profile")
    os.mkdir(profile)
    # a stand-in for Chromium: its own session, the dir on its command line, rewriting a file in it
    writer = subprocess.Popen([sys.executable, "-c", "import sys, time\nwhile True:\n"
                               "    open(sys.argv[1].split('=', 1)[1] + '/Preferences', 'w').write('x'); time.sleep(0.01)",
                               f"--user-data-dir={profile}"], start_new_session=True)
    time.sleep(0.3)
    try:
        _reaper.forget_dir(path)
        assert writer.wait(2) == -9
        assert not os.path.exists(path) and path not in _reaper._DIRS
    finally:
        if writer.poll() is None:
            writer.kill()


def test_an_empty_dir_is_removed_without_looking_for_holders(monkeypatch):
    path = tempfile.mkdtemp(prefix="sockfault-peer-")
    monkeypatch.setattr(_reaper, "_kill_holders", lambda p: (_ for _ in ()).throw(AssertionError("scanned")))
    _reaper.forget_dir(path)
    assert not os.path.exists(path)


def test_reap_all_removes_remembered_dirs():
    path = tempfile.mkdtemp(prefix="sockfault-peer-")
    open(os.path.join(path, "f"), "w").close()
    _reaper.remember_dir(path)
    _reaper.reap_all()
    assert not os.path.exists(path)
