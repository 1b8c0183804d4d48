"""The linking actions with real rasa_sdk Trackers against a real demo database."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import linking
from actions.turn import read_turn
from tactful.linking.service import REQUESTS_PER_CHAT, TRIES_PER_ACCOUNT
from tactful.ratelimit import MemoryCounter
from tests.support.policies import DEMO_HOLDOUT, write_policy
from tests.support.roots import fresh_root, rebuild_root
from tests.support.servers import free_port


@pytest.fixture
def outbox(demo_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "outbox.jsonl"
    monkeypatch.setenv("TACTFUL_SHOP_DB_URL", demo_db_url)
    monkeypatch.setenv("TACTFUL_JWT_SECRET", "linking-action-test-secret")
    monkeypatch.setenv(
        "TACTFUL_POLICY_FILE", str(write_policy(tmp_path / "policy.yml", holdout=DEMO_HOLDOUT))
    )
    monkeypatch.setenv("TACTFUL_LINK_OUTBOX", str(path))
    monkeypatch.delenv("TACTFUL_LINK_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("TACTFUL_LINK_DELIVERY", raising=False)
    monkeypatch.delenv("TACTFUL_REDIS_URL", raising=False)
    with fresh_root():
        yield path


def tracker(
    text: str, intent: str, sender: str, channel: str = "telegram", slots: dict[str, Any] | None = None
) -> Tracker:
    now = time.time()
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": [], "metadata": {}}
    events: list[dict[str, Any]] = [
        {"event": "action", "name": "action_session_start", "timestamp": now},
        {"event": "session_started", "timestamp": now},
        {"event": "action", "name": "action_listen", "timestamp": now},
        {"event": "user", "text": text, "parse_data": latest, "input_channel": channel, "metadata": {}},
    ]
    return Tracker(sender, slots or {}, latest, events, False, None, {}, "action_listen")


def run(
    action: Any, text: str, intent: str, sender: str, channel: str = "telegram", slots: dict | None = None
) -> tuple[list[str], list]:
    async def go() -> tuple[list[str], list]:
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, tracker(text, intent, sender, channel, slots), {})
        # Deliveries run after the reply; wait for them inside this loop.
        await asyncio.gather(*list(linking._deliveries))
        return [message.get("text") for message in dispatcher.messages], events

    return asyncio.run(go())


def sent_codes(outbox: Path) -> list[tuple[str, str]]:
    if not outbox.exists():
        return []
    return [(line["to"], line["code"]) for line in map(json.loads, outbox.read_text().splitlines())]


def test_a_messaging_user_links_their_account(outbox: Path) -> None:
    texts, _ = run(linking.ActionLinkAccount(), "link my account", "link_account", "7001")
    assert texts == [linking.ASK_EMAIL]
    texts, _ = run(linking.ActionLinkEmail(), "it's alice@example.com", "give_email", "7001")
    assert texts == [linking.CODE_SENT]
    [(to, code)] = sent_codes(outbox)
    assert to == "alice@example.com"
    texts, events = run(
        linking.ActionLinkCode(), f"the code is {code[:3]} {code[3:]}", "give_link_code", "7001"
    )
    assert texts == [linking.LINKED]
    assert {"event": "slot", "name": "customer_id", "value": "C001", "timestamp": None} in events
    turn = asyncio.run(read_turn(tracker("where is my order", "order_status", "7001")))
    assert turn.customer_id == "C001"
    # The same sender id on another channel is someone else.
    assert asyncio.run(read_turn(tracker("hi", "greet", "7001", channel="twilio"))).customer_id is None


def test_the_reply_to_an_unknown_email_is_identical(outbox: Path) -> None:
    known, _ = run(linking.ActionLinkEmail(), "bob@example.com", "give_email", "7002")
    unknown, _ = run(linking.ActionLinkEmail(), "nobody-here@example.com", "give_email", "7003")
    assert known == unknown == [linking.CODE_SENT]
    assert [to for to, _ in sent_codes(outbox)] == ["bob@example.com"]


def test_wrong_codes_count_down_then_lock(outbox: Path) -> None:
    run(linking.ActionLinkEmail(), "carol@example.com", "give_email", "7004")
    [(_, code)] = sent_codes(outbox)
    wrong = "000000" if code != "000000" else "111111"
    replies = [run(linking.ActionLinkCode(), wrong, "give_link_code", "7004")[0][0] for _ in range(5)]
    assert replies[:4] == [
        linking.WRONG.format(tries=n, noun="tries" if n > 1 else "try") for n in (4, 3, 2, 1)
    ]
    assert replies[4] == linking.LOCKED
    assert run(linking.ActionLinkCode(), code, "give_link_code", "7004")[0] == [linking.LOCKED]
    assert run(linking.ActionLinkEmail(), "carol@example.com", "give_email", "7004")[0] == [linking.WAIT]


def test_linking_is_refused_on_the_website(outbox: Path) -> None:
    for action, text, intent in (
        (linking.ActionLinkAccount(), "link my account", "link_account"),
        (linking.ActionLinkEmail(), "alice@example.com", "give_email"),
        (linking.ActionLinkCode(), "123456", "give_link_code"),
    ):
        assert run(action, text, intent, "web-1", channel="socketio")[0] == [linking.ON_THE_WEBSITE]
    assert sent_codes(outbox) == []


def test_unclear_input_gets_a_hint(outbox: Path) -> None:
    assert run(linking.ActionLinkEmail(), "my email is alice at example", "give_email", "7005")[0] == [
        linking.NO_EMAIL
    ]
    assert run(linking.ActionLinkCode(), "12345", "give_link_code", "7005")[0] == [linking.NO_CODE]
    assert run(linking.ActionLinkCode(), "536365", "give_link_code", "7005")[0] == [
        linking.NOTHING_PENDING + linking.MAYBE_AN_ORDER.format(number="536365")
    ]


def test_find_email_and_code() -> None:
    assert (
        linking.find_email("sure: Ann.O'Neil+shop@mail.example.co.uk, thanks")
        == "Ann.O'Neil+shop@mail.example.co.uk"
    )
    assert linking.find_email("no email here @ all") is None
    assert linking.find_code("code 123-456 please") == "123456"
    assert linking.find_code("1234567") is None


def test_a_bare_number_answers_a_numbered_question_instead(outbox: Path) -> None:
    # The NLU files "2" under give_link_code; on SMS it picks option 2 of the question asked.
    question = {"pending_question": {"kind": "cancel_order", "order_id": "A1"}}
    texts, _ = run(linking.ActionLinkCode(), "2", "give_link_code", "+447700900555", "twilio", question)
    assert texts == ["Okay, order A1 stays as it is."]


def test_guessing_from_many_chats_pauses_the_account(outbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A fixed counter clock: the hour's window must not turn over mid-test.
    root = rebuild_root()
    root.counter = MemoryCounter(lambda: 1_800_000_000.0)
    for sender in ("7101", "7102", "7103"):
        assert run(linking.ActionLinkEmail(), "dan@example.com", "give_email", sender)[0] == [
            linking.CODE_SENT
        ]
    codes = [code for _, code in sent_codes(outbox)]
    wrong = next(g for g in ("000000", "111111", "222222") if g not in codes)
    for n in range(TRIES_PER_ACCOUNT):
        [reply], _ = run(linking.ActionLinkCode(), wrong, "give_link_code", ("7101", "7102", "7103")[n % 3])
        assert reply.startswith("That code doesn't match")
    assert run(linking.ActionLinkCode(), codes[2], "give_link_code", "7103")[0] == [linking.PAUSED]
    assert run(linking.ActionLinkEmail(), "dan@example.com", "give_email", "7104")[0] == [linking.PAUSED]
    assert "wait" in linking.PAUSED and "again" in linking.PAUSED


def test_a_chat_asking_for_too_many_codes_is_told_to_wait(outbox: Path) -> None:
    replies = [
        run(linking.ActionLinkEmail(), f"user{n}@example.com", "give_email", "7201")[0][0]
        for n in range(REQUESTS_PER_CHAT + 1)
    ]
    assert replies == [linking.CODE_SENT] * REQUESTS_PER_CHAT + [linking.TOO_MANY_REQUESTS]


def test_linking_is_unavailable_while_redis_is_down(outbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(linking.ActionLinkEmail(), "alice@example.com", "give_email", "7301")
    [(_, code)] = sent_codes(outbox)
    monkeypatch.setenv("TACTFUL_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    rebuild_root()
    assert run(linking.ActionLinkEmail(), "bob@example.com", "give_email", "7302")[0] == [linking.UNAVAILABLE]
    # Not even the right code: without counters, guesses could not be limited.
    assert run(linking.ActionLinkCode(), code, "give_link_code", "7301")[0] == [linking.UNAVAILABLE]
    assert len(sent_codes(outbox)) == 1


def test_linking_is_unavailable_without_a_secret(outbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TACTFUL_LINK_SECRET", raising=False)
    monkeypatch.delenv("TACTFUL_JWT_SECRET", raising=False)
    rebuild_root()
    assert run(linking.ActionLinkEmail(), "alice@example.com", "give_email", "7401")[0] == [
        linking.UNAVAILABLE
    ]
    assert run(linking.ActionLinkCode(), "123456", "give_link_code", "7401")[0] == [linking.UNAVAILABLE]
    assert sent_codes(outbox) == []
