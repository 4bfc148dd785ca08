"""docs/python-api.md's worked example is a real test file: run it, as a user's own, against
tests/apps/node-chat laid out as `my-app/` (the file in my-app/tests/, cwd "..")."""

import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAT = ROOT / "tests" / "apps" / "node-chat"

pytest_plugins = ["pytester"]
pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(shutil.which("node") is None or not (CHAT / "node_modules").is_dir(),
                                 reason="node, or tests/apps/node-chat/node_modules (npm ci), missing")]


def worked_example() -> str:
    text = (ROOT / "docs" / "python-api.md").read_text()
    section = text.split("## A worked example", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_worked_example_passes(pytester):
    app = pytester.path / "my-app"
    (app / "tests").mkdir(parents=True)
    for name in ("index.js", "package.json", "node_modules", "public"):
        (app / name).symlink_to(CHAT / name)         # node resolves its modules from the real index.js
    (app / "tests" / "test_chat_faults.py").write_text(worked_example())
    result = pytester.runpytest(str(app / "tests"), "-p", "sockfault.fixtures", "-p", "no:cacheprovider", "-q",
                                "-o", "asyncio_default_fixture_loop_scope=function")
    result.assert_outcomes(passed=2)
