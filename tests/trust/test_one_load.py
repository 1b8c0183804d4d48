"""One tracker load per message (docs/architecture.md, "One tracker load per message").

Real SQLite and PostgreSQL tracker stores; the pipeline test runs the trained
model in a real Rasa Agent and counts the SQL that reads a conversation.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.core.brokers.sql import SQLEventBroker
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.shared.core import events as rasa_events
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses

from tactful.channels import conversations, owners, rasa_speedups
from tactful.channels.gate import ConversationGate
from tactful.channels.pipeline import MessagePipeline
from tactful.channels.tracker_store import SafeSQLTrackerStore, preloaded
from tactful.identity import VerifiedIdentity, identity_to_metadata
from tactful.ratelimit import AsyncMemoryCounter
from tactful.settings import load_settings
from tests.trust.conftest import FakeClock

REPO_ROOT = Path(__file__).resolve().parents[2]
MODEL = REPO_ROOT / "models" / "tactful.tar.gz"


def _identity(customer: str) -> dict[str, object]:
    return identity_to_metadata(VerifiedIdentity(customer, None, 1_900_000_000))


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain.yml"))


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path, domain: Domain) -> Iterator[SafeSQLTrackerStore]:
    db = (
        str(tmp_path / "tracker.db") if request.param == "sqlite" else request.getfixturevalue("pg_empty_url")
    )
    tracker_store = SafeSQLTrackerStore(db=db, domain=domain)
    try:
        yield tracker_store
    finally:
        tracker_store.engine.dispose()


class Reads:
    """Counts the statements that read a conversation's events (a tracker load)."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.loads = 0
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().startswith("SELECT events."):
            self.loads += 1


