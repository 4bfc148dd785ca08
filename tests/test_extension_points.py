"""docs/extension-points.md is what tools/extension_points.py generates from the registries."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_extension_points_doc_is_current():
    spec = importlib.util.spec_from_file_location("extension_points", ROOT / "tools" / "extension_points.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "docs" / "extension-points.md").read_text() == module.render(), \
        "stale: run .venv/bin/python tools/extension_points.py"
