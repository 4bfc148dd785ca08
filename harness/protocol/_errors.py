"""The codec's single error type: every decode failure, whatever the layer, raises it."""

from __future__ import annotations

from harness.errors import HarnessError

__all__ = ["ProtocolError"]


class ProtocolError(HarnessError, ValueError):
    """Bytes that are not valid Engine.IO / Socket.IO for the revision asked, or an impossible encode."""
