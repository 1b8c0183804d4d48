"""Handoff actions with real rasa_sdk Trackers, a real demo database and a real receiver."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker
from sqlalchemy import select

from actions.assistance import ActionFallback, ActionFrustrated, ActionHumanHandoff
from actions.turn import read_turn
from tactful.channels.conversations import conversation_of
from tactful.store.models import Handoff
from tactful.store.unit_of_work import uow_for
from tests.actions.conftest import SECRET, make_tracker, run_action, said, slot_events
from tests.support.helpdesk import HelpdeskReceiver
from tests.support.roots import rebuild_root


@pytest.fixture
def actions_env(handoff_env: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TACTFUL_JWT_SECRET", SECRET)
    rebuild_root()
    return handoff_env


def handoffs_in(db_url: str) -> list[Handoff]:
    with uow_for(db_url) as work:
        return list(work.session.scalars(select(Handoff).order_by(Handoff.id)))


def paused(events: list[dict[str, Any]]) -> bool:
    return any(event.get("event") == "pause" for event in events)


def with_earlier_fallback(tracker: Tracker) -> Tracker:
    """The same tracker with one more misunderstood message just before the latest."""
    fallback = {
        "event": "user",
        "text": "blorp",
        "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.2}},
        "input_channel": "rest",
        "metadata": tracker.latest_message.get("metadata") or {},
    }
    events = list(tracker.events)
    events[-1:-1] = [
        fallback,
        {"event": "action", "name": "action_fallback"},
        {"event": "action", "name": "action_listen"},
    ]
    return Tracker(
        tracker.sender_id, tracker.slots, tracker.latest_message, events, False, None, {}, "action_listen"
    )


def test_asking_for_a_person_sends_the_summary_and_pauses(
    actions_env: str, receiver: HelpdeskReceiver
) -> None:
    tracker = make_tracker("can I talk to a human", "human_handoff", "C001", sender="web-a")
    messages, events = run_action(ActionHumanHandoff(), tracker)
    assert "passing you to a person" in said(messages)
    assert slot_events(events)["handoff_state"] == "active"
    assert paused(events)
    (event,) = receiver.of_type("handoff.created")
    summary = event["summary"]
    assert event["conversation_id"].startswith("web-a:")
    assert summary["customer"]["id"] == "C001"
    assert summary["reason"] == "requested"
    assert summary["last_messages"][-1] == {"from": "customer", "text": "can I talk to a human", "at": None}
    assert summary["advice"]["offer"]["offer_id"] == "camera-memory-card"


def test_helpdesk_down_tells_the_customer_how_to_reach_support_and_still_pauses(
    actions_env: str, receiver: HelpdeskReceiver
) -> None:
    receiver.mode = "fail"
    messages, events = run_action(
        ActionHumanHandoff(), make_tracker("a person please", "human_handoff", "C001")
    )
    assert "isn't answering right now" in said(messages)
    assert "support@example.com" in said(messages)
    assert paused(events)
    (handoff,) = handoffs_in(actions_env)
    assert (handoff.status, handoff.attempts) == ("pending", 1)
    assert "500" in handoff.last_error


def test_no_store_means_no_pause_but_the_customer_learns_how_to_get_help(
    actions_env: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("TACTFUL_SHOP_DB_URL", f"sqlite:///{tmp_path}/missing/never.db")
    rebuild_root()
    messages, events = run_action(
        ActionHumanHandoff(), make_tracker("a person please", "human_handoff", "C001")
    )
    assert "couldn't pass you to a person" in said(messages)
    assert "support@example.com" in said(messages)
    assert not paused(events)
    assert slot_events(events)["handoff_state"] == "requested"


def test_one_fallback_rephrases_two_in_a_row_hand_over(actions_env: str, receiver: HelpdeskReceiver) -> None:
    once = make_tracker("flibber", "nlu_fallback", "C001", earlier_user_turns=1)
    messages, events = run_action(ActionFallback(), once)
    assert "didn't quite get that" in said(messages)
    assert not paused(events) and receiver.events == []
    messages, events = run_action(ActionFallback(), with_earlier_fallback(once))
    assert "still not getting it" in said(messages)
    assert paused(events)
    assert receiver.of_type("handoff.created")[0]["summary"]["reason"] == "fallbacks"


def test_clear_frustration_hands_over_with_do_not_pitch(actions_env: str, receiver: HelpdeskReceiver) -> None:
    messages, events = run_action(ActionFrustrated(), make_tracker("this is useless", "frustrated", "C001"))
    assert "sorry" in said(messages).lower()
    assert paused(events) and slot_events(events)["frustrated"] is True
    summary = receiver.of_type("handoff.created")[0]["summary"]
    assert summary["reason"] == "frustration"
    assert summary["advice"]["do_not_pitch"] is True
    assert "gate:frustrated" in summary["advice"]["reasons"]


def test_actions_and_channels_name_the_conversation_the_same_way(actions_env: str) -> None:
    started = time.time() - 5.5
    sdk_tracker = make_tracker("hi", "greet", sender="web:with:colons", session_start=started)
    rasa_tracker = DialogueStateTracker.from_events(
        "web:with:colons", [SessionStarted(timestamp=started)], Domain.empty().slots
    )
    turn = asyncio.run(read_turn(sdk_tracker))
    assert turn.conversation_id == conversation_of(rasa_tracker)
