"""`sockfault matrix` with real peers: a few cells whose answers the wire facts pin down, the JSON
against the shipped schema, and --shard splitting the cells between two runs."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from harness.cli import main

pytestmark = pytest.mark.e2e
SCHEMA = json.loads((Path(__file__).parents[2] / "harness" / "report" / "results.schema.json").read_text())


def _cells(path: Path) -> dict:
    doc = json.loads(path.read_text())
    jsonschema.validate(doc, SCHEMA)
    return {c["cell"]: c for c in doc["cells"]}


def test_a_small_matrix_measures_what_the_wire_facts_say(tmp_path):
    out, html = tmp_path / "m.json", tmp_path / "m.html"
    assert main(["matrix", "--clients", "node@1.7.4,node@4.8.1", "--servers", "node@2.4.1,node@4.8.1",
                 "--transports", "polling", "--json", str(out), "--html", str(html), "-j", "2"]) == 0
    cells = _cells(out)
    assert set(cells) == {"node@1.7.4 -> node@2.4.1 [polling]", "node@4.8.1 -> node@2.4.1 [polling]",
                          "node@1.7.4 -> node@4.8.1 [polling]", "node@1.7.4 -> node@4.8.1 +allowEIO3 [polling]",
                          "node@4.8.1 -> node@4.8.1 [polling]"}
    # a v1 client reaches a v2 server over polling until a non-ASCII payload crosses
    v1 = cells["node@1.7.4 -> node@2.4.1 [polling]"]
    assert v1["payloads"]["ascii"] == {"to_server": "intact", "to_client": "intact", "ack": "yes"}, v1
    assert v1["payloads"]["utf8"]["to_server"] == "corrupted" and v1["result"] == "fails" and v1["agrees"] is True
    assert "server error" in cells["node@4.8.1 -> node@2.4.1 [polling]"]["symptom"]
    refused = cells["node@1.7.4 -> node@4.8.1 [polling]"]
    assert refused["result"] == "fails" and "xhr poll error" in refused["symptom"]
    assert cells["node@4.8.1 -> node@4.8.1 [polling]"]["result"] == "works"
    assert "Compatibility matrix, measured" in html.read_text()


def test_two_shards_split_the_cells(tmp_path):
    args = ["matrix", "--clients", "node@4.8.1", "--servers", "node@4.8.1,node@3.1.2", "--transports",
            "polling,websocket", "--payloads", "ascii"]
    one, two = tmp_path / "1.json", tmp_path / "2.json"
    assert main(args + ["--shard", "1/2", "--json", str(one)]) == 0
    assert main(args + ["--shard", "2/2", "--json", str(two)]) == 0
    a, b = _cells(one), _cells(two)
    assert len(a) == len(b) == 2 and not set(a) & set(b)
    assert all(c["result"] == "works" for c in {**a, **b}.values())
    merged = tmp_path / "all.json"
    assert main(["report", str(one), str(two), "--json", str(merged)]) == 0
    assert json.loads(merged.read_text())["matrix"]["summary"] == {"cells": 4, "works": 4, "fails": 0, "error": 0,
                                                                   "disagree_with_page": 0}


def test_run_shards_partition_the_cases(tmp_path):
    folder = Path(__file__).parents[2] / "scenarios" / "not-able-to-connect"
    base = ["run", str(folder / "server-not-reachable.yaml"), str(folder / "connects-baseline.yaml")]
    one, two = tmp_path / "1.json", tmp_path / "2.json"
    assert main(base + ["--shard", "1/2", "--json", str(one)]) == 0
    assert main(base + ["--shard", "2/2", "--json", str(two)]) == 0
    ids = [{s["scenario"] for s in json.loads(p.read_text())["scenarios"]} for p in (one, two)]
    assert ids[0] and ids[1] and not ids[0] & ids[1]
    assert main(["run", base[1], "--shard", "3/2"]) == 2
    # the report of the two shards merged equals the unsharded run's (cases and verdicts)
    whole, merged = tmp_path / "whole.json", tmp_path / "merged.json"
    assert main(base + ["--json", str(whole)]) == 0
    assert main(["report", str(one), str(two), "--json", str(merged)]) == 0
    def verdicts(path):
        doc = json.loads(path.read_text())
        return sorted((s["scenario"], s["verdict"]) for s in doc["scenarios"]), doc["summary"]
    assert verdicts(merged) == verdicts(whole)


@pytest.mark.skipif(not (Path(__file__).parents[2] / ".venv-sio4" / "bin" / "python").exists(),
                    reason="python-socketio 4.x not built (make setup builds .venv-sio4)")
def test_python_socketio_4_as_client_and_server(tmp_path):
    out = tmp_path / "py4.json"
    assert main(["matrix", "--clients", "python@4.6.1,node@2.4.0", "--servers", "python@4.6.1,node@4.8.1",
                 "--transports", "polling", "--payloads", "ascii", "--json", str(out), "-j", "2"]) == 0
    cells = {k: (c["result"], c["symptom"]) for k, c in _cells(out).items()}
    assert cells["python@4.6.1 -> python@4.6.1 [polling]"][0] == "works"
    assert cells["node@2.4.0 -> python@4.6.1 [polling]"][0] == "works"           # both Engine.IO 3
    refused = cells["python@4.6.1 -> node@4.8.1 [polling]"]
    assert refused[0] == "fails" and "Unsupported protocol version" in refused[1], refused
    assert cells["python@4.6.1 -> node@4.8.1 +allowEIO3 [polling]"][0] == "works"
