"""The latest session of recent conversations, kept between messages by the tracker store.

Each message needs the whole latest session of its conversation. Reading it
in full meant decoding and rebuilding every event of the session on every
message, which grew with the chat (docs/architecture.md, "Long chats"). The
tracker store (``tactful.channels.tracker_store``) keeps the events of the
sessions it loaded or saved recently, and on the next load reads only the
rows added since, after counting that the rows it kept are all still stored
(``Kept.rows``): a row removed or added out of order, or a new session, and
the session is read in full again. What is kept is therefore never served
without the database agreeing, on this replica or any other.

The events it decodes and saves carry their row ids (``tactful.channels.event_rows``).
Kept events are shared by the trackers built from them; Rasa only ever
changes an event in ways that replaying it again repeats (the model id in
its metadata, the featurisation and entities of a user message).
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from sqlalchemy.orm import Session

from tactful.channels.event_rows import row_of, same_start, tag_row, untag_row
from tactful.channels.lru import BoundedLRU

# Events a process keeps over all conversations; the least recently used go first.
KEPT_EVENTS = 50_000


@dataclass(frozen=True)
class Kept:
    events: tuple[Event, ...]
    # Rows of the session up to ``last_row``, one per event.
    rows: int
    last_row: int
    # The latest session's start (Rasa's session query); None: no session started.
    session_start: float | None

    def followed_by(self, new: Sequence[Event], last_row: int) -> Kept:
        """This session with ``new``, stored up to row ``last_row``, after it."""
        return Kept((*self.events, *new), self.rows + len(new), last_row, self.session_start)


def _kept_from_rows(events: list[Event], rows: int) -> Kept | None:
    """What to keep of a session read in full (None: a row was unreadable, or no row)."""
    last_row = row_of(events[-1]) if events else None
    if last_row is None or len(events) != rows:
        return None
    starts = [event.timestamp for event in events if isinstance(event, SessionStarted)]
    return Kept(tuple(events), rows, last_row[1], max(starts) if starts else None)


class RecentSessions:
    """The kept sessions of one tracker store, whose events table is ``table``."""

    def __init__(self, table: sa.Table, kept_events: int = KEPT_EVENTS) -> None:
        self._table = table
        # Names this store's rows in the events it decodes and saves.
        self._source = uuid.uuid4().hex
        self._sessions: BoundedLRU[str, Kept] = BoundedLRU(kept_events, lambda kept: len(kept.events))

    def events_of(self, rows: Iterable[tuple[int, str]]) -> list[Event]:
        """The events of stored ``(id, data)`` rows, each tagged with its row."""
        events: list[Event] = []
        for row_id, data in rows:
            # One row at a time, so each event keeps its row's id (Rasa skips rows it cannot read).
            for event in deserialise_events([json.loads(data)]):
                tag_row(event, self._source, row_id)
                events.append(event)
        return events

    def read_in_full(self, sender_id: str, rows: Sequence[tuple[int, str]]) -> list[Event]:
        """The events of the latest session's rows as Rasa's query returned them, kept."""
        events = self.events_of(rows)
        self._keep(sender_id, _kept_from_rows(events, len(rows)))
        return events

    def read_kept(self, session: Session, sender_id: str) -> list[Event] | None:
        """The kept session plus the rows stored since, if the kept rows are all still there."""
        kept = self._sessions.get(sender_id)
        if kept is None:
            return None
        table = self._table
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
        if stored != kept.rows or any(type_name == SessionStarted.type_name for _, _, type_name in new_rows):
            self._keep(sender_id, None)
            return None
        new_events = self.events_of((row_id, data) for row_id, data, _ in new_rows)
        if len(new_events) != len(new_rows):
            self._keep(sender_id, None)
            return None
        if new_rows:
            kept = kept.followed_by(new_events, new_rows[-1][0])
            self._keep(sender_id, kept)
        return list(kept.events)

    @contextlib.contextmanager
    def tagged(self, added: list[Event], row_ids: list[int]) -> Iterator[None]:
        """``added`` tagged with the rows being committed for them; untagged if the commit fails,
        as SQLite hands a rolled-back id out again and the tag would name another event."""
        for event, row_id in zip(added, row_ids, strict=True):
            tag_row(event, self._source, row_id)
        try:
            yield
        except BaseException:
            for event in added:
                untag_row(event)
            raise

    def saved(self, sender_id: str, events: Sequence[Event], added: list[Event]) -> None:
        """The tracker store stored ``added``, the last of the tracker's ``events``."""
        kept = self._sessions.get(sender_id)
        if kept is None or not added:
            return
        last_row = row_of(added[-1])
        follows = (
            last_row is not None
            and len(events) == len(kept.events) + len(added)
            and same_start(kept.events, events)
            # A new session is read in full the next time.
            and not any(isinstance(event, SessionStarted) for event in added)
        )
        self._keep(sender_id, kept.followed_by(added, last_row[1]) if follows and last_row else None)

    def _keep(self, sender_id: str, kept: Kept | None) -> None:
        if kept is None:
            self._sessions.pop(sender_id)
        else:
            self._sessions.put(sender_id, kept)
