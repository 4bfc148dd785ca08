"""sockfault: reproduce Socket.IO connection failures with real peers, on demand and in CI."""

__version__ = "0.1.0"
