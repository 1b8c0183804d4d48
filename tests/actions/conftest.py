"""Action tests: real rasa_sdk Tracker objects, real shop database (demo data)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from tactful.identity import issue_token
from tests.support.policies import DEMO_HOLDOUT, write_policy
from tests.support.roots import fresh_root

SECRET = "action-test-secret-0123456789abcdef"


@pytest.fixture
def shop(demo_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the action runtime at a fresh demo database and the demo offer rules
    (tests/support/policies.py), with the demo holdout: C007 is held out."""
    monkeypatch.setenv("TACTFUL_SHOP_DB_URL", demo_db_url)
    monkeypatch.setenv("TACTFUL_JWT_SECRET", SECRET)
    policy = write_policy(tmp_path / "policy.yml", holdout=DEMO_HOLDOUT)
    monkeypatch.setenv("TACTFUL_POLICY_FILE", str(policy))
    with fresh_root():
        yield demo_db_url


def token(customer_id: str) -> str:
    return issue_token(customer_id, SECRET)


def make_tracker(
    text: str,
    intent: str,
    customer: str | None = None,
    slots: dict[str, Any] | None = None,
    earlier_user_turns: int = 1,
    sender: str = "tester",
    channel: str = "rest",
    session_start: float | None = None,
) -> Tracker:
    """A tracker as Rasa sends it: a session start, earlier turns, then this message."""
    metadata = {"customer_token": token(customer)} if customer else {}
    started = session_start if session_start is not None else time.time()
    events: list[dict[str, Any]] = [
        {"event": "action", "name": "action_session_start", "timestamp": started},
        {"event": "session_started", "timestamp": started},
        {"event": "action", "name": "action_listen", "timestamp": started},
    ]
    for _ in range(earlier_user_turns):
        events.append(
            {
                "event": "user",
                "text": "hello",
                "parse_data": {"intent": {"name": "greet", "confidence": 1.0}},
                "input_channel": channel,
                "metadata": metadata,
            }
        )
        events.append({"event": "action", "name": "action_smalltalk"})
        events.append({"event": "action", "name": "action_listen"})
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": [],
        "metadata": metadata,
    }
    events.append(
        {"event": "user", "text": text, "parse_data": latest, "input_channel": channel, "metadata": metadata}
    )
    return Tracker(sender, slots or {}, latest, events, False, None, {}, "action_listen")


def run_action(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run one action; return (messages sent, events returned)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def said(messages: list[dict[str, Any]]) -> str:
    return "\n".join(
        message.get("text") or (message.get("custom") or {}).get("text", "") for message in messages
    )


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}
