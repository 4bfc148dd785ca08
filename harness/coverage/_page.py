"""The troubleshooting page's headings: parsed from the page (or the committed copy of them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Heading", "read_headings", "norm", "HEADINGS_COPY"]

HEADINGS_COPY = Path(__file__).with_name("page-headings.md")
_HEADING = re.compile(r"^(#{2,6})\s+(.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Heading:
    index: int              # order on the page
    level: int              # 2 = a "Problem: ..." section, 3/4 = an explanation under it
    text: str               # as the page spells it
    slug: str               # the page's anchor (a repeated heading gets -1, -2, as Docusaurus does)
    parent: int | None      # index of the enclosing heading

    @property
    def key(self) -> str:
        return norm(self.text)


def norm(text: str) -> str:
    """How a scenario's `doc:` is compared with a heading: no backticks, straight quotes, any case."""
    text = text.replace("`", "").replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split()).casefold()


def _slug(text: str) -> str:
    text = norm(text).replace("'", "")
    return re.sub(r"[^a-z0-9 -]", "", text).strip().replace(" ", "-")


def read_headings(path: str | Path = HEADINGS_COPY) -> list[Heading]:
    """Headings of level 2-6 in page order; front matter and fenced code are skipped."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    if lines and lines[0].strip() == "---":   # front matter
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
        lines = lines[end + 1:]
    out: list[Heading] = []
    fence, seen = None, {}
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            mark = stripped[:3]
            fence = None if fence == mark else (fence or mark)
            continue
        match = None if fence else _HEADING.match(line)
        if not match:
            continue
        level, text = len(match.group(1)), match.group(2)
        slug = _slug(text)
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        parent = next((h.index for h in reversed(out) if h.level < level), None)
        out.append(Heading(len(out), level, text, f"{slug}-{n}" if n else slug, parent))
    return out
