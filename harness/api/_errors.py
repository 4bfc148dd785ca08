"""The errors the Python API adds to harness.errors' tree."""

from __future__ import annotations

from harness.errors import HarnessError

__all__ = ["SockfaultError", "WaitTimeout"]


class SockfaultError(HarnessError):
    """A call the API cannot honour: an unknown fault or parameter, a fault this proxy cannot
    carry (an HTTP fault on a kind="tcp" proxy, a fault that needs a client sockfault runs)."""


class WaitTimeout(AssertionError):
    """wait_for saw no matching event in time. An AssertionError, so pytest reports it as the
    test's failure (with the proxy's last events in the message), not as an error."""
