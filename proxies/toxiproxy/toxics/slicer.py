"""slicer: splits chunks into pieces of about `average_size` ± `size_variation` bytes,
`delay` µs apart (Toxiproxy's recursive halving, done iteratively)."""

import asyncio

from ._base import Toxic
from .._rand import rng
from .._stream import Chunk


class SlicerToxic(Toxic):
    type, go_name = "slicer", "SlicerToxic"
    attrs = (("average_size", "int"), ("size_variation", "int"), ("delay", "int"))

    def cuts(self, size: int) -> list[int]:
        avg, var = max(self.average_size, 1), max(self.size_variation, 0)
        out, todo = [], [(0, size)]
        while todo:
            start, end = todo.pop()
            if (end - start) - avg <= var or end - start <= 1:
                out.append(end)
                continue
            mid = start + (end - start) // 2 + (rng.randrange(var * 2) - var if var else 0)
            mid = min(max(mid, start + 1), end - 1)
            todo.append((mid, end))
            todo.append((start, mid))
        return out

    async def pipe(self, stub):
        delay = max(self.delay, 0) / 1e6
        while (chunk := await stub.recv()) is not None:
            data, start = chunk.data, 0
            for end in self.cuts(len(data)):
                stub.holding = Chunk(data[end:], chunk.ts) if end < len(data) else None
                await stub.send(Chunk(data[start:end], chunk.ts))
                start = end
                if delay and end < len(data):
                    await asyncio.sleep(delay)
        stub.close()
