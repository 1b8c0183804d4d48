"""Chunked bulk writes with ON CONFLICT, for SQLite and PostgreSQL alike.

Each chunk is one executemany (psycopg2 turns it into multi-row VALUES), so
thousands of rows cost a handful of round trips instead of one ORM object
and one INSERT per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

CHUNK_ROWS = 1000


def chunks(items: Sequence[Any], size: int = CHUNK_ROWS) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert(conn: Connection, table: Table):  # type: ignore[no-untyped-def]
    name = conn.dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"bulk import supports SQLite and PostgreSQL, not {name}")


def insert_ignore(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows; rows whose key already exists are left untouched."""
    if not rows:
        return
    statement = _insert(conn, table).on_conflict_do_nothing()
    for chunk in chunks(rows):
        conn.execute(statement, list(chunk))


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    key: Sequence[str],
    update: Iterable[str],
) -> None:
    """Insert rows, or overwrite ``update`` columns where ``key`` exists."""
    if not rows:
        return
    base = _insert(conn, table)
    statement = base.on_conflict_do_update(
        index_elements=list(key),
        set_={column: base.excluded[column] for column in update},
    )
    for chunk in chunks(rows):
        conn.execute(statement, list(chunk))


def count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def existing(conn: Connection, column: Any, values: Iterable[str]) -> set[str]:
    """Which of ``values`` already exist in ``column`` (queried in chunks)."""
    wanted = sorted(set(values))
    found: set[str] = set()
    for chunk in chunks(wanted, 500):
        found.update(conn.execute(select(column).where(column.in_(list(chunk)))).scalars())
    return found
