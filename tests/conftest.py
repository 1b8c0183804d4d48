"""Shared fixtures: real, migrated shop databases (SQLite and PostgreSQL).

* ``sqlite_url``: a fresh SQLite file in ``tmp_path``, migrated to head.
* ``pg_url``: a fresh, uniquely named PostgreSQL database on 127.0.0.1:5432
  (user postgres, trust auth), migrated to head, dropped after the test.
  Skips when PostgreSQL is unreachable, except under CI=true where it fails.
* ``db_url``: parametrized over ["sqlite", "postgresql"]; store tests use it
  so every test runs on both.
* ``demo_db_url``: ``db_url`` with the demo store loaded.
* ``pg_empty_url``: a fresh PostgreSQL database with no tables (for
  migration tests).
* ``shared_data``: Path to ../shared/data next to the repo; skips if absent.

Speed: migrations run once per session into a template (a SQLite file that
is copied, a PostgreSQL database used as ``CREATE DATABASE ... TEMPLATE``).
Test databases are dropped by one background thread so tests do not wait.
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from tests.support.postgres import admin_engine, database_url, unreachable

REPO_ROOT = Path(__file__).resolve().parent.parent


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _unavailable(reason: str) -> None:
    """Skip locally, fail in CI: a missing server must not pass CI silently."""
    if _in_ci():
        pytest.fail(f"{reason} (CI=true, so this is a failure, not a skip)")
    pytest.skip(reason)


# --------------------------------------------------------------------------- SQLite


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tactful.store.migrate import upgrade

    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, _sqlite_template: Path) -> str:
    path = tmp_path / "shop.db"
    shutil.copyfile(_sqlite_template, path)
    return f"sqlite:///{path}"


# --------------------------------------------------------------------------- PostgreSQL


class _PostgresServer:
    """Creates databases from a migrated template; drops them off-thread."""

    def __init__(self, admin: Engine) -> None:
        self.admin = admin
        self.prefix = f"tactful_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.template = f"{self.prefix}_tpl"
        self._drops: queue.Queue[str | None] = queue.Queue()
        self._dropper = threading.Thread(target=self._drop_loop, name="pg-dropper", daemon=True)
        self._dropper.start()
        self._count = 0

    def url(self, name: str) -> str:
        return database_url(name)

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def create(self, template: str | None = None) -> str:
        self._count += 1
        name = f"{self.prefix}_{self._count}"
        suffix = f" TEMPLATE {template}" if template else ""
        self._execute(f'CREATE DATABASE "{name}"{suffix}')
        return name

    def drop_later(self, name: str) -> None:
        self._drops.put(name)

    def _drop_loop(self) -> None:
        while (name := self._drops.get()) is not None:
            try:
                # FORCE ends pooled connections the code under test left open.
                self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except SQLAlchemyError:
                pass  # best effort; the name is unique, nothing reuses it

    def close(self) -> None:
        self._drops.put(None)
        self._dropper.join(timeout=60)
        try:
            self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        finally:
            self.admin.dispose()


@pytest.fixture(scope="session")
def _postgres() -> Iterator[_PostgresServer | str]:
    """The server helper, or the reason PostgreSQL cannot be used."""
    admin = admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        admin.dispose()
        yield unreachable(error)
        return
    server = _PostgresServer(admin)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def _pg_template(_postgres: _PostgresServer | str) -> str:
    if isinstance(_postgres, str):
        return _postgres
    from tactful.store.migrate import upgrade

    _postgres._execute(f'CREATE DATABASE "{_postgres.template}"')
    upgrade(_postgres.url(_postgres.template))
    return _postgres.template


def _server(postgres: _PostgresServer | str) -> _PostgresServer:
    if isinstance(postgres, str):
        _unavailable(postgres)
    assert isinstance(postgres, _PostgresServer)
    return postgres


@pytest.fixture
def pg_url(_postgres: _PostgresServer | str, _pg_template: str) -> Iterator[str]:
    server = _server(_postgres)
    name = server.create(template=_pg_template)
    try:
        yield server.url(name)
    finally:
        server.drop_later(name)


@pytest.fixture
def pg_empty_url(_postgres: _PostgresServer | str) -> Iterator[str]:
    server = _server(_postgres)
    name = server.create()
    try:
        yield server.url(name)
    finally:
        server.drop_later(name)


# --------------------------------------------------------------------------- both


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    fixture = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def demo_db_url(db_url: str) -> str:
    from tactful.demo.loader import load_demo

    load_demo(db_url)
    return db_url


# --------------------------------------------------------------------------- data


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = REPO_ROOT.parent / "shared" / "data"
    if not path.is_dir():
        pytest.skip(f"shared data folder {path} is absent (the UCI Online Retail files live there)")
    return path
