"""Handoff end to end: the real Rasa and action servers over REST, a real local
helpdesk receiver that checks every signature, and the signed agent endpoints."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tactful.channels.helpdesk import HANDBACK_NOTICE
from tactful.channels.pause import ACK_DELIVERED
from tests.handoff.conftest import POLICY, SECRET
from tests.support.assistant import Assistant, texts
from tests.support.helpdesk import HelpdeskReceiver, receiving, signed_call, signed_post, staffed_assistant
from tests.support.http import post_json
from tests.support.shop import offer_events

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def receiver() -> Iterator[HelpdeskReceiver]:
    with receiving(SECRET) as running:
        yield running


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, receiver: HelpdeskReceiver) -> Iterator[Assistant]:
    workdir = tmp_path_factory.mktemp("handoff-e2e")
    with staffed_assistant(
        workdir, receiver, SECRET, POLICY, TACTFUL_HELPDESK_RETRY_MAX_SECONDS="1"
    ) as running:
        yield running


def helpdesk(assistant: Assistant, endpoint: str, body: Any, **kwargs: Any) -> tuple[int, Any]:
    return signed_post(f"{assistant.rasa_url}/webhooks/helpdesk/{endpoint}", SECRET, body, **kwargs)


def hand_over(assistant: Assistant, receiver: HelpdeskReceiver, sender: str, customer: str | None) -> dict:
    """Chat once, ask for a person, return the handoff.created event the helpdesk got."""
    assistant.say(sender, "hello", customer)
    reply = texts(assistant.say(sender, "I want to talk to a human", customer))
    assert "passing you to a person" in reply, reply
    return next(
        e
        for e in receiver.wait_for("handoff.created", timeout=15)
        if e["conversation_id"].startswith(f"rest:{sender}:")
    )


def is_paused(assistant: Assistant, sender: str) -> bool:
    return bool(assistant.tracker(sender)["paused"])


def test_person_summary_pause_agent_reply_offer_and_handback(
    assistant: Assistant, receiver: HelpdeskReceiver
) -> None:
    created = hand_over(assistant, receiver, "e2e-alice", "C001")
    conversation = created["conversation_id"]
    summary = created["summary"]
    assert summary["customer"]["id"] == "C001" and summary["customer"]["name"] == "Alice Archer"
    assert summary["reason"] == "requested"
    assert summary["order"]["id"].startswith("D-C001")
    assert [m["text"] for m in summary["last_messages"] if m["from"] == "customer"] == [
        "hello",
        "I want to talk to a human",
    ]
    advice = summary["advice"]
    assert advice["do_not_pitch"] is False and advice["offer"]["offer_id"] == "camera-memory-card"
    assert receiver.rejected == []
    assert is_paused(assistant, "e2e-alice")

    # Each message while paused reaches the helpdesk and gets exactly one acknowledgement;
    # typed payloads arrive as plain text and cannot end the pause.
    typed = ["is anyone there?", "/restart", "/session_start", '/greet{"customer_id":"C002"}']
    for text in typed:
        assert assistant.say("e2e-alice", text, "C001") == [
            {"recipient_id": "rest:e2e-alice", "text": ACK_DELIVERED}
        ]
    forwarded = [e["message"]["text"] for e in receiver.wait_for("handoff.message", conversation, count=4)]
    assert forwarded == ["is anyone there?", "restart", "session_start", 'greet{"customer_id":"C002"}']
    assert is_paused(assistant, "e2e-alice")

    # REST cannot push: the agent's reply comes with the answer to the next message.
    # The same signed call sent again (a captured request replayed) is refused,
    # so the customer reads the reply once.
    data, headers = signed_call(SECRET, {"conversation_id": conversation, "text": "Hi Alice, Sam here."})
    reply_url = f"{assistant.rasa_url}/webhooks/helpdesk/reply"
    status, answer = post_json(reply_url, data, headers, timeout=30)
    assert (status, answer["status"]) == (200, "queued")
    assert post_json(reply_url, data, headers, timeout=30) == (409, {"error": "replayed request"})
    assert texts(assistant.say("e2e-alice", "thanks Sam", "C001")) == f"Hi Alice, Sam here.\n{ACK_DELIVERED}"

    # The agent's offer counts toward the same caps: a second one in this conversation is refused.
    offer = {
        "conversation_id": conversation,
        "offer_id": advice["offer"]["offer_id"],
        "variant_id": advice["offer"]["variant_id"],
    }
    status, answer = helpdesk(assistant, "offer", offer)
    assert status == 201 and answer["offer"]["target_sku"] == "SD-128"
    (impression,) = offer_events(assistant.shop_db_url, "C001", "impression")
    assert (impression.source, impression.conversation_id) == ("agent", conversation)
    status, answer = helpdesk(assistant, "offer", offer)
    assert status == 409 and "cap:conversation" in answer["reasons"]

    status, answer = helpdesk(assistant, "handback", {"conversation_id": conversation})
    assert (status, answer["status"]) == (200, "resumed")
    assert not is_paused(assistant, "e2e-alice")
    reply = assistant.say("e2e-alice", "what is your return policy", "C001")
    assert texts(reply).startswith(HANDBACK_NOTICE)
    assert "30 days" in texts(reply)
    assert not any(message.get("buttons") for message in reply)
    status, _ = helpdesk(assistant, "reply", {"conversation_id": conversation, "text": "late"})
    assert status == 409


def test_no_offer_after_handback_even_when_one_would_fit(
    assistant: Assistant, receiver: HelpdeskReceiver
) -> None:
    created = hand_over(assistant, receiver, "e2e-carol", "C003")
    assert created["summary"]["advice"]["offer"]["target_sku"] == "SD-128"
    assert helpdesk(assistant, "handback", {"conversation_id": created["conversation_id"]})[0] == 200
    reply = assistant.say("e2e-carol", "what is your return policy", "C003")
    assert "30 days" in texts(reply) and not any(m.get("buttons") for m in reply)
    decisions = [
        e
        for e in offer_events(assistant.shop_db_url, "C003", "decision")
        if e.conversation_id == created["conversation_id"]
    ]
    assert decisions and all("gate:handoff" in d.reasons for d in decisions)
    assert not [
        e
        for e in offer_events(assistant.shop_db_url, "C003", "impression")
        if e.conversation_id == created["conversation_id"]
    ]


def test_two_fallbacks_in_a_row_hand_over(assistant: Assistant, receiver: HelpdeskReceiver) -> None:
    assistant.say("e2e-fallback", "hello", "C005")
    first = texts(assistant.say("e2e-fallback", "qzxv wplk jjrt", "C005"))
    assert "didn't quite get that" in first
    second = texts(assistant.say("e2e-fallback", "vvbn qqpo zxcy", "C005"))
    assert "passing you to a person" in second
    created = [
        e
        for e in receiver.wait_for("handoff.created")
        if e["conversation_id"].startswith("rest:e2e-fallback:")
    ]
    assert created[0]["summary"]["reason"] == "fallbacks"
    assert is_paused(assistant, "e2e-fallback")


def test_frustration_hands_over_and_advises_not_to_pitch(
    assistant: Assistant, receiver: HelpdeskReceiver
) -> None:
    assistant.say("e2e-angry", "hello", "C001")
    reply = texts(assistant.say("e2e-angry", "this is useless", "C001"))
    assert "passing you to a person" in reply
    created = [
        e for e in receiver.wait_for("handoff.created") if e["conversation_id"].startswith("rest:e2e-angry:")
    ]
    summary = created[0]["summary"]
    assert summary["reason"] == "frustration"
    assert summary["advice"]["do_not_pitch"] is True
    assert is_paused(assistant, "e2e-angry")


def test_helpdesk_down_customer_told_then_retry_delivers(
    assistant: Assistant, receiver: HelpdeskReceiver
) -> None:
    receiver.mode = "fail"
    try:
        assistant.say("e2e-down", "hello", "C004")
        reply = texts(assistant.say("e2e-down", "get me a real person", "C004"))
        assert "isn't answering right now" in reply and "support@example.com" in reply
        ack = texts(assistant.say("e2e-down", "my parcel is late", "C004"))
        assert "saved" in ack and "support@example.com" in ack
        assert not [
            e
            for e in receiver.of_type("handoff.created")
            if e["conversation_id"].startswith("rest:e2e-down:")
        ]
    finally:
        receiver.mode = "ok"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        mine = [
            r.event
            for r in receiver.events
            if str(r.event.get("conversation_id")).startswith("rest:e2e-down:")
        ]
        if len(mine) >= 2:
            break
        time.sleep(0.2)
    assert [e["type"] for e in mine] == ["handoff.created", "handoff.message"]
    assert mine[0]["summary"]["customer"]["id"] == "C004"
    assert mine[1]["message"]["text"] == "my parcel is late"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("unsigned", 401),
        ("stale", 401),
        ("bad-signature", 403),
        ("other-scheme", 401),
        ("not-json", 400),
        ("no-text", 400),
        ("unknown", 404),
    ],
)
def test_agent_endpoints_refuse_bad_calls(assistant: Assistant, kind: str, expected: int) -> None:
    url = f"{assistant.rasa_url}/webhooks/helpdesk/reply"
    body: Any = {"conversation_id": "nobody:1", "text": "hi"}
    if kind == "unsigned":
        status, _ = signed_post(url, None, body)
    elif kind == "stale":
        status, _ = signed_post(url, SECRET, body, timestamp=time.time() - 600)
    elif kind == "bad-signature":
        status, _ = signed_post(url, SECRET, body, signature="v1=" + "0" * 64)
    elif kind == "other-scheme":
        status, _ = signed_post(url, SECRET, body, signature="sha256=" + "0" * 64)
    elif kind == "not-json":
        status, _ = signed_post(url, SECRET, b"{nope")
    elif kind == "no-text":
        status, _ = signed_post(url, SECRET, {"conversation_id": "nobody:1"})
    else:
        status, _ = signed_post(url, SECRET, body)
    assert status == expected
