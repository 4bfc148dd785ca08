"""slow_close: delays the close by `delay` ms once the stream has ended."""

import asyncio

from ._base import Toxic


class SlowCloseToxic(Toxic):
    type, go_name = "slow_close", "SlowCloserToxic"
    attrs = (("delay", "int64"),)

    async def pipe(self, stub):
        while (chunk := await stub.recv()) is not None:
            await stub.send(chunk)
        await asyncio.sleep(max(self.delay, 0) / 1000.0)
        stub.close()