def _save(store: SafeSQLTrackerStore, domain: Domain, sender: str, *events: Event) -> None:
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, list(events), domain.slots)))


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
    _save(
        store,
        domain,
        "rest:long",
        SessionStarted(1.0),
        UserUttered("hi", metadata=_identity("C1"), timestamp=1.5),
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
    _save(
        store,
        domain,
        "rest:legacy",
        SessionStarted(1.0),
        UserUttered("anon first", timestamp=1.1),
        UserUttered("signed in", metadata=_identity("C7"), timestamp=1.2),
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


# -------------------------------------------------------- the preloaded tracker


def test_rasa_gets_the_preloaded_tracker_once_without_sql(store: SafeSQLTrackerStore, domain: Domain) -> None:
    _save(store, domain, "rest:pre", UserUttered("stored"))
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
    _save(store, domain, "rest:slow", UserUttered("hi"))
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


# ------------------------------------------------------- the pipeline, end to end


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory, domain: Domain) -> Iterator[Agent]:
    if not MODEL.exists():
        pytest.skip(f"no trained model at {MODEL}")
    store = SafeSQLTrackerStore(db=str(tmp_path_factory.mktemp("one-load") / "tracker.db"), domain=domain)
    loaded = Agent.load(str(MODEL), tracker_store=store, lock_store=InMemoryLockStore())
    try:
        yield loaded
    finally:
        store.engine.dispose()


def _real(agent: Agent) -> SafeSQLTrackerStore:
    store = agent.tracker_store._tracker_store
    assert isinstance(store, SafeSQLTrackerStore)
    return store


def _events(agent: Agent, sender: str) -> int:
    tracker = asyncio.run(_real(agent).retrieve(sender))
    assert tracker is not None
    return len(tracker.events)


def _pipeline(agent: Agent, monkeypatch: pytest.MonkeyPatch) -> MessagePipeline:
    monkeypatch.setattr(conversations, "current_agent", lambda: agent)
    settings = load_settings({})
    limits = dataclasses.replace(settings.limits, messages_per_sender_per_minute=1000)
    gate = ConversationGate(AsyncMemoryCounter(FakeClock(1_700_000_040.0)), limits)
    return MessagePipeline(agent.handle_message, gate, settings)


def _send(pipeline: MessagePipeline, sender: str, text: str, customer: str | None) -> tuple[str, list[Any]]:
    output = CollectingOutputChannel()
    metadata = _identity(customer) if customer else {}
    message = UserMessage(text, output, sender, input_channel="rest", metadata=metadata)
    verdict = asyncio.run(pipeline(message))
    return verdict.kind, output.messages


def test_each_message_reads_its_conversation_once(agent: Agent, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = _pipeline(agent, monkeypatch)
    reads = Reads(_real(agent).engine)
    for expected_loads, text in enumerate(["hello", "hi again", "thanks"], start=1):
        kind, replies = _send(pipeline, "rest:once", text, "C1")
        assert kind == "ok" and replies
        assert reads.loads == expected_loads
    tracker = asyncio.run(_real(agent).retrieve("rest:once"))
    assert tracker is not None
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["hello", "hi again", "thanks"]


def test_a_refused_message_reads_once_and_reaches_no_bot(
    agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline = _pipeline(agent, monkeypatch)
    _send(pipeline, "rest:mine", "hello", "C1")
    before = _events(agent, "rest:mine")
    reads = Reads(_real(agent).engine)
    assert _send(pipeline, "rest:mine", "hello", "C2") == ("other_customer", [])
    assert _send(pipeline, "rest:mine", "hello", None) == ("signed_out", [])
    assert reads.loads == 2
    assert _events(agent, "rest:mine") == before


def test_a_paused_conversation_stores_the_message_without_the_bot(
    agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pipeline(agent, monkeypatch)
    store = _real(agent)
    events = [
        ActionExecuted("action_listen"),
        UserUttered("agent please", metadata=_identity("C1")),
        ConversationPaused(),
    ]
    # The conversation's first message went through the gate (its owner row exists).
    asyncio.run(store.load_for_message("rest:paused", "C1"))
    asyncio.run(store.save(DialogueStateTracker.from_events("rest:paused", events, agent.domain.slots)))
    gate = ConversationGate(AsyncMemoryCounter(FakeClock(1_700_000_040.0)), load_settings({}).limits)
    reads = Reads(store.engine)
    message = UserMessage(
        "are you there?", CollectingOutputChannel(), "rest:paused", metadata=_identity("C1")
    )
    verdict = asyncio.run(gate.admit(agent, message))
    assert verdict.kind == "paused" and verdict.state is not None and verdict.state.paused
    assert reads.loads == 1
    tracker = asyncio.run(store.retrieve("rest:paused"))
    assert tracker is not None and tracker.is_paused()
    assert tracker.latest_message.text == "are you there?"
    assert not [
        e for e in tracker.events if isinstance(e, ActionExecuted) and e.action_name != "action_listen"
    ]


def test_an_event_broker_gets_the_stored_events_without_another_load(tmp_path: Path, domain: Domain) -> None:
    broker = SQLEventBroker(db=str(tmp_path / "broker.db"))
    store = SafeSQLTrackerStore(db=str(tmp_path / "tracker.db"), domain=domain, event_broker=broker)
    reads = Reads(store.engine)
    try:
        tracker = DialogueStateTracker.from_events("rest:pub", [UserUttered("one")], domain.slots)
        asyncio.run(store.save(tracker))
        tracker.update(UserUttered("two"))
        tracker.update(ActionExecuted("utter_greet"))
        asyncio.run(store.save(tracker))
    finally:
        store.engine.dispose()
    with broker.engine.connect() as connection:
        published = [json.loads(data) for (data,) in connection.execute(sa.text("SELECT data FROM events"))]
    assert [(event["sender_id"], event["event"]) for event in published] == [
        ("rest:pub", "user"),
        ("rest:pub", "user"),
        ("rest:pub", "action"),
    ]
    assert reads.loads == 0


def test_an_action_call_carries_the_events_actions_read(domain: Domain) -> None:
    rasa_speedups.install()
    events: list[Event] = [
        ActionExecuted("action_session_start", timestamp=1.0),
        SessionStarted(timestamp=1.0),
        ActionExecuted("action_listen", timestamp=1.1),
        UserUttered("hi", metadata=_identity("C1"), timestamp=1.2),
        ActionExecuted("utter_greet", timestamp=1.3),
        BotUttered("Hello!", timestamp=1.3),
        ActionExecuted("action_listen", timestamp=1.4),
        UserUttered("where is my order?", timestamp=1.5),
        SlotSet("last_topic", "orders", timestamp=1.6),
    ]
    tracker = DialogueStateTracker.from_events("rest:call", events, domain.slots)
    call = RemoteAction("action_order_status", None)._action_call_format(tracker, domain)
    sent = [(event["event"], event.get("text") or event.get("name")) for event in call["tracker"]["events"]]
    assert sent == [
        ("session_started", None),
        ("user", "hi"),
        ("bot", "Hello!"),
        ("user", "where is my order?"),
        ("slot", "last_topic"),
    ]
    # The state around the events is Rasa's own.
    assert call["tracker"]["slots"]["last_topic"] == "orders"
    assert call["tracker"]["latest_message"]["text"] == "where is my order?"
    assert call["tracker"]["latest_message"]["metadata"] == {}
