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
import uuid
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import Row, make_url
from sqlalchemy.orm import Session

from tactful.channels import owners
from tactful.channels.event_rows import tag_row, untag_row
from tactful.channels.ids import is_storable
from tactful.channels.session_cache import Kept, RecentSessions, kept_from_rows

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
        # Names this store's rows in the events it loads and saves (tactful.channels.event_rows).
        self._row_source = uuid.uuid4().hex
        self._sessions = RecentSessions()
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
        events = None if all_sessions else self._kept_session(session, sender_id)
        if events is None:
            events = self._read_session(session, sender_id, all_sessions)
        if not self.domain or not events:
            return None
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)

    def _events_of(self, rows: Sequence[Row]) -> list[Event]:
        events: list[Event] = []
        for row_id, data in rows:
            # One row at a time, so each event keeps its row's id (Rasa skips rows it cannot read).
            for event in deserialise_events([json.loads(data)]):
                tag_row(event, self._row_source, row_id)
                events.append(event)
        return events

    def _read_session(self, session: Session, sender_id: str, all_sessions: bool) -> list[Event]:
        query = self._event_query(session, sender_id, fetch_events_from_all_sessions=all_sessions)
        # Only the id and the JSON: building an ORM object per row cost more than the JSON itself.
        rows = query.with_entities(self.SQLEvent.id, self.SQLEvent.data).all()
        events = self._events_of(rows)
        if not all_sessions:
            self._sessions.put(sender_id, kept_from_rows(events, len(rows)))
        return events

    def _kept_session(self, session: Session, sender_id: str) -> list[Event] | None:
        """The kept session plus the rows stored since, if the kept rows are all still there."""
        kept = self._sessions.get(sender_id)
        if kept is None:
            return None
        table = self.SQLEvent.__table__
        in_session = [table.c.sender_id == sender_id]
        if kept.session_start is not None:
            in_session.append(table.c.timestamp >= kept.session_start)
        stored = session.execute(
            sa.select(sa.func.count()).select_from(table).where(*in_session, table.c.id <= kept.last_row)
        ).scalar_one()
        new_rows = session.execute(
            sa.select(table.c.id, table.c.data, table.c.type_name)
            .where(*in_session, table.c.id > kept.last_row)
            .order_by(table.c.id)
        ).all()
        new_events = self._events_of([(row_id, data) for row_id, data, _ in new_rows])
        if (
            stored != kept.rows
            or len(new_events) != len(new_rows)
            or any(type_name == SessionStarted.type_name for _, _, type_name in new_rows)
        ):
            self._sessions.put(sender_id, None)
            return None
        events = [*kept.events, *new_events]
        if new_rows:
            self._sessions.put(
                sender_id,
                Kept(tuple(events), kept.rows + len(new_rows), new_rows[-1][0], kept.session_start),
            )
        return events

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
            # Read before the commit, which expires them.
            for event, row in zip(added, rows, strict=True):
                tag_row(event, self._row_source, row.id)
            try:
                session.commit()
            except BaseException:
                # SQLite hands a rolled-back id out again: the tag would name another event.
                for event in added:
                    untag_row(event)
                raise
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
