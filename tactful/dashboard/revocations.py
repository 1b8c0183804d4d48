"""Signed-out staff cookies, refused until they would have expired anyway.

A staff cookie is stateless (``auth.StaffAuth``), so signing out must remember
it: its session id is kept here for the cookie's remaining lifetime, in Redis
when ``TACTFUL_REDIS_URL`` is set (every dashboard replica sees it), else in
this process's memory.
"""

from __future__ import annotations

import time
from typing import Protocol

MAX_MEMORY_ENTRIES = 10_000


class Revocations(Protocol):
    async def revoke(self, session_id: str, seconds: int) -> None: ...

    async def is_revoked(self, session_id: str) -> bool: ...


class MemoryRevocations:
    def __init__(self) -> None:
        self._until: dict[str, float] = {}

    async def revoke(self, session_id: str, seconds: int) -> None:
        now = time.time()
        if len(self._until) >= MAX_MEMORY_ENTRIES:
            self._until = {sid: end for sid, end in self._until.items() if end > now}
        self._until[session_id] = now + seconds

    async def is_revoked(self, session_id: str) -> bool:
        return self._until.get(session_id, 0.0) > time.time()


class RedisRevocations:
    TIMEOUT_SECONDS = 2.0

    def __init__(self, url: str) -> None:
        from redis import asyncio as redis_asyncio

        self._client = redis_asyncio.from_url(
            url, socket_timeout=self.TIMEOUT_SECONDS, socket_connect_timeout=self.TIMEOUT_SECONDS
        )

    async def revoke(self, session_id: str, seconds: int) -> None:
        await self._client.set(f"tactful:dashboard:revoked:{session_id}", 1, ex=max(1, seconds))

    async def is_revoked(self, session_id: str) -> bool:
        # A Redis failure raises: the caller refuses the request (fails closed).
        return bool(await self._client.exists(f"tactful:dashboard:revoked:{session_id}"))


def revocations_for(redis_url: str | None) -> Revocations:
    return RedisRevocations(redis_url) if redis_url else MemoryRevocations()
