"""The check templates: one scenario file each in checks/, with a `check:` block."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ScenarioError
from ..scenario import Case, load_cases
from ..scenario._yaml import load_yaml

__all__ = ["CHECKS_DIR", "CheckInfo", "load_checks", "NEEDS"]

CHECKS_DIR = Path(__file__).parent / "checks"
# what a check may need, and why it is skipped without it
NEEDS = {
    "hook": "the app has no hook (url: server, or --no-hook): the server cannot be told to emit",
    "two_instances": "two instances need a port of their own each: the app has a fixed --port, is a --url, "
                     "or runs one instance at a time (--single-instance)",
    "browser": "no browser@ client in --clients",
    "page": "no --page given",
    "max_payload": "the app's payload limit is unknown (no hook and no maxPayload in its handshake) or above 10 MB",
}


@dataclass(frozen=True)
class CheckInfo:
    name: str
    file: str
    doc: str
    title: str
    users_see: str
    fix: str
    exposed_when: str            # "reproduced": the symptom shows; "fails": the healthy expectation does not hold
    needs: tuple[str, ...] = ()
    cases: tuple[Case, ...] = field(default=(), compare=False)
    skipped: str | None = None


def _info(path: Path) -> dict:
    raw = load_yaml(path)
    block = raw.get("check") if isinstance(raw, dict) else None
    if not isinstance(block, dict):
        raise ScenarioError("a check template needs a `check:` block", str(path), 1)
    for key in ("title", "users_see", "fix", "exposed_when"):
        if key not in block:
            raise ScenarioError(f"check: `{key}` is missing", str(path), 1)
    if block["exposed_when"] not in ("reproduced", "fails"):
        raise ScenarioError("check: exposed_when must be reproduced or fails", str(path), 1, ["reproduced", "fails"])
    unknown = [n for n in block.get("needs", []) if n not in NEEDS]
    if unknown:
        raise ScenarioError(f"check: unknown need {unknown[0]!r}", str(path), 1, sorted(NEEDS))
    return {"name": raw["name"], "doc": raw["doc"], **{k: block[k] for k in ("title", "users_see", "fix", "exposed_when")},
            "needs": tuple(block.get("needs", []))}


def load_checks(values: dict, have: set[str], only: list[str] | None = None) -> list[CheckInfo]:
    """Every template, loaded with `values` substituted; one whose needs are not in `have` is skipped."""
    out = []
    for path in sorted(CHECKS_DIR.glob("*.yaml")):
        info = _info(path)
        if only and info["name"] not in only:
            continue
        missing = [n for n in info["needs"] if n not in have]
        if missing:
            out.append(CheckInfo(file=str(path), skipped=NEEDS[missing[0]], **info))
            continue
        cases = load_cases(path, substitute=values, drop=("check",))
        out.append(CheckInfo(file=str(path), cases=tuple(cases), **info))
    return out
