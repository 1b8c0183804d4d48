"""Regression tests for the lost-message fault found under load (tactful/channels/store_failures.py).

A turn that could not be stored because PostgreSQL went away mid-turn got a
normal reply, and Rasa kept the turn in process memory only. Now the store's
error fails the message and the customer gets the apology.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from tactful.channels.gate import ConversationGate
from tactful.channels.pipeline import MessagePipeline, apology
from tactful.channels.store_failures import TrackerStoreUnavailable, fail_closed
from tactful.channels.tracker_store import SafeSQLTrackerStore
from tactful.ratelimit import AsyncMemoryCounter
from tactful.settings import load_settings
from tests.support.private_services import PrivatePostgres, private_postgres

pytestmark = pytest.mark.faults


@pytest.fixture(scope="module")
def postgres() -> Iterator[PrivatePostgres]:
    with private_postgres() as server:
        yield server


def _tracker(sender: str, *texts: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, [UserUttered(text) for text in texts])


def test_a_turn_that_cannot_be_stored_fails_and_the_store_recovers(postgres: PrivatePostgres) -> None:
    url = postgres.create_database("store_failures")
    store = SafeSQLTrackerStore(db=url, domain=Domain.empty())
    wrapped = FailSafeTrackerStore(store)
    fail_closed(wrapped)

    async def scenario() -> None:
        await wrapped.save(_tracker("rest:kept", "hello"))
        postgres.stop()
        try:
            # Rasa's wrapper alone would keep this in memory and say nothing.
            with pytest.raises(TrackerStoreUnavailable):
                await wrapped.save(_tracker("rest:kept", "hello", "where is my order?"))
            with pytest.raises(TrackerStoreUnavailable):
                await wrapped.retrieve("rest:kept")
        finally:
            postgres.start()
        # The same store works again without a restart (its dead pooled connections are replaced).
        for _ in range(3):
            try:
                await wrapped.save(_tracker("rest:kept", "hello", "where is my order?"))
                break
            except TrackerStoreUnavailable:
                continue
        tracker = await wrapped.retrieve("rest:kept")
        assert tracker is not None
        assert [event.text for event in tracker.events if isinstance(event, UserUttered)] == [
            "hello",
            "where is my order?",
        ]

    asyncio.run(scenario())


def test_replies_sent_before_the_turn_failed_are_followed_by_the_apology() -> None:
    settings = load_settings({})

    async def answers_then_fails(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "Your order is on its way.")
        raise TrackerStoreUnavailable("the tracker store failed: OperationalError")

    pipeline = MessagePipeline(
        answers_then_fails, ConversationGate(AsyncMemoryCounter(), settings.limits), settings
    )
    output = CollectingOutputChannel()
    asyncio.run(pipeline(UserMessage("where is my order?", output, "rest:apology-after-reply")))
    assert [message["text"] for message in output.messages] == [
        "Your order is on its way.",
        apology(settings),
    ]
