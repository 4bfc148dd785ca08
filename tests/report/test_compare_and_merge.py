"""`sockfault compare` and `sockfault report` on results documents: regressions gate CI, shards merge
into one report, and every document matches the shipped JSON Schema."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from harness.cli import main
from harness.report import results_document
from harness.report._compare import compare
from harness.report._merge import merge, load_document

SCHEMA = json.loads((Path(__file__).parents[2] / "harness" / "report" / "results.schema.json").read_text())


def _scenario(name, verdict, duration=1.0):
    return {"scenario": name, "name": name, "file": f"scenarios/{name}.yaml", "line": 1, "doc": "The server is not reachable",
            "timing": "compressed", "cause": None, "verdict": verdict, "reason": "why" if verdict != "reproduced" else "",
            "symptom": "connect_error", "duration_s": duration, "evidence": [], "control": None, "peers": {},
            "run": {"timeline": []}}


def _cell(cell, result, duration=1.0):
    client, _, rest = cell.partition(" -> ")
    return {"cell": cell, "client": client, "server": rest.split(" ")[0], "transport": "polling", "allow_eio3": False,
            "result": result, "symptom": "" if result == "works" else "connect_error server error",
            "transport_at_end": None, "upgraded": None, "payloads": {}, "page": "yes", "agrees": result == "works",
            "duration_s": duration, "error": None}


def _run_doc(*scenarios):
    doc = results_document([])
    doc["scenarios"] = list(scenarios)
    doc["summary"] = {}
    return doc


def _matrix_doc(*cells):
    from harness.matrix._run import document
    doc = document([], {"payloads": ["ascii"]})
    doc["cells"] = list(cells)
    return doc


def test_a_regression_a_fix_a_new_and_a_gone_case():
    old = _run_doc(_scenario("a", "reproduced"), _scenario("b", "not reproduced"), _scenario("c", "reproduced"))
    new = _run_doc(_scenario("a", "control failed"), _scenario("b", "reproduced"), _scenario("d", "works"))
    diff = compare(merge([old]), merge([new]))
    assert [(r["id"], r["was"], r["now"]) for r in diff["regressions"]] == [("a", "reproduced", "control failed")]
    assert [r["id"] for r in diff["fixes"]] == ["b"]
    assert [r["id"] for r in diff["new"]] == ["d"] and [r["id"] for r in diff["gone"]] == ["c"]


def test_a_cell_that_stops_working_regresses_and_one_that_starts_is_a_change():
    old = _matrix_doc(_cell("node@2.4.0 -> node@4.8.1 [polling]", "works"), _cell("node@4.8.1 -> node@2.4.1 [polling]", "fails"))
    new = _matrix_doc(_cell("node@2.4.0 -> node@4.8.1 [polling]", "fails"), _cell("node@4.8.1 -> node@2.4.1 [polling]", "works"))
    diff = compare(merge([old]), merge([new]))
    assert [r["id"] for r in diff["regressions"]] == ["node@2.4.0 -> node@4.8.1 [polling]"]
    assert [r["id"] for r in diff["changes"]] == ["node@4.8.1 -> node@2.4.1 [polling]"]


def test_the_cli_exits_1_on_a_regression_and_0_otherwise(tmp_path, capsys):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(_run_doc(_scenario("a", "reproduced"))))
    new.write_text(json.dumps(_run_doc(_scenario("a", "not reproduced"))))
    assert main(["compare", str(old), str(new)]) == 1
    assert "REGRESSED scenario a: reproduced -> not reproduced" in capsys.readouterr().out
    assert main(["compare", str(old), str(old)]) == 0
    (tmp_path / "junk.json").write_text("{]")
    assert main(["compare", str(old), str(tmp_path / "junk.json")]) == 2
    assert "not a sockfault JSON document" in capsys.readouterr().err


def test_shards_merge_into_one_report(tmp_path):
    files = []
    for i, doc in enumerate([_run_doc(_scenario("a", "reproduced", 2.0)), _run_doc(_scenario("b", "error", 3.0)),
                             _matrix_doc(_cell("node@4.8.1 -> node@4.8.1 [polling]", "works", 0.5))]):
        files.append(tmp_path / f"shard{i}.json")
        files[-1].write_text(json.dumps(doc))
    out, html, durations = tmp_path / "all.json", tmp_path / "all.html", tmp_path / "durations.json"
    assert main(["report", *map(str, files), "--json", str(out), "--html", str(html), "--durations", str(durations)]) == 0
    merged = json.loads(out.read_text())
    jsonschema.validate(merged, SCHEMA)
    assert [s["scenario"] for s in merged["scenarios"]] == ["a", "b"] and merged["summary"] == {"error": 1, "reproduced": 1}
    assert merged["matrix"]["summary"]["cells"] == 1 and merged["merged_from"] == 3
    assert "Compatibility matrix" in html.read_text()
    assert json.loads(durations.read_text()) == {"a": 2.0, "b": 3.0, "node@4.8.1 -> node@4.8.1 [polling]": 0.5}


def test_documents_match_the_schema_and_a_foreign_one_is_refused(tmp_path):
    jsonschema.validate(_run_doc(_scenario("a", "reproduced")), SCHEMA)
    jsonschema.validate(_matrix_doc(_cell("x -> y [polling]", "fails")), SCHEMA)
    bad = copy.deepcopy(_run_doc(_scenario("a", "reproduced")))
    bad["scenarios"][0]["verdict"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"tool": "sockfault", "schema": "sockfault-results/99", "scenarios": []}))
    with pytest.raises(Exception, match="valid: sockfault-results/1"):
        load_document(other)


def test_the_wire_picture_draws_exchanges_messages_marks_and_faults():
    from harness.report._wire_svg import MAX_ROWS, wire_svg
    events = [
        {"t": 10.0, "source": "proxy:http", "kind": "http", "data": {"method": "GET", "transport": "polling", "status": 200}},
        {"t": 12.0, "source": "runner", "kind": "fault_applied", "data": {"fault": "strip_upgrade#0"}},
        {"t": 15.0, "source": "proxy:http", "kind": "http", "data": {"method": "GET", "transport": "websocket", "status": 403}},
        {"t": 20.0, "source": "proxy:http", "kind": "ws_message",
         "data": {"from": "server", "packet": {"type": "ping", "data": "probe"}, "dropped": True}},
        {"t": 30.0, "source": "client:0", "kind": "upgradeError", "data": {"message": "probe error"}},
        {"t": 31.0, "source": "server:0", "kind": "stdout", "data": {"line": "not drawn"}},
    ]
    svg = wire_svg(events)
    assert svg.startswith("<svg") and svg.count("<line x1") == 3 + 3          # three lanes, three arrows
    assert "GET websocket -&gt; 403" in svg and "fault applied: strip_upgrade#0" in svg
    assert "ws ping probe (dropped)" in svg and "stroke-dasharray" in svg and "upgradeError probe error" in svg
    assert "not drawn" not in svg and wire_svg([]) == ""
    many = [dict(events[0], t=float(i)) for i in range(MAX_ROWS + 5)]
    assert f"the first {MAX_ROWS} rows" in wire_svg(many)


def test_junit_xml_has_one_testcase_per_case_and_cell(tmp_path):
    from xml.etree import ElementTree as ET
    from harness.report._junit import write_junit
    doc = merge([_run_doc(_scenario("a", "reproduced"), _scenario("b", "control failed")),
                 _matrix_doc(_cell("x -> y [polling]", "fails"))])
    write_junit(tmp_path / "j.xml", doc)
    root = ET.parse(tmp_path / "j.xml").getroot()
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert set(cases) == {"a", "b", "x -> y [polling]"}
    assert cases["a"].find("failure") is None and "control failed: why" in cases["b"].find("failure").text
    assert cases["x -> y [polling]"].find("failure") is None       # a measured "fails" is a result, not a failure
