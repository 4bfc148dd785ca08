"""`import sockfault` is the folder harness/api (pyproject package-dir), the package list stays
complete, and importing the API (as the pytest plugin will) pays for no heavy library."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_sockfault_is_harness_api_under_one_name_only():
    import sockfault

    assert Path(sockfault.__file__).parent == ROOT / "harness" / "api"
    assert {"proxy", "proxy_sync", "app", "app_sync", "FAULTS"} <= set(sockfault.__all__)
    with pytest.raises(ImportError, match="installed as the package `sockfault`"):
        import harness.api  # noqa: F401


def test_every_package_folder_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    assert config["package-dir"] == {"sockfault": "harness/api"} and "sockfault" in listed
    data_dirs = {str(Path("harness", pattern).parent) for pattern in config["package-data"]["harness"]}
    wanted = {str(p.parent.relative_to(ROOT)) for top in ("harness", "proxies")
              for p in (ROOT / top).rglob("__init__.py") if "node_modules" not in p.parts} | data_dirs
    wanted = {d.replace("/", ".") for d in wanted} - {"harness.api"}
    assert sorted(wanted - listed) == [], "add these to [tool.setuptools] packages in pyproject.toml"
    assert sorted(listed - wanted - {"sockfault"}) == [], "listed packages that no longer exist"


def test_importing_the_api_and_its_fixtures_stays_light():
    code = ("import sys, sockfault, sockfault.fixtures; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'mitmproxy', 'aiohttp', 'socketio', "
            "'jsonschema', 'toxiproxy'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    assert out.stdout.strip() == "[]"
