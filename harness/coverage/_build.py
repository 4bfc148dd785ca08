"""Scenario files + the latest report + the page's headings -> which heading each scenario covers."""

from __future__ import annotations

import fnmatch
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ._notes import ATTRIBUTED, LIMITS, VERSIONS
from ._page import Heading, norm

__all__ = ["Scenario", "HeadingCoverage", "Coverage", "build"]

BEYOND = "beyond-the-page"   # the folder of failures users report that the page does not name (issue 13)
_FINDING = re.compile(r"\b(Measured|measured (over|here|in|with)|NOT|[Ff]inding|does not reproduce|not the doc)\b")
_NOT_RUN = "not run"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Scenario:
    name: str
    file: str                   # as given, relative to where sockfault runs
    doc: str
    description: str
    section: str                # its folder under the scenarios root (the page's section)
    how: str = "doc"            # doc | name (attributed by ATTRIBUTED) | beyond | unmatched
    verdicts: Counter = field(default_factory=Counter)

    @property
    def verdict_text(self) -> str:
        if not self.verdicts:
            return _NOT_RUN
        return ", ".join(f"{n} {v}" for v, n in sorted(self.verdicts.items(), key=lambda kv: (-kv[1], kv[0])))

    def findings(self) -> list[str]:
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z(\"`])", " ".join(self.description.split()))
        return [s for s in sentences if _FINDING.search(s)]


@dataclass
class HeadingCoverage:
    heading: Heading
    scenarios: list[Scenario]
    below: int = 0              # scenarios under its sub-headings
    limit: str | None = None
    versions: list[tuple[str, str]] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.scenarios) or self.below > 0


@dataclass
class Coverage:
    headings: list[HeadingCoverage]
    unmatched: list[Scenario]
    unreadable: list[str]
    report: str | None          # the report's path and date, or None
    beyond: list[Scenario] = field(default_factory=list)   # scenarios/beyond-the-page/: no heading to name

    @property
    def uncovered(self) -> list[HeadingCoverage]:
        return [h for h in self.headings if not h.covered]


def _scenarios(root: Path) -> tuple[list[Scenario], list[str]]:
    found, unreadable = [], []
    paths = [p for p in root.rglob("*.y*ml") if "node_modules" not in p.parts and p.suffix in (".yaml", ".yml")]
    for path in sorted(p for p in paths if p.is_file()):
        try:
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
        except (yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
            unreadable.append(f"{path}: {exc}".splitlines()[0])
            continue
        if not isinstance(raw, dict) or not {"name", "doc", "expect"} <= set(raw):
            continue   # not a scenario (an app's config, a fixture)
        section = path.relative_to(root).parts[0] if len(path.relative_to(root).parts) > 1 else ""
        found.append(Scenario(str(raw["name"]), str(path), str(raw["doc"]), str(raw.get("description") or ""),
                              section))
    return found, unreadable


def _verdicts(report: Path | None) -> tuple[dict[str, Counter], str | None]:
    if report is None or not report.is_file():
        return {}, None
    try:
        document = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, None
    out: dict[str, Counter] = {}
    for case in document.get("scenarios", []):
        out.setdefault(str(case.get("name")), Counter())[str(case.get("verdict"))] += 1
    return out, f"{report}, written {document.get('created', 'at an unknown time')}"


def _heading_of(scenario: Scenario, headings: list[Heading]) -> Heading | None:
    for text, patterns in ATTRIBUTED.items():
        if any(fnmatch.fnmatchcase(scenario.name, p) for p in patterns):
            match = [h for h in headings if h.key == norm(text)]
            if match:
                scenario.how = "name"
                return match[0]
    same = [h for h in headings if h.key == norm(scenario.doc)]
    if len(same) > 1 and scenario.section:   # a repeated heading: the one in the scenario folder's section
        top = {h.index: _top(h, headings) for h in same}
        same = [h for h in same if scenario.section in top[h.index].slug] or same
    return same[0] if same else None


def _top(heading: Heading, headings: list[Heading]) -> Heading:
    while heading.parent is not None:
        heading = headings[heading.parent]
    return heading


def build(headings: list[Heading], scenarios_dir: str | Path, report: str | Path | None = None) -> Coverage:
    scenarios, unreadable = _scenarios(Path(scenarios_dir))
    verdicts, report_label = _verdicts(Path(report) if report else None)
    by_heading: dict[int, list[Scenario]] = {h.index: [] for h in headings}
    unmatched, beyond = [], []
    for scenario in scenarios:
        scenario.verdicts = verdicts.get(scenario.name, Counter())
        heading = _heading_of(scenario, headings)
        if heading is None and scenario.section == BEYOND:
            scenario.how = "beyond"
            beyond.append(scenario)
        elif heading is None:
            scenario.how = "unmatched"
            unmatched.append(scenario)
        else:
            by_heading[heading.index].append(scenario)
    rows = [HeadingCoverage(h, by_heading[h.index]) for h in headings]
    for text, limit in LIMITS.items():   # a repeated heading: its first place
        places = [r for r in rows if r.heading.key == norm(text)]
        if places:
            places[0].limit = limit
    names = {s.name for s in scenarios}
    for text, notes in VERSIONS.items():
        places = [r for r in rows if r.heading.key == norm(text)]
        for name, note in notes:
            if places and name in names:   # the place that holds the scenario, else the first
                place = next((r for r in places if name in {s.name for s in r.scenarios}), places[0])
                place.versions.append((name, note))
    for row in reversed(rows):   # sub-headings first: each adds its own and its children's to its parent
        parent = row.heading.parent
        if parent is not None:
            rows[parent].below += len(row.scenarios) + row.below
    return Coverage(rows, unmatched, unreadable, report_label,
                    sorted(beyond, key=lambda s: (s.doc.lower(), s.name)))
