"""Lifting a pause no agent has taken up (tactful.channels.resume): real Rasa trackers in a
real SQLite tracker store, a real demo shop database and a real local helpdesk receiver."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from actions.assistance import ActionHumanHandoff
from tactful import wiring
from tactful.channels import conversations, resume
from tactful.channels.conversations import conversation_of, state_of
from tactful.channels.tracker_store import SafeSQLTrackerStore
from tactful.handoff.service import HandoffInfo
from tactful.services.clock import utcnow
from tests.actions.conftest import SECRET, make_tracker, run_action
from tests.support.helpdesk import HelpdeskReceiver
from tests.support.roots import rebuild_root

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain.yml"))


@pytest.fixture
def agent(
    handoff_env: str, domain: Domain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Agent]:
    """The Rasa agent the channels see, over a real SQLite tracker store."""
    monkeypatch.setenv("TACTFUL_JWT_SECRET", SECRET)
    rebuild_root()
    store = SafeSQLTrackerStore(db=str(tmp_path / "tracker.db"), domain=domain)
    running = Agent(domain=domain, tracker_store=store)
    monkeypatch.setattr(conversations, "current_agent", lambda: running)
    try:
        yield running
    finally:
        store.engine.dispose()


@dataclass
class Paused:
    sender: str
    conversation_id: str
    paused_at: float


def hand_over(agent: Agent, domain: Domain, sender: str) -> Paused:
    """Ask for a person through the real action, and store the conversation Rasa would have."""
    started = float(int(time.time()) - 30)
    sdk_tracker = make_tracker(
        "a person please", "human_handoff", "C001", sender=sender, session_start=started
    )
    _, events = run_action(ActionHumanHandoff(), sdk_tracker)
    assert any(event.get("event") == "pause" for event in events)
    paused_at = time.time()
    tracker = DialogueStateTracker.from_events(
        sender,
        [
            ActionExecuted("action_session_start", timestamp=started),
            SessionStarted(timestamp=started),
            ActionExecuted("action_listen", timestamp=started),
            UserUttered("a person please", {"name": "human_handoff", "confidence": 0.99}),
            ActionExecuted("action_human_handoff"),
            SlotSet("handoff_state", "active"),
            ConversationPaused(timestamp=paused_at),
        ],
        domain.slots,
    )
    asyncio.run(agent.tracker_store.save(tracker))
    return Paused(sender, conversation_of(tracker), paused_at)


def say(agent: Agent, sender: str, text: str, now: float | None = None) -> tuple[bool, list[str]]:
    """One paused message through the hook; (lifted, texts the customer got)."""

    async def run() -> tuple[bool, list[str]]:
        tracker = await agent.tracker_store.retrieve(sender)
        assert tracker is not None
        output = CollectingOutputChannel()
        message = UserMessage(text, output, sender, input_channel="rest")
        lifted = await resume.lift_pause(message, state_of(tracker, paused=True), now=now)
        return lifted, [m.get("text", "") for m in output.messages]

    return asyncio.run(run())


def tracker_of(agent: Agent, sender: str) -> DialogueStateTracker:
    tracker = asyncio.run(agent.tracker_store.retrieve(sender))
    assert tracker is not None
    return tracker


def handoff_of(conversation_id: str) -> HandoffInfo:
    info = wiring.handoff_service().find(conversation_id)
    assert info is not None
    return info


def assert_resumed(agent: Agent, sender: str, notice: str) -> None:
    tracker = tracker_of(agent, sender)
    assert not tracker.is_paused()
    assert tracker.get_slot("handoff_state") == "returned"
    tail: list[Any] = list(tracker.events)[-4:]
    assert isinstance(tail[0], ConversationResumed)
    assert isinstance(tail[2], BotUttered) and tail[2].text == notice
    assert isinstance(tail[3], ActionExecuted) and tail[3].action_name == "action_listen"


def test_never_mind_before_an_agent_answers_brings_the_bot_back(
    agent: Agent, domain: Domain, receiver: HelpdeskReceiver
) -> None:
    chat = hand_over(agent, domain, "rest:resume-asked")
    assert handoff_of(chat.conversation_id).status == "active"  # the helpdesk has it
    lifted, texts = say(agent, chat.sender, "Never mind, thanks!")
    assert lifted and texts == [resume.ASKED]
    assert_resumed(agent, chat.sender, resume.ASKED)
    assert handoff_of(chat.conversation_id).status == "closed"
    # The team reads the customer's own words on the ticket they already have.
    (forwarded,) = receiver.of_type("handoff.message", chat.conversation_id)
    assert forwarded["message"]["text"] == "Never mind, thanks!"


def test_after_an_agent_answered_never_mind_goes_to_the_agent(agent: Agent, domain: Domain) -> None:
    chat = hand_over(agent, domain, "rest:resume-agent")
    asyncio.run(
        conversations.append_events(
            agent, chat.sender, [BotUttered("Hi, Sam here.", metadata={"source": "agent"})]
        )
    )
    assert say(agent, chat.sender, "never mind") == (False, [])
    assert tracker_of(agent, chat.sender).is_paused()
    assert handoff_of(chat.conversation_id).is_open


def test_other_messages_stay_with_the_helpdesk(agent: Agent, domain: Domain) -> None:
    chat = hand_over(agent, domain, "rest:resume-other")
    for text in ("is anyone there?", "/restart", "never mind the bag, I still want a person", "ok"):
        assert say(agent, chat.sender, text) == (False, []), text
    assert tracker_of(agent, chat.sender).is_paused()


def test_continue_with_the_bot_while_the_helpdesk_is_down(
    agent: Agent, domain: Domain, receiver: HelpdeskReceiver
) -> None:
    receiver.mode = "fail"
    chat = hand_over(agent, domain, "rest:resume-down")
    assert handoff_of(chat.conversation_id).status == "pending"
    lifted, texts = say(agent, chat.sender, "I'll continue with the bot")
    assert lifted and texts == [resume.ASKED]
    assert handoff_of(chat.conversation_id).status == "closed"
    # Withdrawn before it ever arrived: the helpdesk never hears of it, retries included.
    receiver.mode = "ok"
    wiring.handoff_service().retry_pending(utcnow(), limit=50)
    assert receiver.of_type("handoff.created", chat.conversation_id) == []


def test_a_helpdesk_still_down_after_the_retries_hands_the_chat_back(
    agent: Agent, domain: Domain, receiver: HelpdeskReceiver
) -> None:
    receiver.mode = "fail"
    chat = hand_over(agent, domain, "rest:resume-gave-up")
    # Within the retry window the message waits for the team as before.
    assert say(agent, chat.sender, "any news?", now=chat.paused_at + 10) == (False, [])
    later = chat.paused_at + resume.GIVE_UP_AFTER_SECONDS + 1
    lifted, texts = say(agent, chat.sender, "where is my order?", now=later)
    assert lifted and len(texts) == 1
    assert "can't be reached" in texts[0] and "support@example.com" in texts[0]
    assert_resumed(agent, chat.sender, texts[0])
    assert handoff_of(chat.conversation_id).status == "closed"


def test_a_pause_without_an_open_handoff_is_lifted(agent: Agent, domain: Domain) -> None:
    chat = hand_over(agent, domain, "rest:resume-orphan")
    wiring.handoff_service().close(handoff_of(chat.conversation_id).id, utcnow())
    lifted, texts = say(agent, chat.sender, "hello?")
    assert lifted and "support@example.com" in texts[0]
    assert not tracker_of(agent, chat.sender).is_paused()


def test_an_unreadable_handoff_keeps_the_pause(
    agent: Agent, domain: Domain, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    chat = hand_over(agent, domain, "rest:resume-no-store")
    monkeypatch.setenv("TACTFUL_SHOP_DB_URL", f"sqlite:///{tmp_path}/missing/never.db")
    rebuild_root()
    assert say(agent, chat.sender, "never mind") == (False, [])
    assert tracker_of(agent, chat.sender).is_paused()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("never mind", True),
        ("Nevermind.", True),
        ("ok, never mind then", True),
        ("It\u2019s ok, forget it", True),
        ("continue with the bot", True),
        ("I'll stay with the bot please", True),
        ("back to the bot", True),
        ("I don't need a person any more", True),
        ("cancel the request", True),
        ("never mind the card, where is my order?", False),
        ("forget it, just get me a person", False),
        ("continue", False),
        ("/restart", False),
        ("thanks", False),
    ],
)
def test_the_phrases_that_ask_for_the_bot(text: str, expected: bool) -> None:
    assert resume.wants_the_bot(text) is expected
