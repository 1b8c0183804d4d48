"""Answer a provider's retry of the same webhook once.

Providers resend a webhook they think failed (Slack after 3 s, with
``X-Slack-Retry-Num``; Messenger, Twilio and Telegram on timeouts or errors).
Each event carries an id (Slack ``event_id``, Messenger ``mid``, Twilio
``MessageSid``, Telegram ``update_id``); the first delivery of an id is
processed, repeats within the TTL are acknowledged and dropped.

Where the ids are kept:

* by default, in memory (a bounded TTL cache). Right for one Rasa process.
* with several Rasa replicas behind a load balancer a retry may reach another
  replica, so set ``TACTFUL_REDIS_URL``: ids are then claimed with
  ``SET key 1 NX EX ttl``, atomic across replicas. Redis rather than the shop
  database: it expires keys by itself, it is already the production lock store
  (endpoints.yml), and a webhook's hot path does not take a write lock on the
  shop DB. If Redis is unreachable the message is processed (fail open): a rare
  duplicate reply is better than a lost customer message.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 24 * 3600  # longer than any provider keeps retrying
DEFAULT_MAX_ENTRIES = 100_000  # ~10 MB at most; the oldest ids go first
REDIS_TIMEOUT_SECONDS = 1.0


class RetryFilter(Protocol):
    async def first_time(self, key: str) -> bool:
        """True the first time ``key`` is seen within the TTL, False for a repeat."""
        ...


class MemoryRetryFilter:
    """A bounded TTL cache of seen ids, for a single Rasa process."""

    def __init__(
        self,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._expiry: OrderedDict[str, float] = OrderedDict()

    async def first_time(self, key: str) -> bool:
        now = self._clock()
        # Entries are kept in insertion order with one TTL, so expired ones are
        # always at the front.
        while self._expiry and next(iter(self._expiry.values())) <= now:
            self._expiry.popitem(last=False)
        if key in self._expiry:
            return False
        self._expiry[key] = now + self._ttl
        while len(self._expiry) > self._max:
            self._expiry.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._expiry)


class DedupeUnavailable(Exception):
    """Redis could not answer a fail-closed filter."""


class RedisRetryFilter:
    """Seen ids in Redis, shared by every Rasa replica.

    ``fail_closed`` is for callers that must refuse rather than guess when
    Redis is down (the signed-request replay guard): ``first_time`` then
    raises DedupeUnavailable instead of answering True.
    """

    def __init__(
        self,
        url: str,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        prefix: str = "tactful:webhook:",
        fail_closed: bool = False,
    ):
        from redis import asyncio as redis_asyncio

        self._client = redis_asyncio.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
        self._ttl = max(1, int(ttl_seconds))
        self._prefix = prefix
        self._fail_closed = fail_closed

    async def first_time(self, key: str) -> bool:
        try:
            claimed = await asyncio.wait_for(
                self._client.set(self._prefix + key, b"1", nx=True, ex=self._ttl),
                timeout=REDIS_TIMEOUT_SECONDS * 2,
            )
        except Exception as error:  # noqa: BLE001 - any Redis failure means "cannot tell"
            if self._fail_closed:
                raise DedupeUnavailable(f"Redis unavailable: {error!r}") from error
            logger.warning("webhook dedupe: Redis unavailable; processing %s without the check", key)
            return True
        return bool(claimed)
