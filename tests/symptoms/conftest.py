import pytest

from harness.symptoms import Observation
from harness.timeline import Timeline


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def tl():
    """A timeline whose clock the test moves: tl.at(seconds, source, kind, **data)."""
    clock = Clock()
    timeline = Timeline(clock)

    def at(seconds, source, kind, **data):
        clock.now = seconds
        return timeline.add(source, kind, data)

    timeline.at = at
    timeline.observe = lambda end=None: Observation(timeline, (end if end is not None else clock.now) * 1000)
    return timeline
