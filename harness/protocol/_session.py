"""One Engine.IO connection followed from the outside: feed it every packet each way, in order.

It tells which side pings, whether the upgrade probe (2probe / 3probe / 6 / 5) succeeded,
the last packet each way, and what broke the protocol (a ping in the wrong direction, a packet
before open, anything after close). No clocks: pass t (ms) if timings matter to you.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ._engineio import Packet, PacketType, decode_ws_frame
from ._errors import ProtocolError
from ._handshake import OpenPacket, parse_open
from ._payload import decode_polling_body
from ._revision import Revision, revision

__all__ = ["Session", "Violation", "CLIENT", "SERVER"]

CLIENT, SERVER = "client", "server"
_OTHER = {CLIENT: SERVER, SERVER: CLIENT}


@dataclass(frozen=True)
class Violation:
    sender: str
    packet: Packet
    reason: str
    t: float | None = None

    def to_dict(self) -> dict:
        return {"sender": self.sender, "packet": self.packet.to_dict(), "reason": self.reason, "t": self.t}


@dataclass
class Session:
    eio: int | Revision = 4
    open: OpenPacket | None = None
    transport: str = "polling"
    probe: str | None = None            # None, "sent", "answered", "done"
    closed_by: str | None = None
    pings: dict = field(default_factory=lambda: {CLIENT: 0, SERVER: 0})
    last: dict = field(default_factory=lambda: {CLIENT: None, SERVER: None})
    last_t: dict = field(default_factory=lambda: {CLIENT: None, SERVER: None})
    violations: list = field(default_factory=list)
    _unanswered: int = 0

    def __post_init__(self) -> None:
        self.rev = revision(self.eio)

    @property
    def upgraded(self) -> bool:
        return self.probe == "done"

    @property
    def pinger(self) -> str | None:
        """The side seen pinging (probes excluded), or None before the first ping."""
        seen = [side for side in (CLIENT, SERVER) if self.pings[side]]
        return seen[0] if len(seen) == 1 else ("both" if seen else None)

    def feed_polling_body(self, sender: str, body: bytes, t: float | None = None) -> list[Packet]:
        packets = decode_polling_body(body, self.rev)
        for packet in packets:
            self.receive(sender, packet, t=t)
        return packets

    def feed_ws_frame(self, sender: str, data: bytes | str, t: float | None = None) -> Packet:
        packet = decode_ws_frame(data, self.rev)
        self.receive(sender, packet, transport="websocket", t=t)
        return packet

    def receive(self, sender: str, packet: Packet, *, transport: str | None = None,
                t: float | None = None) -> list[Violation]:
        """Account one packet sent by sender ("client" or "server"); returns new violations."""
        if sender not in _OTHER:
            raise ValueError(f"sender must be 'client' or 'server', not {sender!r}")
        before = len(self.violations)
        handler = _HANDLERS[packet.type]
        if self.closed_by is not None:
            self._flag(sender, packet, f"{packet.type.name.lower()} after close by the {self.closed_by}", t)
        elif self.open is None and packet.type is not PacketType.OPEN and not _is_probe(packet):
            self._flag(sender, packet, "packet before open", t)
        else:
            handler(self, sender, packet, t)
        self.last[sender], self.last_t[sender] = packet, t
        return self.violations[before:]

    def _flag(self, sender: str, packet: Packet, reason: str, t: float | None) -> None:
        self.violations.append(Violation(sender, packet, reason, t))

    def _on_open(self, sender: str, packet: Packet, t: float | None) -> None:
        if sender != SERVER:
            return self._flag(sender, packet, "open sent by the client", t)
        if self.open is not None and self.probe is None:
            return self._flag(sender, packet, "second open packet", t)
        try:
            opened = parse_open(packet)
        except ProtocolError as exc:
            return self._flag(sender, packet, f"bad open packet: {exc}", t)
        self.open = self.open or opened

    def _on_ping(self, sender: str, packet: Packet, t: float | None) -> None:
        if _is_probe(packet):
            if sender != CLIENT:
                return self._flag(sender, packet, "upgrade probe sent by the server", t)
            self.probe = "sent"
            return None
        self.pings[sender] += 1
        if sender != self.rev.pinger:
            return self._flag(sender, packet, f"ping from the {sender}: in EIO={self.rev.eio} "
                                              f"only the {self.rev.pinger} pings", t)
        self._unanswered += 1

    def _on_pong(self, sender: str, packet: Packet, t: float | None) -> None:
        if _is_probe(packet):
            if sender != SERVER or self.probe != "sent":
                return self._flag(sender, packet, "probe answer without a probe", t)
            self.probe = "answered"
            return None
        if sender == self.rev.pinger or self._unanswered == 0:
            return self._flag(sender, packet, "pong without a ping", t)
        self._unanswered -= 1

    def _on_upgrade(self, sender: str, packet: Packet, t: float | None) -> None:
        if sender != CLIENT or self.probe != "answered":
            return self._flag(sender, packet, "upgrade without an answered probe", t)
        self.probe, self.transport = "done", "websocket"

    def _on_close(self, sender: str, packet: Packet, t: float | None) -> None:
        self.closed_by = sender

    def _on_other(self, sender: str, packet: Packet, t: float | None) -> None:
        return None

    def summary(self) -> dict:
        return {"eio": self.rev.eio, "open": self.open.to_dict() if self.open else None,
                "expected_pinger": self.rev.pinger, "pinger": self.pinger, "pings": dict(self.pings),
                "upgraded": self.upgraded, "probe": self.probe, "transport": self.transport,
                "closed_by": self.closed_by,
                "last": {k: (v.to_dict() if v else None) for k, v in self.last.items()},
                "violations": [v.to_dict() for v in self.violations]}


def _is_probe(packet: Packet) -> bool:
    return packet.type in (PacketType.PING, PacketType.PONG) and packet.data == "probe"


_HANDLERS = {
    PacketType.OPEN: Session._on_open, PacketType.PING: Session._on_ping, PacketType.PONG: Session._on_pong,
    PacketType.UPGRADE: Session._on_upgrade, PacketType.CLOSE: Session._on_close,
    PacketType.MESSAGE: Session._on_other, PacketType.NOOP: Session._on_other,
}
