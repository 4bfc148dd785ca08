"""lifetime: passes data as it comes, and ends the stream `lifetime` ms after the toxic met
the connection (its dial, for connections opened while the toxic is in place), whatever the
traffic: a proxy's lifetime cap. Not a Toxiproxy toxic (sockfault's own)."""

import asyncio

from ._base import Toxic


class LifetimeToxic(Toxic):
    type, go_name = "lifetime", "LifetimeToxic"
    attrs = (("lifetime", "int64"),)

    async def pipe(self, stub):
        async def forward():
            while (chunk := await stub.recv()) is not None:
                await stub.send(chunk)

        try:
            await asyncio.wait_for(forward(), max(self.lifetime, 0) / 1000.0)
        except asyncio.TimeoutError:
            pass
        stub.close()
