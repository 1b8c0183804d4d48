"""Databases of their own on the shared PostgreSQL server, for tests that
start whole servers (each run creates uniquely named databases and drops them)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from tests.support.servers import skip_or_fail

# The database named here is only used to issue CREATE/DROP DATABASE.
PG_ADMIN_URL = os.environ.get("TACTFUL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def admin_engine() -> Engine:
    """Autocommit, no pool: CREATE / DROP DATABASE cannot run in a transaction."""
    return create_engine(
        PG_ADMIN_URL,
        future=True,
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 3},
    )


def database_url(name: str) -> str:
    url: str = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    return url


def unreachable(error: SQLAlchemyError) -> str:
    first = str(getattr(error, "orig", error)).strip().splitlines()[0]
    return f"PostgreSQL unreachable at {make_url(PG_ADMIN_URL)!r}: {first}"


@contextmanager
def fresh_databases(names: dict[str, str]) -> Iterator[dict[str, str]]:
    """Create the databases ``{role: name}``; yield ``{role: url}``; drop them afterwards."""
    admin = admin_engine()
    created: list[str] = []
    try:
        with admin.connect() as conn:
            for name in names.values():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
                created.append(name)
    except SQLAlchemyError as error:
        admin.dispose()
        skip_or_fail(unreachable(error))
    try:
        yield {role: database_url(name) for role, name in names.items()}
    finally:
        with admin.connect() as conn:
            for name in created:
                # FORCE ends the connections the servers' pools still hold.
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
