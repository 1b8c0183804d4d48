"""Fixed-window counters for rate limits and lockouts, in memory or in Redis.

One process (the default set-up) counts in memory. With several replicas, set
``TACTFUL_REDIS_URL``: counters then live in Redis (``INCR`` plus ``EXPIRE``
in one pipeline), so a limit holds whichever replica a request reaches.

A fixed window (the counter resets every ``window`` seconds) is coarse, but it
is one atomic Redis command per hit and bounds a burst to twice the limit,
which is all these limits need: they stop floods and guessing, not shape
traffic.

Two flavours share one key scheme: ``Counter`` (blocking, for code that runs
on worker threads such as the linking service) and ``AsyncCounter`` (for the
Rasa server's event loop).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

logger = logging.getLogger(__name__)

REDIS_TIMEOUT_SECONDS = 1.0
KEY_PREFIX = "tactful:rate:"
# Bounds the in-memory table; the oldest windows are dropped first.
MAX_MEMORY_KEYS = 200_000


class CounterUnavailable(RuntimeError):
    """The shared store behind a counter cannot be reached."""


def window_key(key: str, window_seconds: int, now: float) -> tuple[str, int]:
    """The key of the current window and the seconds until it ends."""
    index = int(now // window_seconds)
    ends_in = int((index + 1) * window_seconds - now) + 1
    return f"{KEY_PREFIX}{key}:{window_seconds}:{index}", ends_in


class Counter(Protocol):
    def hit(self, key: str, window_seconds: int) -> int:
        """Count one event for ``key``; return the window's count including it."""
        ...

    def count(self, key: str, window_seconds: int) -> int:
        """The window's count so far, without adding to it."""
        ...


class AsyncCounter(Protocol):
    async def hit(self, key: str, window_seconds: int) -> int: ...

    async def count(self, key: str, window_seconds: int) -> int: ...


class MemoryCounter:
    """Counters in this process's memory; usable from threads and the loop alike."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._counts: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def _prune(self, now: float) -> None:
        if len(self._counts) < MAX_MEMORY_KEYS:
            return
        for stored_key, (expires, _) in list(self._counts.items()):
            if expires <= now:
                del self._counts[stored_key]
        while len(self._counts) >= MAX_MEMORY_KEYS:
            del self._counts[next(iter(self._counts))]

    def hit(self, key: str, window_seconds: int) -> int:
        now = self._clock()
        stored_key, ends_in = window_key(key, window_seconds, now)
        with self._lock:
            self._prune(now)
            _, current = self._counts.get(stored_key, (0.0, 0))
            self._counts[stored_key] = (now + ends_in, current + 1)
            return current + 1

    def count(self, key: str, window_seconds: int) -> int:
        stored_key, _ = window_key(key, window_seconds, self._clock())
        with self._lock:
            return self._counts.get(stored_key, (0.0, 0))[1]


class AsyncMemoryCounter:
    """The memory counter behind the async interface (no I/O, never blocks)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._counter = MemoryCounter(clock)

    async def hit(self, key: str, window_seconds: int) -> int:
        return self._counter.hit(key, window_seconds)

    async def count(self, key: str, window_seconds: int) -> int:
        return self._counter.count(key, window_seconds)


class RedisCounter:
    """Blocking Redis counters (redis-py), for worker threads."""

    def __init__(self, url: str, clock: Callable[[], float] = time.time) -> None:
        import redis

        self._client = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
        self._clock = clock

    def hit(self, key: str, window_seconds: int) -> int:
        stored_key, ends_in = window_key(key, window_seconds, self._clock())
        try:
            pipeline = self._client.pipeline()
            pipeline.incr(stored_key)
            pipeline.expire(stored_key, ends_in)
            value, _ = pipeline.execute()
        except Exception as error:  # noqa: BLE001 - every redis-py failure means the same here
            raise CounterUnavailable(f"Redis counter unavailable: {type(error).__name__}") from error
        return int(value)

    def count(self, key: str, window_seconds: int) -> int:
        stored_key, _ = window_key(key, window_seconds, self._clock())
        try:
            value = self._client.get(stored_key)
        except Exception as error:  # noqa: BLE001
            raise CounterUnavailable(f"Redis counter unavailable: {type(error).__name__}") from error
        return int(value or 0)


class AsyncRedisCounter:
    """Redis counters on the event loop (redis.asyncio), with a hard timeout."""

    def __init__(self, url: str, clock: Callable[[], float] = time.time) -> None:
        from redis import asyncio as redis_asyncio

        self._client = redis_asyncio.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
        self._clock = clock

    async def hit(self, key: str, window_seconds: int) -> int:
        stored_key, ends_in = window_key(key, window_seconds, self._clock())
        try:
            pipeline = self._client.pipeline()
            pipeline.incr(stored_key)
            pipeline.expire(stored_key, ends_in)
            value, _ = await asyncio.wait_for(pipeline.execute(), timeout=REDIS_TIMEOUT_SECONDS * 2)
        except Exception as error:  # noqa: BLE001
            raise CounterUnavailable(f"Redis counter unavailable: {type(error).__name__}") from error
        return int(value)

    async def count(self, key: str, window_seconds: int) -> int:
        stored_key, _ = window_key(key, window_seconds, self._clock())
        try:
            value = await asyncio.wait_for(self._client.get(stored_key), timeout=REDIS_TIMEOUT_SECONDS * 2)
        except Exception as error:  # noqa: BLE001
            raise CounterUnavailable(f"Redis counter unavailable: {type(error).__name__}") from error
        return int(value or 0)


def counter_for(redis_url: str | None) -> Counter:
    return RedisCounter(redis_url) if redis_url else MemoryCounter()


def async_counter_for(redis_url: str | None) -> AsyncCounter:
    return AsyncRedisCounter(redis_url) if redis_url else AsyncMemoryCounter()
