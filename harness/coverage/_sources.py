"""A beyond-the-page scenario's `doc:` names its topic and the issue threads users report it in:
"Beyond the page: <topic> (owner/repo#N, owner/repo#M)". Split it, and link each thread."""

from __future__ import annotations

import re

__all__ = ["PREFIX", "split_doc", "thread_url"]

PREFIX = "Beyond the page: "
_THREAD = re.compile(r"^[\w.-]+/[\w.-]+#\d+$")
_TAIL = re.compile(r"\s*\(([^()]*)\)\s*$")


def split_doc(doc: str) -> tuple[str, list[str]]:
    """(topic, threads): the threads are the trailing parenthesis when every item in it is owner/repo#N."""
    text = doc.removeprefix(PREFIX)
    tail = _TAIL.search(text)
    if tail:
        items = [i.strip() for i in tail.group(1).split(",") if i.strip()]
        if items and all(_THREAD.match(i) for i in items):
            return text[:tail.start()].rstrip(), items
    return text, []


def thread_url(thread: str) -> str:
    repo, number = thread.split("#", 1)
    return f"https://github.com/{repo}/issues/{number}"    # GitHub redirects an issue URL to its pull request
