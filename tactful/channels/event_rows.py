"""Which stored row a loaded or saved event is, so two loads of one event compare equal.

The tracker store (``tactful.channels.tracker_store``) tags each event it
loads or saves with its store and row id. Rasa's events have no identity of
their own (their ``==`` ignores fields, and differs per type), while a row id
names one event: the table is only appended to, and an id is not handed out
again once committed (SQLite reuses the ids of a rolled-back save, so a failed
save takes its tags back).
"""

from __future__ import annotations

from collections.abc import Sequence

from rasa.shared.core.events import Event

ROW_ATTRIBUTE = "_tactful_row_id"


def tag_row(event: Event, store: str, row_id: int) -> None:
    """Marks ``event`` as the one stored in row ``row_id`` of the tracker store named ``store``."""
    setattr(event, ROW_ATTRIBUTE, (store, row_id))


def untag_row(event: Event) -> None:
    """``event`` is not stored after all (its save failed)."""
    if hasattr(event, ROW_ATTRIBUTE):
        delattr(event, ROW_ATTRIBUTE)


def row_of(event: Event) -> tuple[str, int] | None:
    row = getattr(event, ROW_ATTRIBUTE, None)
    return row if isinstance(row, tuple) else None


def same_event(kept: Event, given: Event) -> bool:
    """The same object (an event of the message being handled) or the same stored row."""
    if kept is given:
        return True
    row = row_of(kept)
    return row is not None and row == row_of(given)


def same_start(kept: Sequence[Event], given: Sequence[Event]) -> bool:
    """Whether ``given`` starts with the events of ``kept``."""
    return len(kept) <= len(given) and all(
        same_event(old, new) for old, new in zip(kept, given, strict=False)
    )
