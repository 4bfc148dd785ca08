"""The report lists what a scenario file made sockfault execute: its `app:` and `command:` entries, nothing else."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema

from harness.collect import collect
from harness.report import results_document
from harness.report._html import render_html
from harness.results import CaseResult, RunResult
from harness.timeline import Timeline

SCHEMA = json.loads((Path(__file__).parents[2] / "harness" / "report" / "results.schema.json").read_text())

TEXT = """
    name: cmds
    doc: d
    servers:
      - {app: "node index.js --port {port}", cwd: ., env: {PORT: "{port}"}}
      - node@4.8.1
    clients:
      - {command: "python3 my_client.py --fast"}
      - node@4.8.1
    expect: [connected: {}]
    control:
      server: {env: {PORT: "{port}", FIXED: "1"}}
"""


def _document(tmp_path, text=TEXT):
    path = tmp_path / "cmds.yaml"
    path.write_text(textwrap.dedent(text))
    cases, errors = collect([str(path)])
    assert not errors, errors
    results = [CaseResult(c, "error", "not run", RunResult(c.case_id, Timeline()), None, 0.1) for c in cases]
    return results_document(results)


def test_the_commands_a_scenario_runs_are_in_the_json_and_valid(tmp_path):
    document = _document(tmp_path)
    jsonschema.validate(document, SCHEMA)
    (entry,) = document["scenarios"]
    by = {(c["peer"], c["run"]): c for c in entry["commands"]}
    assert set(by) == {("server:0", "run"), ("client:0", "run"), ("server:0", "control")}
    app = by["server:0", "run"]
    assert app["kind"] == "app" and app["argv"] == ["node", "index.js", "--port", "{port}"]
    assert app["cwd"] == str(tmp_path) and app["env"] == {"PORT": "{port}"}
    assert by["server:0", "control"]["env"] == {"PORT": "{port}", "FIXED": "1"}
    assert by["client:0", "run"] == {"peer": "client:0", "kind": "command", "argv": ["python3", "my_client.py", "--fast"],
                                     "cwd": by["client:0", "run"]["cwd"], "env": {}, "run": "run"}


def test_the_html_report_shows_them(tmp_path):
    html = render_html(_document(tmp_path))
    assert "<code>node index.js --port {port}</code>" in html and "<code>python3 my_client.py --fast</code>" in html
    assert "server:0 (control)" in html


def test_bundled_peers_run_no_command_of_the_file(tmp_path):
    document = _document(tmp_path, "name: plain\ndoc: d\nserver: node@4.8.1\nclient: python\nexpect: [connected: {}]\n")
    assert document["scenarios"][0]["commands"] == []
    jsonschema.validate(document, SCHEMA)


def test_an_old_document_without_commands_still_validates(tmp_path):
    document = _document(tmp_path)
    del document["scenarios"][0]["commands"]
    jsonschema.validate(document, SCHEMA)
    assert "<table class='commands'>" not in render_html(document)
