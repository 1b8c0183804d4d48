"""Alembic environment for the shop database.

The database URL is never stored in alembic.ini. It comes from, in order:

1. ``config.attributes["connection"]``: an open connection (programmatic use);
2. ``config.attributes["url"]``: set by ``tactful.store.migrate``;
3. ``alembic -x url=...`` on the command line;
4. ``sqlalchemy.url`` in the config, if someone set it;
5. ``TACTFUL_SHOP_DB_URL`` through ``tactful.settings`` (the normal case).
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from tactful.settings import load_settings
from tactful.store.migrate import ensure_sqlite_parent
from tactful.store.models import metadata

config = context.config

# Only the `alembic` command line has an ini file with logging sections;
# programmatic runs must not have their logging reconfigured.
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = metadata


def database_url() -> str:
    url = config.attributes.get("url")
    if url:
        return str(url)
    x_url = context.get_x_argument(as_dictionary=True).get("url")
    if x_url:
        return x_url
    ini_url = config.get_main_option("sqlalchemy.url")
    if ini_url:
        return ini_url
    return load_settings().shop_db_url


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode rebuilds the table, so
        # later migrations stay portable across both dialects.
        render_as_batch=connection.dialect.name == "sqlite",
    )


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``alembic upgrade head --sql``)."""
    url = database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        compare_type=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    # A private engine without the app's statement timeout: a migration on a
    # large table may legitimately take longer than a request should.
    url = database_url()
    ensure_sqlite_parent(url)
    engine = create_engine(url, poolclass=NullPool, future=True)
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
