"""`--shard K/N`: the same cases always land on the same shard, and shards take about the same time.

Cases are dealt longest first (recorded durations; an unknown case counts as the median) to the
shard with the least time so far, ties to the lower shard. The deal depends only on the case ids
and the durations file, so every CI job computes the same split without talking to the others."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

__all__ = ["parse_shard", "shard_of", "load_durations", "select_shard", "DEFAULT_DURATIONS"]

DEFAULT_DURATIONS = Path("reports/durations.json")


def parse_shard(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise ValueError(f"--shard {text!r}: give K/N with 1 <= K <= N, e.g. 2/4")
    return int(m.group(1)), int(m.group(2))


def load_durations(path: str | Path | None) -> dict[str, float]:
    """{case id: seconds} from a durations map or any results JSON (run, matrix, merged report)."""
    path = Path(path) if path else DEFAULT_DURATIONS
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    if isinstance(data, dict) and all(isinstance(v, (int, float)) for v in data.values()):
        return {str(k): float(v) for k, v in data.items()}
    out = {}
    for entry in (data.get("scenarios") or []) + (data.get("cells") or []):
        key = entry.get("scenario") or entry.get("cell")
        if key and isinstance(entry.get("duration_s"), (int, float)):
            out[key] = float(entry["duration_s"])
    return out


def shard_of(ids: list[str], k: int, n: int, durations: dict[str, float]) -> set[str]:
    """The ids of shard k (1-based) of n."""
    known = [durations[i] for i in ids if i in durations]
    default = statistics.median(known) if known else 1.0
    loads = [0.0] * n
    mine: set[str] = set()
    for case_id in sorted(set(ids), key=lambda i: (-durations.get(i, default), i)):
        shard = min(range(n), key=lambda s: (loads[s], s))
        loads[shard] += durations.get(case_id, default)
        if shard == k - 1:
            mine.add(case_id)
    return mine


def select_shard(items: list, key, shard: str, durations_path: str | Path | None) -> list:
    """The items of shard "K/N" in their order (key(item): its id); ValueError for a bad K/N."""
    k, n = parse_shard(shard)
    mine = shard_of([key(i) for i in items], k, n, load_durations(durations_path))
    return [i for i in items if key(i) in mine]
