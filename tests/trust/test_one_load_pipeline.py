"""One tracker load per message, through the real pipeline and Rasa Agent (docs/architecture.md).

The trained model runs in a real Rasa Agent; the SQL that reads a conversation is counted.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.core.brokers.sql import SQLEventBroker
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import InMemoryLockStore
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

from tactful.channels import conversations, rasa_speedups
from tactful.channels.gate import ConversationGate
from tactful.channels.pipeline import MessagePipeline
from tactful.channels.tracker_store import SafeSQLTrackerStore
from tactful.ratelimit import AsyncMemoryCounter
from tactful.settings import load_settings
from tests.trust.conftest import FakeClock
from tests.trust.one_load_support import Reads, identity

REPO_ROOT = Path(__file__).resolve().parents[2]
MODEL = REPO_ROOT / "models" / "tactful.tar.gz"


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
    metadata = identity(customer) if customer else {}
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


def test_a_refused_message_reads_no_events_and_reaches_no_bot(
    agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline = _pipeline(agent, monkeypatch)
    _send(pipeline, "rest:mine", "hello", "C1")
    before = _events(agent, "rest:mine")
    reads = Reads(_real(agent).engine)
    assert _send(pipeline, "rest:mine", "hello", "C2") == ("other_customer", [])
    assert _send(pipeline, "rest:mine", "hello", None) == ("signed_out", [])
    # The stored owner turned both away before the lock: the conversation was never loaded.
    assert reads.loads == 0
    assert _events(agent, "rest:mine") == before


def test_a_paused_conversation_stores_the_message_without_the_bot(
    agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pipeline(agent, monkeypatch)
    store = _real(agent)
    events = [
        ActionExecuted("action_listen"),
        UserUttered("agent please", metadata=identity("C1")),
        ConversationPaused(),
    ]
    # The conversation's first message went through the gate (its owner row exists).
    asyncio.run(store.load_for_message("rest:paused", "C1"))
    asyncio.run(store.save(DialogueStateTracker.from_events("rest:paused", events, agent.domain.slots)))
    gate = ConversationGate(AsyncMemoryCounter(FakeClock(1_700_000_040.0)), load_settings({}).limits)
    reads = Reads(store.engine)
    message = UserMessage("are you there?", CollectingOutputChannel(), "rest:paused", metadata=identity("C1"))
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


def _parse(text: str, intent: str, other: str) -> dict[str, Any]:
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [],
        "intent_ranking": [{"name": intent, "confidence": 0.9}, {"name": other, "confidence": 0.1}],
        "text_tokens": [[0, len(text)]],
    }


HI_PARSE = _parse("hi", "greet", "goodbye")
ORDER_PARSE = _parse("where is my order?", "order_status", "greet")


def test_an_action_call_carries_the_events_actions_read(domain: Domain) -> None:
    rasa_speedups.install()
    events: list[Event] = [
        ActionExecuted("action_session_start", timestamp=1.0),
        SessionStarted(timestamp=1.0),
        ActionExecuted("action_listen", timestamp=1.1),
        UserUttered("hi", parse_data=HI_PARSE, metadata=identity("C1"), timestamp=1.2),
        ActionExecuted("utter_greet", timestamp=1.3),
        BotUttered("Hello!", timestamp=1.3),
        ActionExecuted("action_listen", timestamp=1.4),
        UserUttered("where is my order?", parse_data=ORDER_PARSE, timestamp=1.5),
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
    # An earlier message keeps what actions read (its text, intent and
    # metadata) and loses what only the NLU needed; the latest is whole.
    earlier, latest = (event for event in call["tracker"]["events"] if event["event"] == "user")
    assert earlier["metadata"] == identity("C1")
    assert earlier["parse_data"] == {"intent": {"name": "greet", "confidence": 0.9}, "entities": []}
    assert latest["parse_data"]["intent_ranking"] == ORDER_PARSE["intent_ranking"]
    assert latest["parse_data"]["text_tokens"] == [[0, 18]]
    # The state around the events is Rasa's own.
    assert call["tracker"]["slots"]["last_topic"] == "orders"
    assert call["tracker"]["latest_message"]["text"] == "where is my order?"
    assert call["tracker"]["latest_message"]["metadata"] == {}
