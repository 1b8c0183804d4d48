"""Cross-replica claims: one process at a time works a given handoff.

Several Rasa replicas each run the retry loop, and the action servers make
each handoff's first attempt. A claim on ``handoff:<id>`` (and one on the
retry pass itself) lets exactly one of them send at a time; the others skip
it, and the delivery re-reads what is left once it holds the claim, so
nothing is sent twice. Nothing is lost when the holder dies either:

* PostgreSQL shop database: a session advisory lock, which the server drops
  with the connection of a dead process;
* otherwise, with TACTFUL_REDIS_URL: a Redis lock with a lease, renewed after
  every event sent, which expires ``lease_seconds`` after its holder died;
* otherwise (SQLite, one machine): only the process's own locks.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

import redis
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from tactful.store.database import get_engine

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.1
DEFAULT_LEASE_SECONDS = 120.0


class Claim:
    """A held (or refused) claim; ``renew`` keeps a lease alive during long work."""

    def __init__(self, held: bool, renew: Callable[[], object] | None = None) -> None:
        self.held = held
        self._renew = renew

    def __bool__(self) -> bool:
        return self.held

    def renew(self) -> None:
        if self.held and self._renew is not None:
            self._renew()


class Claims(Protocol):
    def claim(self, name: str, wait_seconds: float = 0.0) -> AbstractContextManager[Claim]: ...


def _waiting(try_once: Callable[[], bool], wait_seconds: float) -> bool:
    """Try at once, then every POLL_SECONDS until ``wait_seconds`` have passed."""
    deadline = time.monotonic() + wait_seconds
    while True:
        if try_once():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_SECONDS)


class LocalClaims:
    """One machine, one process delivering: the process's own locks are enough."""

    @contextmanager
    def claim(self, name: str, wait_seconds: float = 0.0) -> Iterator[Claim]:
        yield Claim(True)


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_try_advisory_lock``."""
    return int.from_bytes(
        hashlib.blake2b(f"tactful:{name}".encode(), digest_size=8).digest(), "big", signed=True
    )


class PostgresClaims:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def claim(self, name: str, wait_seconds: float = 0.0) -> Iterator[Claim]:
        key = advisory_key(name)
        # Its own connection outside any transaction: the lock belongs to the
        # session, so it is held while the helpdesk is called, with no
        # transaction kept open meanwhile.
        with self._engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")

            def try_once() -> bool:
                return bool(connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))

            held = _waiting(try_once, wait_seconds)
            try:
                yield Claim(held)
            finally:
                if held:
                    self._unlock(connection, key)

    @staticmethod
    def _unlock(connection: Connection, key: int) -> None:
        try:
            connection.scalar(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        except Exception:  # noqa: BLE001 - a broken connection has dropped the lock with it
            logger.warning("could not release a handoff claim; dropping its connection")
            connection.invalidate()


class RedisClaims:
    def __init__(self, url: str, lease_seconds: float = DEFAULT_LEASE_SECONDS) -> None:
        self._client = redis.Redis.from_url(url, socket_timeout=5)
        self._lease = lease_seconds

    @contextmanager
    def claim(self, name: str, wait_seconds: float = 0.0) -> Iterator[Claim]:
        lock = self._client.lock(f"tactful:claim:{name}", timeout=self._lease)
        held = _waiting(lambda: bool(lock.acquire(blocking=False)), wait_seconds)
        try:
            yield Claim(held, lock.reacquire)
        finally:
            if held:
                try:
                    lock.release()
                except redis.exceptions.LockError:
                    logger.warning("a handoff claim expired while held (lease %.0fs)", self._lease)


def claims_for(shop_db_url: str, redis_url: str | None, timeout_seconds: float = 5.0) -> Claims:
    """PostgreSQL advisory locks, else Redis locks, else the process's own (module docstring)."""
    if shop_db_url.lower().startswith(("postgresql", "postgres://")):
        return PostgresClaims(get_engine(shop_db_url, timeout_seconds))
    if redis_url:
        return RedisClaims(redis_url)
    return LocalClaims()
