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

Kept events are shared by the trackers built from them; Rasa only ever
changes an event in ways that replaying it again repeats (the model id in
its metadata, the featurisation and entities of a user message).
"""

from __future__ import annotations

from dataclasses import dataclass

from rasa.shared.core.events import Event, SessionStarted

from tactful.channels.event_rows import row_of, same_start
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


def kept_from_rows(events: list[Event], rows: int) -> Kept | None:
    """What to keep of a session read in full (None: a row was unreadable, or no row)."""
    if not events or len(events) != rows:
        return None
    last_row = row_of(events[-1])
    if last_row is None:
        return None
    starts = [event.timestamp for event in events if isinstance(event, SessionStarted)]
    return Kept(tuple(events), rows, last_row[1], max(starts) if starts else None)


class RecentSessions:
    def __init__(self, kept_events: int = KEPT_EVENTS) -> None:
        self._sessions: BoundedLRU[str, Kept] = BoundedLRU(kept_events, lambda kept: len(kept.events))

    def get(self, sender_id: str) -> Kept | None:
        return self._sessions.get(sender_id)

    def put(self, sender_id: str, kept: Kept | None) -> None:
        if kept is None:
            self._sessions.pop(sender_id)
        else:
            self._sessions.put(sender_id, kept)

    def saved(self, sender_id: str, events: list[Event], added: list[Event]) -> None:
        """The tracker store stored ``added``, the last of the tracker's ``events``."""
        kept = self.get(sender_id)
        if kept is None or not added:
            return
        last_row = row_of(added[-1])
        follows = (
            last_row is not None
            and len(events) == len(kept.events) + len(added)
            and same_start(list(kept.events), events)
            # A new session is read in full the next time.
            and not any(isinstance(event, SessionStarted) for event in added)
        )
        self.put(
            sender_id,
            Kept(tuple(events), kept.rows + len(added), last_row[1], kept.session_start)
            if follows and last_row is not None
            else None,
        )
