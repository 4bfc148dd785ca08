"""reset_peer: on the first chunk waits `timeout` ms, then resets the connection.

Both sockets are closed with SO_LINGER 0, so each peer gets a TCP RST (ECONNRESET).
The data is dropped.
"""

import asyncio

from ._base import Toxic


class ResetPeerToxic(Toxic):
    type, go_name = "reset_peer", "ResetToxic"
    attrs = (("timeout", "int64"),)

    async def pipe(self, stub):
        await stub.recv()
        stub.holding = None
        await asyncio.sleep(max(self.timeout, 0) / 1000.0)
        stub.reset()
