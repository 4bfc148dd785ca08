"""The toxic base class: named integer attributes in Go's field order."""

from __future__ import annotations

from typing import Any, ClassVar


class Toxic:
    type: ClassVar[str]
    go_name: ClassVar[str]                          # Go struct name, for error messages
    attrs: ClassVar[tuple[tuple[str, str], ...]] = ()  # (json name, Go type)

    def __init__(self, **values: Any):
        for name, _ in self.attrs:
            setattr(self, name, int(values.get(name, 0)))

    def to_json(self) -> dict:
        return {name: getattr(self, name) for name, _ in self.attrs}

    def new_state(self) -> Any:
        """Per-connection state that survives updates of the toxic (limit_data's counter)."""
        return None

    async def pipe(self, stub) -> None:
        raise NotImplementedError
