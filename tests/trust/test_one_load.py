"""One tracker load per message (docs/architecture.md, "One tracker load per message").

Real SQLite and PostgreSQL tracker stores; the pipeline test runs the trained
model in a real Rasa Agent and counts the SQL that reads a conversation.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core import events as rasa_events
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    Event,
    SessionStarted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses

from tactful.channels import owners, rasa_speedups
from tactful.channels.tracker_store import SafeSQLTrackerStore, preloaded
from tests.trust.one_load_support import Reads, identity, save

REPO_ROOT = Path(__file__).resolve().parents[2]
MODEL = REPO_ROOT / "models" / "tactful.tar.gz"


# ------------------------------------------------------------------ the owner row


def test_the_first_verified_customer_claims_the_conversation_once(store: SafeSQLTrackerStore) -> None:
    async def run() -> list[str | None]:
        return [
            (await store.load_for_message("rest:new", customer))[1]
            for customer in (None, "C1", "C2", None, "C1")
        ]

    assert asyncio.run(run()) == [None, "C1", "C1", "C1", "C1"]


def test_the_owner_outlives_a_new_session_without_reading_old_ones(
    store: SafeSQLTrackerStore, domain: Domain
) -> None:
    asyncio.run(store.load_for_message("rest:long", "C1"))
    save(
        store,
        domain,
        "rest:long",
        SessionStarted(1.0),
        UserUttered("hi", metadata=identity("C1"), timestamp=1.5),
        SessionStarted(2.0),
        UserUttered("anon", timestamp=2.5),
    )
    tracker, owner = asyncio.run(store.load_for_message("rest:long", None))
    assert owner == "C1"
    # Only the latest session was read: C1's message is not in it.
    assert tracker is not None and [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["anon"]


def test_a_conversation_stored_before_the_owner_table_keeps_its_owner(
    store: SafeSQLTrackerStore, domain: Domain
) -> None:
    save(
        store,
        domain,
        "rest:legacy",
        SessionStarted(1.0),
        UserUttered("anon first", timestamp=1.1),
        UserUttered("signed in", metadata=identity("C7"), timestamp=1.2),
        SessionStarted(2.0),
        UserUttered("later", timestamp=2.1),
    )
    assert asyncio.run(store.load_for_message("rest:legacy", "C8"))[1] == "C7"
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(owners.owners)).all()
    assert [tuple(row) for row in rows] == [("rest:legacy", "C7")]


def test_two_replicas_racing_first_messages_get_one_owner(store: SafeSQLTrackerStore, domain: Domain) -> None:
    # A second store on the same database stands for a second Rasa replica.
    url = store.engine.url
    db = url.database if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=False)
    other = SafeSQLTrackerStore(db=db, domain=domain)
    try:

        async def race() -> list[str | None]:
            answers = await asyncio.gather(
                *[
                    (store if index % 2 else other).load_for_message("rest:race", f"C{index}")
                    for index in range(6)
                ]
            )
            return [owner for _, owner in answers]

        owners_seen = asyncio.run(race())
    finally:
        other.engine.dispose()
    assert len(set(owners_seen)) == 1 and owners_seen[0] is not None


def _start_together(
    db: str, domain: Domain, replicas: int
) -> tuple[list[SafeSQLTrackerStore], list[BaseException]]:
    barrier = threading.Barrier(replicas)
    started: list[SafeSQLTrackerStore] = []
    failures: list[BaseException] = []

    def start() -> None:
        barrier.wait()
        try:
            started.append(SafeSQLTrackerStore(db=db, domain=domain))
        except BaseException as error:  # noqa: BLE001 - collected and asserted by the caller
            failures.append(error)

    threads = [threading.Thread(target=start) for _ in range(replicas)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return started, failures


def test_replicas_starting_together_on_a_new_database_all_start(pg_empty_url: str, domain: Domain) -> None:
    """Each replica creates the owner table if missing; losing that race is not an error."""
    for _ in range(3):
        started, failures = _start_together(pg_empty_url, domain, 3)
        assert failures == [] and len(started) == 3
        with started[0].engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE tactful_conversation_owners"))
        for tracker_store in started:
            tracker_store.engine.dispose()


# -------------------------------------------------------- the preloaded tracker


def test_rasa_gets_the_preloaded_tracker_once_without_sql(store: SafeSQLTrackerStore, domain: Domain) -> None:
    save(store, domain, "rest:pre", UserUttered("stored"))
    reads = Reads(store.engine)
    mine = DialogueStateTracker.from_events("rest:pre", [UserUttered("read by the gate")], domain.slots)

    async def run() -> tuple[Any, Any, Any]:
        with preloaded("rest:pre", mine):
            other = await store.retrieve("rest:other")
            first = await store.retrieve("rest:pre")
            second = await store.retrieve("rest:pre")
        return other, first, second

    other, first, second = asyncio.run(run())
    assert other is None and first is mine
    assert second is not None and second.latest_message.text == "stored"
    assert reads.loads == 2  # "rest:other" and the second "rest:pre"; the first came from the gate


def test_a_new_conversation_is_preloaded_as_none(store: SafeSQLTrackerStore) -> None:
    reads = Reads(store.engine)

    async def run() -> Any:
        with preloaded("rest:fresh", None):
            return await store.retrieve("rest:fresh")

    assert asyncio.run(run()) is None and reads.loads == 0


def test_tracker_sql_runs_off_the_event_loop(tmp_path: Path, domain: Domain) -> None:
    path = tmp_path / "tracker.db"
    store = SafeSQLTrackerStore(db=str(path), domain=domain)
    save(store, domain, "rest:slow", UserUttered("hi"))
    blocker = sqlite3.connect(path, isolation_level=None)
    try:

        async def run() -> bool:
            blocker.execute("BEGIN EXCLUSIVE")
            loading = asyncio.create_task(store.retrieve("rest:slow"))
            # The load waits for the lock; the loop still runs this coroutine.
            await asyncio.sleep(0.2)
            waiting = not loading.done()
            blocker.execute("ROLLBACK")
            tracker = await loading
            return waiting and tracker is not None

        assert asyncio.run(run())
    finally:
        blocker.close()
        store.engine.dispose()


# ------------------------------------------------------------- rasa_speedups


def test_action_responses_are_still_validated() -> None:
    rasa_speedups.install()
    action = RemoteAction("action_x", None)
    assert action._validate_action_result({"events": [], "responses": []})
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list"})


def test_event_types_resolve_as_rasa_resolves_them() -> None:
    rasa_speedups.install()
    for cls in all_subclasses(Event):
        assert Event.resolve_by_type(cls.type_name) is not None
        assert Event.resolve_by_type(cls.type_name).type_name == cls.type_name
    assert Event.resolve_by_type("no_such_event", rasa_events.UserUttered) is rasa_events.UserUttered
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
