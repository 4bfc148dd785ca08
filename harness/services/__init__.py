"""Services the runner starts for a scenario (`services: [redis]`), one per run, stopped after it.

A service is a real program a user's set-up needs beside its servers (redis for
@socket.io/redis-adapter), on a free 127.0.0.1 port. Its address reaches the apps through
fields in their `app` / `env` values, e.g. `env: {REDIS_URL: "{redis_url}"}`.
"""

from __future__ import annotations

from ._redis import RedisService

__all__ = ["SERVICES", "FIELDS", "unknown_fields", "substitute"]

SERVICES = {"redis": RedisService}
FIELDS = {name: cls.FIELDS for name, cls in SERVICES.items()}   # service -> the {fields} it fills in


def unknown_fields(values, services) -> list[str]:
    """The {fields} used in `values` that no service of `services` fills in (a load-time mistake)."""
    out = []
    for name, fields in FIELDS.items():
        if name not in services:
            out += [f for f in fields if any(f in str(v) for v in values)]
    return out


def substitute(text: str, fields: dict[str, str]) -> str:
    for key, value in fields.items():
        text = text.replace(key, value)
    return text
