"""One run at a time of a scheduled job, across machines sharing the shop database."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from tactful.store.database import get_engine, is_sqlite


def job_key(name: str) -> int:
    # crc32, not hash(): every process must derive the same key for a name.
    return zlib.crc32(f"tactful:{name}".encode())


@contextmanager
def exclusive_job(url: str, name: str, timeout_seconds: float) -> Iterator[bool]:
    """Yields True while this process holds the job's lock, False if another run does.

    PostgreSQL: a session advisory lock on a connection of its own that stays
    outside any transaction, so no idle-in-transaction limit ends it and a
    crashed run releases it with its connection. SQLite serialises every
    write (BEGIN IMMEDIATE), so there each run's write lands whole and the
    last one wins; no lock is needed.
    """
    if is_sqlite(url):
        yield True
        return
    key = job_key(name)
    with get_engine(url, timeout_seconds).connect() as connection:
        autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
        held = bool(autocommit.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar_one())
        try:
            yield held
        finally:
            if held:
                autocommit.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
