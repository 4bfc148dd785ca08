"""Write a report file from the chunks of text a generator yields, as they come: the page or the
document is never one string in memory. The file appears whole or not at all (a sibling
".partial" file renamed at the end, removed when a chunk fails), as a single write_text did."""

from __future__ import annotations

import os
from itertools import islice
from pathlib import Path
from typing import Iterable

__all__ = ["write_chunks"]


def write_chunks(path: str | Path, chunks: Iterable[str], per_write: int = 1024) -> None:
    """per_write: chunks joined per write (json's encoder yields many tiny ones; a page's lines are longer)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    chunks = iter(chunks)
    try:
        with open(partial, "w", encoding="utf-8") as f:
            while batch := list(islice(chunks, per_write)):      # [] only at the end ("" chunks may come)
                f.write("".join(batch))
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
