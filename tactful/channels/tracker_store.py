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

Its SQL runs in a worker thread (``asyncio.to_thread``; one thread in order on
SQLite): Rasa's own store runs it on the event loop, so every load and save
stalled every other chat. And it
lets the message pipeline hand Rasa the tracker it already read under the
conversation's lock (``preloaded``), so a message costs one load, not two
(docs/architecture.md, "One tracker load per message").

endpoints.yml: ``tracker_store: {type: tactful.channels.tracker_store.SafeSQLTrackerStore, db: ...}``
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from rasa.core.tracker_store import SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tactful.channels import owners
from tactful.channels.ids import is_storable
from tactful.channels.session_cache import RecentSessions

T = TypeVar("T")
# Conversations whose owner each process keeps in memory (about 100 bytes each).
KNOWN_OWNERS_KEPT = 100_000


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


@dataclass
class _Preloaded:
    sender_id: str
    tracker: DialogueStateTracker | None
    taken: bool = False


# The tracker the pipeline read for the message being handled in this task.
_preloaded: ContextVar[_Preloaded | None] = ContextVar("tactful_preloaded_tracker", default=None)


@contextlib.contextmanager
def preloaded(sender_id: str, tracker: DialogueStateTracker | None) -> Iterator[None]:
    """Rasa's next ``retrieve(sender_id)`` in this task gets ``tracker`` (None: a new conversation).

    Only the first one, and only while the caller holds the conversation's
    lock: the processor changes the tracker it gets, and anything retrieved
    later must come from the database again.
    """
    token = _preloaded.set(_Preloaded(sender_id, tracker))
    try:
        yield
    finally:
        _preloaded.reset(token)


def _take_preloaded(sender_id: str) -> _Preloaded | None:
    entry = _preloaded.get()
    if entry is None or entry.taken or entry.sender_id != sender_id:
        return None
    entry.taken = True
    return entry


class SafeSQLTrackerStore(SQLTrackerStore):  # type: ignore[misc]  # rasa ships no type information
    def __init__(self, db: str = "rasa.db", host: str | None = None, **kwargs: Any) -> None:
        connection = connection_kwargs(str(db))
        kwargs.pop("dialect", None)
        super().__init__(**{**kwargs, **connection})
        owners.create_table(self.engine)
        # The first look before the lock then costs no read for a conversation
        # this process has already seen with its owner.
        self._known_owners = owners.KnownOwners(KNOWN_OWNERS_KEPT)
        self._sessions = RecentSessions(self.SQLEvent.__table__)
        # SQLite takes one writer at a time and makes the others sleep and
        # retry, which costs more than it saves: one thread does its work, in
        # order, as the event loop did. A server database gets Python's pool.
        self._executor = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="tracker-store")
            if self.engine.dialect.name == "sqlite"
            else None
        )

    async def _off_loop(self, work: Callable[..., T], *args: Any) -> T:
        if self._executor is None:
            return await asyncio.to_thread(work, *args)
        return await asyncio.get_running_loop().run_in_executor(
            self._executor, functools.partial(work, *args)
        )

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

    def _tracker_in(
        self, session: Session, sender_id: str, all_sessions: bool
    ) -> DialogueStateTracker | None:
        # Rasa's SQLTrackerStore._retrieve, minus the event loop, with the
        # latest session kept between messages (tactful.channels.session_cache).
        events = None if all_sessions else self._sessions.read_kept(session, sender_id)
        if events is None:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=all_sessions)
            # Only the id and the JSON: building an ORM object per row cost more than the JSON itself.
            rows = [
                (row_id, data) for row_id, data in query.with_entities(self.SQLEvent.id, self.SQLEvent.data)
            ]
            events = (
                self._sessions.events_of(rows)
                if all_sessions
                else self._sessions.read_in_full(sender_id, rows)
            )
        if not self.domain or not events:
            return None
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)

    def _load(self, sender_id: str, all_sessions: bool) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            return self._tracker_in(session, sender_id, all_sessions)

    def _load_with_owner(
        self, sender_id: str, customer: str | None
    ) -> tuple[DialogueStateTracker | None, str | None]:
        with self.session_scope() as session:
            tracker = self._tracker_in(session, sender_id, all_sessions=False)
            owner = owners.owner_for_message(
                session, self.SQLEvent.__table__, sender_id, customer, has_events=tracker is not None
            )
            self._known_owners.add(sender_id, owner)
            return tracker, owner

    def _store(self, tracker: DialogueStateTracker) -> list[Event]:
        """Rasa's SQLTrackerStore.save minus the event loop; the events it added."""
        with self.session_scope() as session:
            added = list(self._additional_events(session, tracker))
            rows = []
            for event in added:
                data = event.as_dict()
                rows.append(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.add_all(rows)
            session.flush()
            # The ids are read before the commit, which expires the rows.
            with self._sessions.tagged(added, [row.id for row in rows]):
                session.commit()
        self._sessions.saved(tracker.sender_id, list(tracker.events), added)
        return added

    async def load_for_message(
        self, sender_id: str, customer: str | None
    ) -> tuple[DialogueStateTracker | None, str | None]:
        """The conversation's current session and its owner, counting this message's customer.

        One trip to the database: the events of the latest session and the
        owner row (``tactful.channels.owners``), which the first verified
        customer fills in.
        """
        self._check(sender_id)
        return await self._off_loop(self._load_with_owner, sender_id, customer)

    def _known_owner(self, sender_id: str) -> str | None:
        with self.session_scope() as session:
            owner = owners.known_owner(session, sender_id)
        self._known_owners.add(sender_id, owner)
        return owner

    async def known_owner(self, sender_id: str) -> str | None:
        """The conversation's verified owner as stored so far (None: none yet, or not seen).

        A first look without the conversation's lock; ``load_for_message``
        under the lock decides.
        """
        self._check(sender_id)
        kept = self._known_owners.get(sender_id)
        if kept is not None:
            return kept
        return await self._off_loop(self._known_owner, sender_id)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        self._check(sender_id)
        entry = _take_preloaded(sender_id)
        if entry is not None:
            return entry.tracker
        return await self._off_loop(self._load, sender_id, False)

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        self._check(conversation_id)
        return await self._off_loop(self._load, conversation_id, True)

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._check(tracker.sender_id)
        added = await self._off_loop(self._store, tracker)
        if self.event_broker is not None:
            # Rasa's stream_events loads the tracker again to find these; the
            # save already knows them, and only stored events are published.
            await self._stream_new_events(self.event_broker, added, tracker.sender_id)
