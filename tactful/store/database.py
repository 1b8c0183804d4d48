"""Engine and session factories for the shop database.

Engines are cached per URL (an engine is a connection pool, not a session);
every unit of work opens its own short-lived session.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, create_engine, make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

# SQLite stores Numeric(12, 2) as REAL; SQLAlchemy rounds back to the column's
# scale, which is exact for money with two decimals, so the warning is noise.
warnings.filterwarnings("ignore", message=r"Dialect sqlite\+pysqlite does \*not\* support Decimal")


# The database's own limits take this share of a call's time budget, so in the
# normal case the server aborts (and rolls back) before run_blocking stops
# waiting: a transaction is then never left running after the caller gave up.
SERVER_SHARE = 0.8


def is_sqlite(url: str) -> bool:
    backend: str = make_url(url).get_backend_name()
    return backend == "sqlite"


def server_timeout_millis(timeout_seconds: float) -> int:
    """The database-side limit for a call whose whole budget is ``timeout_seconds``."""
    return max(1, int(timeout_seconds * SERVER_SHARE * 1000))


def _postgres_options(timeout_seconds: float) -> str:
    millis = server_timeout_millis(timeout_seconds)
    # idle_in_transaction: a worker stalled outside the database (the caller
    # long gone) must not hold its locks or its open transaction any longer.
    return " ".join(
        f"-c {name}={millis}"
        for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout")
    )


@functools.lru_cache(maxsize=16)
def get_engine(url: str, timeout_seconds: float = 5.0) -> Engine:
    """Create (once per URL) an engine with connect and statement timeouts."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            future=True,
            # SQLAlchemy 1.4 opens a new SQLite connection per checkout by
            # default (NullPool); pooling keeps the per-connection PRAGMAs off
            # the hot path of every decision.
            poolclass=QueuePool if database and database != ":memory:" else None,
            connect_args={
                "timeout": server_timeout_millis(timeout_seconds) / 1000,
                "check_same_thread": False,
            },
        )
        _configure_sqlite(engine, timeout_seconds)
        return engine
    return create_engine(
        url,
        future=True,
        # No pre-ping (it costs a round trip per unit of work); a connection
        # found dead invalidates the pool and the next unit of work reconnects.
        pool_size=5,
        max_overflow=10,
        pool_timeout=timeout_seconds,
        connect_args={
            "connect_timeout": max(1, int(timeout_seconds)),
            "options": _postgres_options(timeout_seconds),
        },
    )


def _configure_sqlite(engine: Engine, timeout_seconds: float) -> None:
    # pysqlite's own transaction handling defers BEGIN until the first write,
    # which breaks row-lock style serialisation; take control of BEGIN instead.
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={server_timeout_millis(timeout_seconds)}")
        # A bigger page cache and memory-mapped reads keep a large store's
        # index pages out of read() calls on every decision.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.close()

    def _on_begin(connection: Connection) -> None:
        # IMMEDIATE takes the write lock up front, so a read-then-write unit of
        # work (caps check then impression) cannot interleave with another.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    # event.listen rather than the listens_for decorator (same registration),
    # which SQLAlchemy 1.4 leaves untyped.
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)


@functools.lru_cache(maxsize=16)
def session_factory(url: str, timeout_seconds: float = 5.0) -> sessionmaker:
    """One session factory per database (built once: every unit of work uses it)."""
    return sessionmaker(bind=get_engine(url, timeout_seconds), future=True, expire_on_commit=False)
