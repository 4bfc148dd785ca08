"""pytest plugin: every scenario YAML under a `scenarios/` folder becomes test items.

Which files are scenarios (`_collect_rule`): a `.yaml`/`.yml` under a folder named `scenarios`
or one named in the ini option `sockfault_scenario_dirs`, or any file named `*.sockfault.yaml`
/ `*.sockfault.yml`. Other YAML is left alone, but one given on the command line is a
collection error that states the rule, rather than a silent "no tests ran".

One item per case (matrix cell). All items of a process share one event loop and one
Session (warm peers), created on first use and closed at the end; under pytest-xdist each
worker has its own. A broken file is one failing item that names file:line, without a
traceback, and the other files still run. `--sockfault-json/--sockfault-html` register the
report plugin, which gathers results from workers through `user_properties`.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from . import _pytest_signals
from .errors import ScenarioError
from .scenario import Case, load_cases
from sockfault.fixtures import sockfault_app, sockfault_proxy  # noqa: F401  (the Python API's fixtures, docs/python-api.md)

_STATE: dict = {}


def pytest_addoption(parser):
    group = parser.getgroup("sockfault")
    group.addoption("--sockfault-faithful", action="store_true", help="run scenarios with real heartbeat defaults")
    group.addoption("--sockfault-json", metavar="FILE", help="write sockfault results as JSON")
    group.addoption("--sockfault-html", metavar="FILE", help="write a sockfault HTML report")
    parser.addini("sockfault_scenario_dirs", type="linelist", default=[],
                  help="folder names (besides `scenarios`) whose .yaml/.yml files are sockfault scenarios")


_ON_WORKER = [False]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report):
    """On the controller: keep the whole result on the report for sockfault's own reports, and hand JUnit
    XML (which writes every user property) the verdict, section, symptom, reason and evidence instead of
    the whole timeline. Workers ship the whole result unchanged."""
    if _ON_WORKER[0]:
        return
    slim = []
    for key, value in getattr(report, "user_properties", None) or []:
        if key == "sockfault" and isinstance(value, dict):
            report.sockfault_result = value
            slim += [("verdict", value.get("verdict")), ("doc", value.get("doc")), ("symptom", value.get("symptom")),
                     ("reason", value.get("reason")),
                     ("evidence", "; ".join(c.get("text", "") for c in value.get("evidence") or [])[:2000])]
        else:
            slim.append((key, value))
    if hasattr(report, "user_properties"):
        report.user_properties = slim


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With pytest-html (`pytest --html=F`), a scenario item carries its wire picture as an extra."""
    outcome = yield
    if call.when != "call" or not isinstance(item, ScenarioItem) or not getattr(item.config.option, "htmlpath", None):
        return                                  # pytest-html's --html not given (or not installed)
    result = next((v for k, v in item.user_properties if k == "sockfault" and isinstance(v, dict)), None)
    if result is None:
        return
    from pytest_html import extras

    from .report._pytest_html import scenario_extra_html

    report = outcome.get_result()
    report.extras = list(getattr(report, "extras", []) or []) + [extras.html(scenario_extra_html(result))]


def pytest_configure(config):
    _ON_WORKER[0] = hasattr(config, "workerinput")
    _pytest_signals.install(controller=not _ON_WORKER[0])
    config.addinivalue_line("markers", "sockfault: a sockfault scenario case")
    config.addinivalue_line("markers", "faithful: a scenario case run in real time (the faithful set; `-m faithful` runs it)")
    if (config.getoption("--sockfault-json") or config.getoption("--sockfault-html")) \
            and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_ReportPlugin(config), "sockfault-report")


_SUFFIXES = (".sockfault.yaml", ".sockfault.yml")


def _collect_rule(config) -> str:
    dirs = ", ".join(f"`{d}/`" for d in _scenario_dirs(config))
    return (f"a sockfault scenario is a .yaml/.yml file under a folder named {dirs} (ini option "
            "`sockfault_scenario_dirs` adds folder names), or any file named *.sockfault.yaml / *.sockfault.yml")


def _scenario_dirs(config) -> list[str]:
    return ["scenarios"] + [d.strip().strip("/") for d in config.getini("sockfault_scenario_dirs") if d.strip()]


def _is_scenario(file_path: Path, config) -> bool:
    if file_path.name.endswith(_SUFFIXES):
        return True
    if file_path.suffix not in (".yaml", ".yml"):
        return False
    return any(d in file_path.parent.parts for d in _scenario_dirs(config))


def _given_on_command_line(file_path: Path, config) -> bool:
    root = Path(config.invocation_params.dir)
    for arg in config.args:
        target = Path(str(arg).split("::", 1)[0])
        if (target if target.is_absolute() else root / target).resolve() == file_path.resolve():
            return True
    return False


def pytest_collect_file(file_path: Path, parent):
    if _is_scenario(file_path, parent.config):
        return ScenarioFile.from_parent(parent, path=file_path)
    if file_path.suffix in (".yaml", ".yml") and _given_on_command_line(file_path, parent.config):
        return NotAScenario.from_parent(parent, path=file_path)
    return None


