"""noop: passes everything through (Toxiproxy's hidden first toxic, also creatable)."""

from ._base import Toxic


class NoopToxic(Toxic):
    type, go_name = "noop", "NoopToxic"

    async def pipe(self, stub):
        while (chunk := await stub.recv()) is not None:
            await stub.send(chunk)
        stub.close()
