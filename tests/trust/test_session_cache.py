"""The latest session kept between messages (tactful.channels.session_cache) on SQLite and PostgreSQL.

A second SafeSQLTrackerStore on the same database plays another replica:
what it writes, and rows removed behind the store's back, must show on the
next load exactly as a full read shows them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from tactful.channels.event_rows import row_of
from tactful.channels.session_cache import RecentSessions
from tactful.channels.tracker_store import SafeSQLTrackerStore

SENDER = "rest:kept"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "tracker.db")
    return str(request.getfixturevalue("pg_empty_url"))


@pytest.fixture
def replicas(db: str, domain: Domain) -> Iterator[tuple[SafeSQLTrackerStore, SafeSQLTrackerStore]]:
    stores = (SafeSQLTrackerStore(db=db, domain=domain), SafeSQLTrackerStore(db=db, domain=domain))
    try:
        yield stores
    finally:
        for store in stores:
            store.engine.dispose()


def a_turn(text: str, at: float) -> list[Event]:
    return [
        ActionExecuted("action_listen", timestamp=at),
        UserUttered(text, {"name": "greet", "confidence": 1.0}, timestamp=at + 0.1),
        ActionExecuted("utter_greet", timestamp=at + 0.2),
        BotUttered(f"you said {text}", timestamp=at + 0.3),
        SlotSet("last_topic", text, timestamp=at + 0.4),
    ]


def load(store: SafeSQLTrackerStore, sender: str = SENDER) -> DialogueStateTracker:
    tracker = asyncio.run(store.retrieve(sender))
    assert tracker is not None
    return tracker


def talk(store: SafeSQLTrackerStore, text: str, at: float, sender: str = SENDER) -> None:
    """One message as Rasa handles it: load, add the turn's events, save."""
    tracker = asyncio.run(store.retrieve(sender))
    if tracker is None:
        tracker = DialogueStateTracker.from_events(sender, [], store.domain.slots)
    for event in a_turn(text, at):
        tracker.update(event)
    asyncio.run(store.save(tracker))


def full_read(db: str, domain: Domain, sender: str = SENDER) -> list[dict[str, object]]:
    """What a store that has kept nothing reads."""
    fresh = SafeSQLTrackerStore(db=db, domain=domain)
    try:
        tracker = asyncio.run(fresh.retrieve(sender))
        return [] if tracker is None else [event.as_dict() for event in tracker.events]
    finally:
        fresh.engine.dispose()


def as_dicts(tracker: DialogueStateTracker) -> list[dict[str, object]]:
    return [event.as_dict() for event in tracker.events]


def test_the_next_load_keeps_the_events_already_read(
    replicas: tuple[SafeSQLTrackerStore, ...], db: str, domain: Domain
) -> None:
    store, _ = replicas
    talk(store, "one", 10.0)
    first = list(load(store).events)
    talk(store, "two", 20.0)
    second = list(load(store).events)
    # The same objects, not decoded again, and the new turn after them.
    assert all(old is new for old, new in zip(first, second[: len(first)], strict=True))
    assert len(second) == len(first) + len(a_turn("two", 20.0))
    assert [event.as_dict() for event in second] == full_read(db, domain)


def test_what_another_replica_wrote_is_read(
    replicas: tuple[SafeSQLTrackerStore, ...], db: str, domain: Domain
) -> None:
    mine, other = replicas
    talk(mine, "one", 10.0)
    load(mine)
    talk(other, "from the other replica", 20.0)
    talk(mine, "three", 30.0)
    texts = [event.text for event in load(mine).events if isinstance(event, UserUttered)]
    assert texts == ["one", "from the other replica", "three"]
    assert as_dicts(load(mine)) == full_read(db, domain)


def test_rows_removed_behind_its_back_are_not_served(
    replicas: tuple[SafeSQLTrackerStore, ...], db: str, domain: Domain
) -> None:
    store, _ = replicas
    for number, text in enumerate(("keep", "erase me", "after")):
        talk(store, text, 10.0 * (number + 1))
    load(store)
    with store.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM events WHERE data LIKE '%erase me%'"))
    tracker = load(store)
    assert "erase me" not in str(as_dicts(tracker))
    assert as_dicts(tracker) == full_read(db, domain)


