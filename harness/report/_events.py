"""A run's timeline as a results document holds it: each event's dict is made when it is read, so
writing a report never holds a whole run's events at once (a spilled timeline is read back from
its file, batch by batch)."""

from __future__ import annotations

from collections.abc import Sequence

from ..timeline import Timeline

__all__ = ["TimelineEvents"]


class TimelineEvents(Sequence):
    """Read-only and lazy: iteration, len() and indexing go to the Timeline every time; equal to the
    list of event dicts it stands for. Not a list, so a JSON encoder that does not know it fails
    loudly instead of writing `[]` (write_json streams it)."""

    __slots__ = ("_timeline",)

    def __init__(self, timeline: Timeline):
        self._timeline = timeline

    def __iter__(self):
        return (event.to_dict() for event in self._timeline)

    def __len__(self) -> int:
        return len(self._timeline)

    def __getitem__(self, index):
        got = self._timeline[index]
        return [event.to_dict() for event in got] if isinstance(index, slice) else got.to_dict()

    def __eq__(self, other) -> bool:
        if not isinstance(other, (TimelineEvents, list, tuple)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None

    def __repr__(self) -> str:
        return f"<TimelineEvents of {len(self)} events>"
