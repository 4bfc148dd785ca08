"""bandwidth: limits a direction to `rate` KB/s (1 KB = 1000 bytes).

Sleeps len/rate per chunk; chunks over rate*100 bytes leave in 100 ms slices. The
sleep debt carries over so timer granularity does not accumulate into the rate.
"""

import asyncio

from ._base import Toxic
from .._stream import Chunk


class BandwidthToxic(Toxic):
    type, go_name = "bandwidth", "BandwidthToxic"
    attrs = (("rate", "int64"),)

    async def pipe(self, stub):
        loop = asyncio.get_running_loop()
        rate = self.rate
        debt = 0.0
        while (chunk := await stub.recv()) is not None:
            if rate <= 0:
                await stub.send(chunk)
                continue
            debt += len(chunk.data) / (rate * 1000.0)
            slice_ = rate * 100
            while len(chunk.data) > slice_:
                await asyncio.sleep(0.1)
                head = Chunk(chunk.data[:slice_], chunk.ts)
                chunk = stub.holding = Chunk(chunk.data[slice_:], chunk.ts)
                await stub.send(head)
                debt -= 0.1
            start = loop.time()
            if debt > 0:
                await asyncio.sleep(debt)
            debt -= loop.time() - start
            await stub.send(chunk)
        stub.close()
