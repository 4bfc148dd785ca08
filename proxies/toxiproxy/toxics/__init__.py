"""Toxics, one per file, registered by their Toxiproxy type name.

A toxic is a set of integer attributes plus `async pipe(stub)`, which consumes chunks with
`await stub.recv()` (None = end of stream), forwards with `await stub.send(chunk)` and ends
the stream with `stub.close()`. Data the toxic has taken but not yet forwarded stays in
`stub.holding`, so removing or updating a toxic on a live connection never loses it.
"""

from __future__ import annotations

from ._base import Toxic
from .bandwidth import BandwidthToxic
from .latency import LatencyToxic
from .lifetime import LifetimeToxic
from .limit_data import LimitDataToxic
from .noop import NoopToxic
from .reset_peer import ResetPeerToxic
from .slicer import SlicerToxic
from .slow_close import SlowCloseToxic
from .timeout import TimeoutToxic

__all__ = ["Toxic", "TOXICS"]

TOXICS: dict[str, type[Toxic]] = {t.type: t for t in (
    NoopToxic, LatencyToxic, BandwidthToxic, SlowCloseToxic, TimeoutToxic,
    SlicerToxic, LimitDataToxic, ResetPeerToxic, LifetimeToxic)}
