"""write_json streams the results document: the same bytes json.dumps(indent=1) wrote when every
timeline was a list, from timelines that live mostly in their spill files."""

from __future__ import annotations

import json

import pytest

from _real_run import ODD, eager_document, fixture, results
from harness.report import results_document, write_json


def test_the_streamed_file_is_the_eager_one_byte_for_byte(tmp_path):
    cases = results()
    assert all(r.main.timeline.spilled for r in cases) and cases[1].control.timeline.spilled   # read back from disk
    document = results_document(cases)
    write_json(tmp_path / "r.json", document)
    new = (tmp_path / "r.json").read_text()
    old = json.dumps(eager_document(document, cases), indent=1, default=str)
    assert new == old
    assert json.loads(new) == json.loads(old)
    assert not list(tmp_path.glob("*.partial"))


def test_every_recorded_event_is_in_the_file(tmp_path):
    document = results_document(results())
    write_json(tmp_path / "r.json", document)
    written = json.loads((tmp_path / "r.json").read_text())["scenarios"]
    for was, now in zip(fixture()["scenarios"], written):
        assert now["run"]["timeline"][:len(was["run"]["timeline"])] == was["run"]["timeline"]
        assert now["evidence"] == was["evidence"] and now["peers"] == was["peers"]
        if was["control"]:
            assert now["control"]["timeline"] == was["control"]["timeline"]
    odd = written[0]["run"]["timeline"][-1]
    assert odd["kind"] == "odd" and odd["data"] == {"raw": str(ODD["raw"]), "pair": [1, 2], "big": ODD["big"],
                                                    "text": ODD["text"]}


def test_the_lazy_timeline_reads_like_the_list_it_stands_for():
    (case, *_) = results()
    lazy, eager = results_document([case])["scenarios"][0]["run"]["timeline"], case.main.timeline.to_json()
    assert lazy == eager and len(lazy) == len(eager) and lazy[3] == eager[3] and lazy[-2:] == eager[-2:]
    with pytest.raises(TypeError):
        json.dumps(lazy)            # a plain json.dumps fails loudly rather than writing "[]"


def test_a_failed_write_leaves_the_previous_file_and_no_partial(tmp_path):
    cases = results()
    document = results_document(cases)
    (tmp_path / "r.json").write_text("previous")
    cases[2].main.timeline.close()  # its spilled events are gone: reading them raises mid-file
    with pytest.raises(ValueError, match="spilled events are gone"):
        write_json(tmp_path / "r.json", document)
    assert (tmp_path / "r.json").read_text() == "previous" and not list(tmp_path.glob("*.partial"))