def pytest_unconfigure(config):
    loop, session = _STATE.pop("loop", None), _STATE.pop("session", None)
    if loop is not None:
        if session is not None:
            loop.run_until_complete(session.close())
        loop.close()


_LONG = re.compile(r"\b(faithful|slow)\b")


def pytest_collection_modifyitems(config, items):
    """Leave the faithful set (real-time waits) out unless `-m` names `faithful` or `slow`."""
    if _LONG.search(config.getoption("markexpr", "") or "") or config.getoption("--sockfault-faithful"):
        return
    long = [i for i in items if isinstance(i, ScenarioItem) and (i.get_closest_marker("faithful")
                                                                 or i.get_closest_marker("slow"))]
    if long:
        config.hook.pytest_deselected(items=long)
        items[:] = [i for i in items if i not in set(long)]


def _session(config):
    from .runner import Session

    if "loop" not in _STATE:
        _STATE["loop"] = asyncio.new_event_loop()
        _STATE["session"] = Session(faithful=config.getoption("--sockfault-faithful"))
    return _STATE["loop"], _STATE["session"]


class ScenarioFile(pytest.File):
    def collect(self):
        try:
            cases = load_cases(self.path)
        except ScenarioError as exc:
            yield BrokenScenario.from_parent(self, name=self.path.stem, error=exc)
            return
        from .runner import faithful_variant, has_faithful_variant

        forced = self.config.getoption("--sockfault-faithful")   # every item in real time already
        for case in cases:
            yield ScenarioItem.from_parent(self, name=case.case_id, case=case)
            if has_faithful_variant(case) and not forced:
                variant = faithful_variant(case)
                yield ScenarioItem.from_parent(self, name=variant.case_id, case=variant)


class NotAScenario(pytest.File):
    """A YAML file named on the command line that the collection rule does not take: say why."""

    def collect(self):
        raise self.CollectError(f"{self.path.name} is not collected as a sockfault scenario: "
                                f"{_collect_rule(self.config)}; rename it {self.path.stem}.sockfault.yaml, "
                                f"move it under scenarios/, or add its folder to sockfault_scenario_dirs")


class ScenarioFailure(Exception):
    pass


class ScenarioItem(pytest.Item):
    def __init__(self, *, case: Case, **kwargs):
        super().__init__(**kwargs)
        self.case = case
        self.add_marker("sockfault")
        for tag in case.tags:
            if tag != "faithful":   # the tag says "has a faithful variant"; the marker is on the variant
                self.add_marker(tag)
        if case.timing == "faithful":
            self.add_marker("faithful")

    def runtest(self):
        loop, session = _session(self.config)
        result = loop.run_until_complete(session.run(self.case))
        # plain JSON only: xdist ships user_properties to the controller through execnet
        self.user_properties.append(("sockfault", json.loads(json.dumps(result.to_dict(), default=str))))
        if result.verdict == "skipped":
            pytest.skip(result.reason)
        if not result.ok:
            raise ScenarioFailure(result)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ScenarioFailure):
            result = excinfo.value.args[0]
            text = [f"{self.case.where}: {self.case.case_id}: {result.verdict}", f"  {result.reason}"]
            for label, run in (("run", result.main), ("control", result.control)):
                if run is not None:
                    text += [f"--- {label} timeline (last events) ---", run.timeline.excerpt(30)]
            return "\n".join(text)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, self.case.line - 1, f"scenario {self.case.case_id}"


class BrokenScenario(pytest.Item):
    def __init__(self, *, error: ScenarioError, **kwargs):
        super().__init__(**kwargs)
        self.error = error

    def runtest(self):
        raise self.error

    def repr_failure(self, excinfo, style=None):
        return f"scenario file does not load: {self.error}"

    def reportinfo(self):
        return self.path, (self.error.line or 1) - 1, f"scenario file {self.path.name}"


class _ReportPlugin:
    """Gathers sockfault results (from this process or from xdist workers) and writes the reports."""

    def __init__(self, config):
        self.config, self.entries = config, []

    def pytest_runtest_logreport(self, report):
        value = getattr(report, "sockfault_result", None)
        if value is not None and report.when == "call":
            self.entries.append(value)

    def pytest_sessionfinish(self, session):
        from .report import write_html, write_json
        from .report._json import results_document

        document = results_document([], [], self.config.getoption("--sockfault-faithful"))
        document["scenarios"] = self.entries
        counts: dict[str, int] = {}
        for entry in self.entries:
            counts[entry["verdict"]] = counts.get(entry["verdict"], 0) + 1
        document["summary"] = counts
        if self.config.getoption("--sockfault-json"):
            write_json(self.config.getoption("--sockfault-json"), document)
        if self.config.getoption("--sockfault-html"):
            write_html(self.config.getoption("--sockfault-html"), document)
