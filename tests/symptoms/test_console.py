"""The `console` symptom: the page's console messages a browser client records."""

import pytest

from harness.errors import SymptomMismatch
from harness.symptoms import Observation, check
from harness.timeline import Timeline

MIXED = ("Mixed Content: The page at 'https://page.test:1/' was loaded over HTTPS, but requested an insecure "
         "XMLHttpRequest endpoint 'http://sio.test:2/socket.io/?EIO=4'. This request has been blocked; "
         "the content must be served over HTTPS.")


def _obs(*messages, source="client:0"):
    timeline = Timeline()
    for kind, text in messages:
        timeline.add(source, "console", {"type": kind, "text": text})
    return Observation(timeline, float("inf"))


def test_matches_type_and_text():
    obs = _obs(("warning", "x"), ("error", MIXED))
    evidence = check("console", obs, {"type": "error", "text_matches": r"^Mixed Content: .* has been blocked"})
    assert "Mixed Content" in evidence.text and len(evidence.events) == 1
    assert check("console", obs, {"text_contains": "insecure XMLHttpRequest"}).events
    assert check("console", obs, {"text": "x", "type": "warning"}).events


def test_mismatch_names_what_was_seen():
    with pytest.raises(SymptomMismatch, match=r"1 console message\(s\): \[error\] Access to XMLHttpRequest"):
        check("console", _obs(("error", "Access to XMLHttpRequest at ... CORS policy")), {"text_contains": "Mixed"})
    with pytest.raises(SymptomMismatch, match="0 console message"):
        check("console", _obs(), {"text_contains": "Mixed"})
    with pytest.raises(SymptomMismatch):   # a warning is not an error
        check("console", _obs(("warning", MIXED)), {"type": "error", "text_contains": "Mixed"})


def test_client_index_any_and_min_count():
    obs = _obs(("error", MIXED), source="client:1")
    with pytest.raises(SymptomMismatch):
        check("console", obs, {"text_contains": "Mixed"})
    assert check("console", obs, {"client": 1, "text_contains": "Mixed"}).events
    assert check("console", obs, {"client": "any", "text_contains": "Mixed"}).events
    with pytest.raises(SymptomMismatch):
        check("console", obs, {"client": "any", "text_contains": "Mixed", "min_count": 2})
