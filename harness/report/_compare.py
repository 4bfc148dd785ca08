"""Two results documents case by case and cell by cell: what regressed, what was fixed, what is new
or gone. A scenario regresses when it passed (reproduced / works) and no longer does; a matrix cell
when it worked and now fails (or the other way: a cell that started to work is a change to review,
listed, but not a regression)."""

from __future__ import annotations

from ..results import PASSING

__all__ = ["compare"]


def _scenarios(doc: dict) -> dict[str, dict]:
    return {s["scenario"]: s for s in doc.get("scenarios", [])}


def _cells(doc: dict) -> dict[str, dict]:
    matrix = doc.get("matrix") or (doc if doc.get("schema") == "sockfault-matrix/1" else {})
    return {c["cell"]: c for c in matrix.get("cells", [])}


def compare(old: dict, new: dict) -> dict:
    out = {"regressions": [], "fixes": [], "changes": [], "new": [], "gone": []}
    for kind, table, good, state in (("scenario", _scenarios, lambda e: e["verdict"] in PASSING, "verdict"),
                                      ("cell", _cells, lambda e: e["result"] == "works", "result")):
        before, after = table(old), table(new)
        for key in sorted(after.keys() - before.keys()):
            out["new"].append({"kind": kind, "id": key, "now": after[key][state]})
        for key in sorted(before.keys() - after.keys()):
            out["gone"].append({"kind": kind, "id": key, "was": before[key][state]})
        for key in sorted(before.keys() & after.keys()):
            a, b = before[key], after[key]
            if a[state] == b[state]:
                continue
            row = {"kind": kind, "id": key, "was": a[state], "now": b[state],
                   "why": b.get("reason") or b.get("symptom") or ""}
            if kind == "cell" and "error" in (a[state], b[state]):
                out["changes"].append(row)
            elif good(a) and not good(b):
                out["regressions"].append(row)
            elif good(b) and not good(a):
                (out["fixes"] if kind == "scenario" else out["changes"]).append(row)
            else:
                out["changes"].append(row)
    return out
