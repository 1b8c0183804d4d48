"""Rasa's SQL tracker store, unable to stop the process on a bad value.

Rasa 3.6.21's ``SQLTrackerStore.session_scope`` turns every ``ValueError``
raised while a session is open into "schema not found" and exits the whole
process. Drivers raise exactly that for values they cannot store: a lone
surrogate on SQLite (``UnicodeEncodeError``), a NUL on PostgreSQL. One request
could therefore stop the assistant. This subclass

* refuses any sender id outside the safe alphabet before SQL sees it
  (``tactful.channels.ids``), and
* turns a ``ValueError`` raised inside a session into ``TrackerStoreError``,
  which fails that one message instead of the process.

It also takes the whole database as one URL: ``db`` may be a SQLite file path
(the default set-up) or a SQLAlchemy URL such as
``postgresql://user:pass@host:5432/tracker`` (production).

endpoints.yml: ``tracker_store: {type: tactful.channels.tracker_store.SafeSQLTrackerStore, db: ...}``
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tactful.channels.ids import is_storable


class TrackerStoreError(RasaException):  # type: ignore[misc]  # rasa ships no type information
    """A value the tracker store cannot hold; the message fails, the process goes on."""


def connection_kwargs(db: str) -> dict[str, Any]:
    """SQLTrackerStore's keyword arguments for a file path or a SQLAlchemy URL."""
    if "://" not in db:
        return {"dialect": "sqlite", "db": db}
    url = make_url(db)
    return {
        "dialect": url.get_backend_name(),
        "host": url.host,
        "port": url.port,
        "db": url.database,
        "username": url.username,
        "password": url.password,
        "query": dict(url.query) or None,
    }


class SafeSQLTrackerStore(SQLTrackerStore):  # type: ignore[misc]  # rasa ships no type information
    def __init__(self, db: str = "rasa.db", host: str | None = None, **kwargs: Any) -> None:
        connection = connection_kwargs(str(db))
        kwargs.pop("dialect", None)
        super().__init__(**{**kwargs, **connection})

    @contextlib.contextmanager
    def session_scope(self) -> Generator[Session, None, None]:
        session = self.sessionmaker()
        try:
            ensure_schema_exists(session)
            yield session
        except ValueError as error:
            raise TrackerStoreError(
                f"the tracker store could not use a value: {type(error).__name__}"
            ) from error
        finally:
            session.close()

    @staticmethod
    def _check(sender_id: object) -> None:
        if not is_storable(sender_id):
            raise TrackerStoreError("refused a conversation id outside the safe alphabet")

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        self._check(sender_id)
        return await super().retrieve(sender_id)

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        self._check(conversation_id)
        return await super().retrieve_full_tracker(conversation_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._check(tracker.sender_id)
        await super().save(tracker)
