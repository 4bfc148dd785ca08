"""limit_data: closes the connection once `bytes` bytes have passed (counted per connection)."""

from ._base import Toxic
from .._stream import Chunk


class _Count:
    __slots__ = ("sent",)

    def __init__(self):
        self.sent = 0


class LimitDataToxic(Toxic):
    type, go_name = "limit_data", "LimitDataToxic"
    attrs = (("bytes", "int64"),)

    def new_state(self):
        return _Count()

    async def pipe(self, stub):
        state = stub.state
        while (chunk := await stub.recv()) is not None:
            remaining = max(self.bytes - state.sent, 0)
            if remaining < len(chunk.data):
                chunk = Chunk(chunk.data[:remaining], chunk.ts)
            stub.holding = None
            if chunk.data:
                state.sent += len(chunk.data)
                await stub.send(chunk)
            if self.bytes - state.sent <= 0:
                break
        stub.close()
