"""Bad scenario files, one test per class: each is a ScenarioError `file:line: message (valid: ...)`,
raised in well under a second, and the other files of the same folder still load."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from harness.collect import collect
from harness.errors import ScenarioError
from harness.scenario import _yaml, load_cases
from harness.scenario._yaml import MAX_BYTES, MAX_DEPTH, MAX_VALUES

GOOD = "name: g\ndoc: x\nserver: node@4.8.1\nclient: node@4.8.1\nexpect:\n  - connected: {}\n"
FAST_S = 3.0   # a hang was > 30 s; measured 0-40 ms: the bound only has to hold on a loaded CI machine (1.05 s seen)


@pytest.fixture(autouse=True, params=["libyaml", "python"])
def loader(request, monkeypatch):
    """Every class, with libyaml's events (the default where PyYAML has it) and with the Python scanner."""
    if request.param == "libyaml" and _yaml.CParser is None:
        pytest.skip("PyYAML without libyaml")
    monkeypatch.setattr(_yaml, "_Loader", _yaml._CLoader if request.param == "libyaml" else _yaml._PyLoader)


@contextmanager
def _hang_guard(seconds: float = 10.0):
    """A hang fails the test instead of stalling the suite."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(*_):
        raise TimeoutError(f"load_cases still running after {seconds} s")
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _bad(tmp_path: Path, data: bytes | str, name: str = "s.yaml") -> ScenarioError:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    started = time.monotonic()
    with _hang_guard(), pytest.raises(ScenarioError) as info:
        load_cases(path)
    elapsed = time.monotonic() - started
    error = info.value
    assert elapsed < FAST_S, f"{elapsed:.2f} s for {error}"
    assert error.file == str(path) and isinstance(error.line, int) and error.line >= 1, str(error)
    assert str(error).startswith(f"{path}:{error.line}: "), str(error)
    return error


def _with_valid(error: ScenarioError) -> ScenarioError:
    assert error.choices and re.search(r" \(valid: .+\)$", str(error)), str(error)
    return error


def test_not_utf8_names_the_line_of_the_bad_byte(tmp_path):
    error = _with_valid(_bad(tmp_path, GOOD.encode() + b"description: caf\xe9 cr\xe8me\n"))
    assert error.line == 7 and "not UTF-8" in error.message and "0xe9" in error.message
    assert error.choices == ["UTF-8 text"]


def test_utf16_and_a_utf8_bom(tmp_path):
    error = _with_valid(_bad(tmp_path, GOOD.encode("utf-16"), name="u16.yaml"))
    assert error.line == 1 and "UTF-16" in error.message
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_cases(path)[0].name == "g"   # a UTF-8 byte-order mark is fine


def test_binary_file(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    error = _with_valid(_bad(tmp_path, png))
    assert error.line == 3 and "binary" in error.message   # after the \r\n and the \n of the PNG header
    control = _with_valid(_bad(tmp_path, GOOD + "description: a\x07bell\n"))
    assert control.line == 7 and "U+0007" in control.message


def test_empty_and_comment_only_files(tmp_path):
    for text in ("", "\n\n   \n", "# nothing here\n", "---\n...\n"):
        error = _with_valid(_bad(tmp_path, text))
        assert error.line == 1 and "empty" in error.message
    error = _with_valid(_bad(tmp_path, "- a list\n- not a mapping\n"))
    assert "must be a mapping" in error.message


def test_huge_file_is_refused_before_it_is_read(tmp_path):
    error = _with_valid(_bad(tmp_path, GOOD + "# " + "x" * MAX_BYTES + "\n"))
    assert error.line == 1 and f"{MAX_BYTES // 1024} KiB" in error.message
    sparse = tmp_path / "sparse.yaml"
    with open(sparse, "wb") as f:
        f.truncate(8 << 30)     # 8 GB that nobody wrote: only stat can answer this fast
    started = time.monotonic()
    with pytest.raises(ScenarioError, match="8,589,934,592 bytes"):
        load_cases(sparse)
    assert time.monotonic() - started < FAST_S
    path = tmp_path / "under.yaml"
    path.write_text(GOOD + "description: " + "y" * (MAX_BYTES - 200) + "\n")
    assert load_cases(path)[0].name == "g"   # just under the limit loads


def test_deep_nesting(tmp_path):
    for text in ("name: " + "[" * 30_000 + "]" * 30_000 + "\n",        # flow lists
                 "a: " + "{a: " * 8_000 + "}" * 8_000 + "\n",           # flow mappings
                 "".join("  " * i + "k:\n" for i in range(200)),        # block mappings
                 "".join(" " * i + "-\n" for i in range(300))):          # block lists
        error = _with_valid(_bad(tmp_path, text))
        assert f"more than {MAX_DEPTH} levels" in error.message, str(error)
    # aliases can nest a value deeper than it was written
    deep = "[" * 20 + "x" + "]" * 20
    error = _with_valid(_bad(tmp_path, f"a: &a {deep}\nb: {'[' * 20}*a{']' * 20}\n"))
    assert f"more than {MAX_DEPTH} levels" in error.message and error.line == 1
    nested = "options: " + "{a: " * (MAX_DEPTH - 3) + "1" + "}" * (MAX_DEPTH - 3)
    path = tmp_path / "ok.yaml"
    path.write_text(f"name: g\ndoc: x\nserver: {{peer: node@4.8.1, {nested}}}\nexpect:\n  - connected: {{}}\n")
    assert load_cases(path)[0].servers[0].options   # MAX_DEPTH levels load


def test_alias_bombs(tmp_path):
    laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        laughs.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    text = "\n".join(laughs) + "\n"
    assert len(text) < 1000   # a few hundred bytes that expand to 9**9 strings
    error = _with_valid(_bad(tmp_path, text))
    assert f"more than {MAX_VALUES} values" in error.message and "alias" in error.message
    for recursive in ("name: &a [*a]\n", "a: &x {b: *x}\n", "a: &x [1, {b: [*x]}]\n"):
        error = _bad(tmp_path, recursive)
        assert "recursive" in error.message and error.line == 1, str(error)
    error = _bad(tmp_path, "a: *nowhere\n")
    assert "undefined alias" in error.message


def test_unknown_tags_are_refused_and_nothing_is_constructed(tmp_path):
    marker = tmp_path / "executed"
    for tag, value in (("!!python/object/apply:os.system", f'["touch {marker}"]'), ("!foo", "bar"),
                       ("!!binary", "aGVsbG8="), ("!!set", "{a, b}"), ("!!omap", "[a: 1]"),
                       ("!!timestamp", "2001-12-14"), ("!<tag:example.com,2000:x>", "y")):
        error = _with_valid(_bad(tmp_path, GOOD + f"description: {tag} {value}\n"))
        assert error.line == 7 and "unsupported YAML tag" in error.message and "!!str" in error.choices, str(error)
    assert not marker.exists()
    error = _bad(tmp_path, GOOD + "base: &b {x: 1}\nmerged: {<<: *b}\n")
    assert error.line == 8 and "merge keys" in error.message
    path = tmp_path / "date.yaml"
    path.write_text(GOOD.replace("doc: x", "doc: 2001-12-14"))   # a date-looking plain value is text
    assert load_cases(path)[0].doc == "2001-12-14"
    error = _bad(tmp_path, GOOD + "negative: !!bool maybe\n")
    assert error.line == 7 and "bool" in error.message


def test_duplicate_keys(tmp_path):
    error = _bad(tmp_path, "name: d\ndoc: x\nname: e\nserver: node@4.8.1\nexpect:\n  - connected: {}\n")
    assert error.line == 3 and "duplicate key 'name' (first at line 1)" == error.message
    error = _bad(tmp_path, "name: d\ndoc: x\nserver:\n  peer: node@4.8.1\n  options: {}\n  peer: node@3.1.2\n"
                           "expect:\n  - connected: {}\n")
    assert error.line == 6 and "first at line 4" in error.message


def test_wrong_types(tmp_path):
    cases = [("name: 12\ndoc: x\nserver: node@4.8.1\nexpect:\n  - connected: {}\n", 1, "string"),
             ("name: a\ndoc: x\nserver: node@4.8.1\nexpect: 3\n", 4, "array"),
             ("name: a\ndoc: x\nserver: {peer: node@4.8.1, options: [1]}\nexpect:\n  - connected: {}\n", 3, "object"),
             ("name: a\ndoc: x\nserver: node@4.8.1\nsteps:\n  - 3\nexpect:\n  - connected: {}\n", 5, "wait"),
             ("name: a\ndoc: x\nserver: node@4.8.1\nsteps:\n  - emit: {event: e, bytes: many}\n"
              "expect:\n  - connected: {}\n", 5, None),
             ("name: a\ndoc: x\nserver: node@4.8.1\nexpect:\n  - connected: {}\n? [a, b]\n: c\n", 6, None)]
    for text, line, valid in cases:
        error = _bad(tmp_path, text)
        assert error.line == line, str(error)
        if valid:
            assert valid in _with_valid(error).choices, str(error)
    assert "plain value" in error.message


def test_unknown_keys(tmp_path):
    error = _with_valid(_bad(tmp_path, GOOD + "clinet: node@4.8.1\n"))
    assert error.line == 7 and "'clinet'" in error.message and "client" in error.choices
    error = _with_valid(_bad(tmp_path, GOOD.replace("server: node@4.8.1", "server: {peer: node@4.8.1, optoins: {}}")))
    assert error.line == 3 and "options" in error.choices
    error = _with_valid(_bad(tmp_path, GOOD + "steps:\n  - wait_for: {event: connect, timeuot: 1s}\n"))
    assert error.line == 8 and "timeout" in error.choices


@pytest.mark.parametrize("where, value, line", [
    ("wait", "2 sec", 8), ("wait", "5h", 8), ("wait", -1, 8), ("wait", ".inf", 8), ("wait", ".nan", 8),
    ("wait", "9" * 40, 8), ("wait", "1" + "0" * 500, 8), ("wait", '"' + "9" * 400 + 'ms"', 8),
    ("wait", "86401", 8), ("wait", "1001 heartbeats", 8), ("wait", "true", 8),
    ("timeout", ".inf", 7), ("timeout", "3 parsecs", 7), ("within", "3 parsecs", 6), ("wait_for", "soon", 8),
])
def test_bad_durations_and_units(tmp_path, where, value, line):
    if where == "timeout":
        text = GOOD + f"timeout: {value}\n"
    elif where == "within":
        text = GOOD.replace("connected: {}", f"connected: {{within: {value}}}")
    elif where == "wait_for":
        text = GOOD + f"steps:\n  - wait_for: {{event: connect, timeout: {value}}}\n"
    else:
        text = GOOD + f"steps:\n  - wait: {value}\n"
    error = _with_valid(_bad(tmp_path, text))
    assert error.line == line, str(error)
    assert any("250ms" in c for c in error.choices), str(error)
    assert len(str(error)) < 400    # a 500-digit number is not echoed back


def test_fault_timing_durations(tmp_path):
    text = (GOOD + "proxies: [{kind: toxiproxy}]\nfaults:\n  - toxic:\n      type: latency\n"
            "      at: soonish\n")
    error = _with_valid(_bad(tmp_path, text))
    assert error.line == 11 and "at" in error.message


def test_bad_peer_specs(tmp_path):
    for peer in ("node@9.9.9", "ruby@1", "node@", "''"):
        error = _with_valid(_bad(tmp_path, GOOD.replace("server: node@4.8.1", f"server: {peer}")))
        assert error.line == 3 and "node@4.8.1" in error.choices, str(error)
    error = _bad(tmp_path, GOOD.replace("server: node@4.8.1", "server: {command: 'node \"unclosed'}"))
    assert error.line == 3 and "No closing quotation" in error.message
    error = _with_valid(_bad(tmp_path, GOOD + "matrix:\n  server: [node@4.8.1, node@7]\n"))
    assert error.line == 8 and "node@7" in error.message   # the matrix entry's line
    error = _with_valid(_bad(tmp_path, GOOD + "matrix:\n  pairs:\n    - {server: node@4.8.1, client: node@0.1}\n"))
    assert error.line == 9 and "node@0.1" in error.message
    error = _with_valid(_bad(tmp_path, GOOD.replace("client: node@4.8.1", "client: {peer: node@4.8.1, target: server:3}")))
    assert error.line == 4 and "server:0" in error.choices
    error = _bad(tmp_path, GOOD + "proxies: [{kind: toxiproxy}]\nfaults:\n  - toxic: {type: latency}\n"
                                  "steps:\n  - apply_fault: -5\n")
    assert error.line == 11 and error.choices == ["toxic"]


def test_unreadable_paths(tmp_path):
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    with pytest.raises(ScenarioError, match="not a regular file"):
        load_cases(folder)
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    with _hang_guard(5), pytest.raises(ScenarioError, match="not a regular file"):
        load_cases(fifo)   # opening a FIFO would block until a writer came


def test_a_folder_of_bad_files_reports_each_and_loads_the_good_one(tmp_path):
    bad = {"utf8.yaml": GOOD.encode() + b"description: caf\xe9\n", "bomb.yaml": "a: &a [1,1,1,1,1,1,1,1,1,1]\n" +
           "".join(f"{n}: &{n} [{','.join(['*' + p] * 10)}]\n" for p, n in zip("abcdefg", "bcdefgh")),
           "empty.yaml": "", "tag.yaml": GOOD + "doc2: !x y\n", "deep.yaml": "[" * 5000,
           "dup.yaml": GOOD + "name: h\n", "key.yaml": GOOD + "clinet: x\n", "wait.yaml": GOOD + "timeout: 5h\n",
           "peer.yaml": GOOD.replace("node@4.8.1", "node@7", 1), "bin.yaml": bytes(range(256)),
           "big.yaml": "#" * (MAX_BYTES + 1)}
    for name, data in bad.items():
        (tmp_path / name).write_bytes(data.encode() if isinstance(data, str) else data)
    (tmp_path / "zz-good.yaml").write_text(GOOD)
    started = time.monotonic()
    with _hang_guard():
        cases, errors = collect([str(tmp_path)])
    assert time.monotonic() - started < 2.0
    assert [c.name for c in cases] == ["g"]
    assert sorted(Path(e.file).name for e in errors) == sorted(bad)
    for e in errors:
        assert re.match(rf"^{re.escape(e.file)}:\d+: .+", str(e.error)), str(e.error)


def test_a_bad_regular_expression_is_a_load_error_not_a_failed_run(tmp_path):
    error = _bad(tmp_path, GOOD.replace("connected: {}", 'connect_error: {message_matches: "xhr ("}'))
    assert error.line == 6 and "not a regular expression" in error.message