def test_a_row_stored_out_of_order_is_not_missed(
    replicas: tuple[SafeSQLTrackerStore, ...], db: str, domain: Domain
) -> None:
    """A row with an id inside the kept range (another writer's transaction committed late)."""
    store, _ = replicas
    talk(store, "one", 10.0)
    talk(store, "two", 20.0)
    load(store)
    with store.engine.begin() as connection:
        row = (
            connection.execute(sa.text("SELECT * FROM events ORDER BY id LIMIT 1 OFFSET 2")).mappings().one()
        )
        connection.execute(sa.text("DELETE FROM events WHERE id = :id"), {"id": row["id"]})
    load(store)  # keeps the session without that row
    with store.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO events (id, sender_id, type_name, timestamp, intent_name, action_name, data)"
                " VALUES (:id, :sender_id, :type_name, :timestamp, :intent_name, :action_name, :data)"
            ),
            dict(row),
        )
    assert as_dicts(load(store)) == full_read(db, domain)


def test_a_new_session_from_another_replica_replaces_the_kept_one(
    replicas: tuple[SafeSQLTrackerStore, ...], db: str, domain: Domain
) -> None:
    mine, other = replicas
    talk(mine, "old session", 10.0)
    load(mine)
    restarted = load(other)
    restarted.update(ActionExecuted("action_session_start", timestamp=100.0))
    restarted.update(SessionStarted(timestamp=100.0))
    asyncio.run(other.save(restarted))
    talk(other, "new session", 110.0)
    tracker = load(mine)
    assert "old session" not in str(as_dicts(tracker))
    assert as_dicts(tracker) == full_read(db, domain)


def test_conversations_are_kept_apart(
    replicas: tuple[SafeSQLTrackerStore, ...], db: str, domain: Domain
) -> None:
    store, _ = replicas
    talk(store, "mine", 10.0, sender="rest:first")
    talk(store, "yours", 10.0, sender="rest:second")
    for sender, text in (("rest:first", "mine"), ("rest:second", "yours")):
        tracker = load(store, sender)
        assert [event.text for event in tracker.events if isinstance(event, UserUttered)] == [text]
        assert as_dicts(tracker) == full_read(db, domain, sender)


def test_memory_is_bounded_by_events_kept(db: str, domain: Domain) -> None:
    store = SafeSQLTrackerStore(db=db, domain=domain)
    store._sessions = RecentSessions(store.SQLEvent.__table__, kept_events=12)
    try:
        talk(store, "one", 10.0, sender="rest:first")
        talk(store, "two", 20.0, sender="rest:first")  # 10 events kept
        first = list(load(store, "rest:first").events)
        talk(store, "other", 10.0, sender="rest:second")
        load(store, "rest:second")  # 5 more kept: the first conversation is let go
        again = list(load(store, "rest:first").events)
        assert not any(old is new for old, new in zip(first, again, strict=True))
        assert [event.as_dict() for event in again] == full_read(db, domain, "rest:first")
    finally:
        store.engine.dispose()


def test_a_failed_save_takes_its_row_tags_back(
    replicas: tuple[SafeSQLTrackerStore, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite hands out a rolled-back id again: a tag kept from a failed save would name another event."""
    store, _ = replicas
    tracker = DialogueStateTracker.from_events(SENDER, a_turn("one", 10.0), store.domain.slots)

    def failing_commit(_session: object) -> None:
        raise sa.exc.OperationalError("COMMIT", {}, Exception("disk full"))

    monkeypatch.setattr(sa.orm.Session, "commit", failing_commit)
    with pytest.raises(Exception):  # noqa: B017 - Rasa's store wraps what the driver raised
        asyncio.run(store.save(tracker))
    monkeypatch.undo()
    assert all(row_of(event) is None for event in tracker.events)
    asyncio.run(store.save(tracker))
    assert all(row_of(event) is not None for event in tracker.events)
