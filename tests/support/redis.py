"""A scratch key space on the real Redis at 127.0.0.1:6379, cleaned up afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.servers import skip_or_fail

REDIS_URL = "redis://127.0.0.1:6379/0"


@contextmanager
def scratch_prefix(label: str, match_prefix: str = "", url: str = REDIS_URL) -> Iterator[str]:
    """A unique key prefix; every key under ``match_prefix + prefix`` is deleted afterwards.

    Skips when Redis is unreachable, except under CI=true, where it fails.
    """
    import redis

    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        skip_or_fail(f"Redis is not reachable at {url}: {error}")
    prefix = f"{label}:{uuid.uuid4().hex}:"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"{match_prefix}{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()
