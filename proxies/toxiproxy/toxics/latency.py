"""latency: each chunk leaves `latency` ± uniform `jitter` ms after it arrived at the proxy."""

import asyncio

from ._base import Toxic
from .._rand import rng


class LatencyToxic(Toxic):
    type, go_name = "latency", "LatencyToxic"
    attrs = (("latency", "int64"), ("jitter", "int64"))

    def delay(self) -> float:
        delay = self.latency
        if self.jitter > 0:
            delay += rng.randrange(self.jitter * 2) - self.jitter
        return delay / 1000.0

    async def pipe(self, stub):
        loop = asyncio.get_running_loop()
        while (chunk := await stub.recv()) is not None:
            # measured from arrival, so a stream is delayed once, not once per chunk
            wait = chunk.ts + self.delay() - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            await stub.send(chunk)
        stub.close()
