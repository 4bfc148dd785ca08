"""A polling session driven by hand (handshake, POST packets, GET, close), in the framing the server
answered with: what the checks that need a session of their own share."""

from __future__ import annotations

from harness.protocol import ErrorCode, Packet, PacketType, ProtocolError, SioType, decode_sio

from ._target import Target

__all__ = ["Session", "socketio_packets", "connect_answer", "misrouted"]


def misrouted(result) -> bool:
    """The request reached a node that does not know the session (400 code 1): a sticky problem,
    which the sticky check reports; the other checks must not read it as their own failure."""
    return result is not None and result.error is not None and result.error.code == ErrorCode.SESSION_ID_UNKNOWN


class Session:
    def __init__(self, t: Target, hello, origin: str | None = None):
        self.t, self.hello, self.origin = t, hello, origin
        self.sid = hello.open.sid
        self.eio = hello.eio
        self.framing = hello.server_eio or hello.eio

    @classmethod
    async def open(cls, t: Target, origin: str | None = None) -> tuple["Session | None", object]:
        hs = await t.handshake(t.eio, origin=origin)
        return (cls(t, hs, origin) if hs.open is not None else None), hs

    async def post(self, *data: str, headers: dict | None = None, **kw):
        packets = [Packet(PacketType.MESSAGE, d) if isinstance(d, str) else d for d in data]
        return await self.t.request(method="POST", eio=self.eio, sid=self.sid, framing=self.framing,
                                    body=packets, origin=self.origin, headers=headers, **kw)

    async def poll(self, timeout: float = 3.0, headers: dict | None = None):
        return await self.t.request(eio=self.eio, sid=self.sid, framing=self.framing, origin=self.origin,
                                    timeout=timeout, headers=headers)

    def heartbeat(self) -> Packet:
        """A packet every server takes quietly: a pong for v4 (the server pings), a ping for v3."""
        return Packet(PacketType.PONG if self.framing == 4 else PacketType.PING)

    async def close(self) -> None:
        """Say goodbye (an Engine.IO close packet), so the app sees a clean disconnect."""
        try:
            await self.post(Packet(PacketType.CLOSE), timeout=2.0)
        except Exception:   # out of budget or gone: the server's heartbeat will clean up
            pass


def socketio_packets(result, framing: int) -> list:
    """The Socket.IO packets in a poll's answer (undecodable messages skipped)."""
    out = []
    for p in result.packets or []:
        if p.type is PacketType.MESSAGE and isinstance(p.data, str):
            try:
                out.append(decode_sio(p.data, framing))
            except ProtocolError:
                pass
    return out


def connect_answer(packets: list, nsp: str):
    """The CONNECT or CONNECT_ERROR for nsp among the packets, or None."""
    return next((p for p in packets if p.nsp == nsp and p.type in (SioType.CONNECT, SioType.CONNECT_ERROR)), None)
