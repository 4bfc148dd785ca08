"""timeout: drops every chunk; closes after `timeout` ms (0 = never, until removed)."""

import asyncio

from ._base import Toxic


class TimeoutToxic(Toxic):
    type, go_name = "timeout", "TimeoutToxic"
    attrs = (("timeout", "int64"),)

    async def pipe(self, stub):
        async def drop():
            while await stub.recv() is not None:
                stub.holding = None
            # the peer's close stays held (as in a real cut): it leaves only when the timer
            # fires or the toxic is removed
            await asyncio.Event().wait()

        if self.timeout > 0:
            try:
                await asyncio.wait_for(drop(), self.timeout / 1000.0)
            except asyncio.TimeoutError:
                pass
            stub.close()
        else:
            await drop()
