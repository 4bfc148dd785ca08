"""Fuzz the scenario loader: whatever the file holds, load_cases loads it or raises ScenarioError
(with the file and a line), never another exception, never slowly.

Three sources: arbitrary bytes, YAML-ish text built from YAML's own punctuation and the format's
words, and structured mutations of the real files under scenarios/ (values replaced by other types,
keys dropped, added or misspelt, text cut and spliced). SOCKFAULT_FUZZ_EXAMPLES raises the example
count for a long run (benchmarks/fuzz_run.py).
"""

from __future__ import annotations

import atexit
import copy
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.errors import ScenarioError
from harness.faults import FAULTS
from harness.scenario import load_cases
from harness.scenario._loader import STEP_PARAMS
from harness.symptoms import SYMPTOM_PARAMS

from _fuzz_helpers import EXAMPLES, hang_guard

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted(p for p in (ROOT / "scenarios").rglob("*.yaml"))
_DIR = Path(tempfile.mkdtemp(prefix="sockfault-fuzz-"))
atexit.register(shutil.rmtree, _DIR, True)   # given() tests take no tmp_path; the worker removes it on exit
FUZZ = settings(max_examples=EXAMPLES, deadline=5000, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _check(data: bytes) -> None:
    path = _DIR / "s.yaml"
    path.write_bytes(data)
    with hang_guard(20):
        try:
            cases = load_cases(path)
        except ScenarioError as exc:
            assert exc.file == str(path) and exc.message, repr(exc)
            assert isinstance(exc.line, int) and exc.line >= 1, str(exc)
            return
    assert cases and all(c.file == str(path) for c in cases)


@FUZZ
@given(st.binary(max_size=2048) | st.binary(max_size=64).map(lambda b: b"name: x\ndoc: y\n" + b))
def test_arbitrary_bytes(data):
    _check(data)


WORDS = sorted({"name", "doc", "server", "servers", "client", "clients", "expect", "steps", "faults", "proxies",
                "control", "matrix", "timeout", "timing", "tags", "negative", "peer", "command", "options",
                "target", "url_path", "namespaces", "app", "url", "cwd", "env", "port", "page", "actions", "pairs",
                "cells", "fault", "proxy", "kind", "keep_faults", "toxiproxy", "http", "nginx", "haproxy",
                "node@4.8.1", "node@2.4.0", "node@4", "node@9", "python", "plain-ws", "browser@4.8.1", "server:1",
                "2s", "250ms", "1.5 heartbeats", "-1", ".inf", ".nan", "1e400", "9" * 30, "~", "null", "yes", "<<",
                "=", "2001-12-14", "0x1f", "1:30"}
               | set(STEP_PARAMS) | set(SYMPTOM_PARAMS) | set(FAULTS) | {"wait", "apply_fault", "remove_fault"}
               | {k for params in list(STEP_PARAMS.values()) + list(SYMPTOM_PARAMS.values()) for k in params})
PUNCT = ["\n", "\n  ", "\n    ", "- ", ": ", ", ", "[", "]", "{", "}", "? ", "&a ", "*a", "&b ", "*b", "!!str ",
         "!!binary ", "!x ", "! ", "|\n  ", ">-\n  ", "'", '"', "\\", "#", "---\n", "...\n", "%YAML 1.1\n",
         "%TAG ! tag:x,\n", "\t", " ", "@", "`", "\r", "\x85", "\ufeff", "é"]
yamlish = st.lists(st.sampled_from(WORDS) | st.sampled_from(PUNCT), max_size=120).map("".join)


@FUZZ
@given(yamlish | st.text(alphabet=st.sampled_from("[]{}:,-?&*!|>'\"#%@ \n\tabc019.~"), max_size=300))
def test_yamlish_text(text):
    _check(text.encode("utf-8", "surrogatepass"))


def _real(path: Path) -> tuple[str, object]:
    text = path.read_text()
    try:
        return text, yaml.safe_load(text)
    except yaml.YAMLError:
        return text, None


REAL = [_real(p) for p in SCENARIOS]
json_like = st.recursive(st.none() | st.booleans() | st.integers() | st.integers(-2**70, 2**70)
                         | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
                         | st.sampled_from(WORDS),
                         lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(st.sampled_from(WORDS) | st.text(max_size=6), inner, max_size=4),
                         max_leaves=12)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, prefix + (i,))


def _mutate(data, tree):
    """One structural change at a random place: replace, delete, add a key, wrap or unwrap."""
    paths = list(_paths(tree))
    path = data.draw(st.sampled_from(paths))
    op = data.draw(st.sampled_from(["replace", "delete", "add", "wrap", "unwrap", "dup"]))
    if not path:
        return data.draw(json_like) if op == "replace" else tree
    parent = tree
    for part in path[:-1]:
        parent = parent[part]
    last, value = path[-1], parent[path[-1]]
    if op == "replace":
        parent[last] = data.draw(json_like)
    elif op == "delete":
        del parent[last]
    elif op == "add" and isinstance(value, dict):
        value[data.draw(st.sampled_from(WORDS) | st.text(max_size=6))] = data.draw(json_like)
    elif op == "add" and isinstance(value, list):
        value.insert(data.draw(st.integers(0, len(value))), data.draw(json_like))
    elif op == "wrap":
        parent[last] = data.draw(st.sampled_from([[value], {data.draw(st.sampled_from(WORDS)): value}]))
    elif op == "unwrap" and isinstance(value, (list, dict)) and value:
        inner = list(value.values()) if isinstance(value, dict) else value
        parent[last] = inner[0]
    elif op == "dup" and isinstance(parent, list):
        parent.append(copy.deepcopy(value))
    return tree


@FUZZ
@given(st.data())
def test_structured_mutations_of_real_scenarios(data):
    text, tree = data.draw(st.sampled_from(REAL))
    if data.draw(st.booleans()) and tree is not None:
        tree = copy.deepcopy(tree)
        for _ in range(data.draw(st.integers(1, 4))):
            tree = _mutate(data, tree)
        try:
            text = yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)
        except (yaml.YAMLError, ValueError, OverflowError):
            return
    else:   # text-level: cut, splice, duplicate lines, insert YAML punctuation
        lines = text.splitlines(keepends=True) or [""]
        for _ in range(data.draw(st.integers(1, 4))):
            i = data.draw(st.integers(0, len(lines) - 1))
            op = data.draw(st.sampled_from(["drop", "dup", "insert", "cut", "indent"]))
            if op == "drop" and len(lines) > 1:
                del lines[i]
            elif op == "dup":
                lines.insert(i, lines[i])
            elif op == "insert":
                at = data.draw(st.integers(0, len(lines[i])))
                lines[i] = lines[i][:at] + data.draw(yamlish) + lines[i][at:]
            elif op == "cut":
                at = data.draw(st.integers(0, len(lines[i])))
                lines[i] = lines[i][:at] + "\n"
            elif op == "indent":
                lines[i] = data.draw(st.sampled_from([" ", "  ", "\t", ""])) + lines[i].lstrip(" ")
        text = "".join(lines)
    _check(text.encode("utf-8", "surrogatepass"))


def test_the_mutation_corpus_is_the_real_catalogue():
    assert len(SCENARIOS) >= 20 and sum(tree is not None for _, tree in REAL) >= 20
