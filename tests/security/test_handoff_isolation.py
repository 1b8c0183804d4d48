"""An agent's reply reaches the handed-off conversation's own customer, on its own
channel, and nobody else: not another customer, not an anonymous caller on the
same REST sender, not a socket that asked for that conversation's id. A signed
helpdesk call cannot be replayed.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tactful.channels.pause import ACK_DELIVERED
from tactful.channels.socketio import SESSION_EXPIRED
from tests.messaging import webhooks as hooks
from tests.messaging.fake_provider import FakeProvider
from tests.security.conftest import HELPDESK_SECRET
from tests.support.assistant import RASA_TOKEN, Assistant, texts
from tests.support.helpdesk import HelpdeskReceiver, signed_call
from tests.support.security import REST_PATH, Widget, post_json, reply_texts, request
from tests.support.shop import order_ids_of

pytestmark = pytest.mark.e2e

HANDED_OVER = "passing you to a person"
RETURNS = "30 days"


def fresh(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def helpdesk_reply(assistant: Assistant, conversation: str, text: str) -> tuple[int, Any]:
    data, headers = signed_call(HELPDESK_SECRET, {"conversation_id": conversation, "text": text})
    return post_json(f"{assistant.rasa_url}/webhooks/helpdesk/reply", data, headers, timeout=30)


def created_for(receiver: HelpdeskReceiver, prefix: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = [e for e in receiver.of_type("handoff.created") if e["conversation_id"].startswith(prefix)]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no handoff.created for {prefix}")


def hand_over_rest(assistant: Assistant, receiver: HelpdeskReceiver, sender: str, customer: str) -> str:
    assistant.say(sender, "hello", customer)
    assert HANDED_OVER in texts(assistant.say(sender, "I want to talk to a human", customer))
    assert assistant.tracker(sender)["paused"]
    return created_for(receiver, f"rest:{sender}:")["conversation_id"]


def test_a_queued_agent_reply_goes_only_to_the_rest_conversations_customer(
    store_assistant: Assistant, helpdesk_receiver: HelpdeskReceiver
) -> None:
    assistant = store_assistant
    sender = fresh("handoff")
    conversation = hand_over_rest(assistant, helpdesk_receiver, sender, "C004")
    order = order_ids_of(assistant.shop_db_url, "C004")[0]
    agent_text = f"Sam from support here: order {order} left our depot today ({uuid.uuid4().hex[:8]})."
    status, answer = helpdesk_reply(assistant, conversation, agent_text)
    assert (status, answer["status"]) == (200, "queued")  # REST cannot be pushed to

    intruders = {
        "other-customer": {"customer_token": assistant.token("C005")},
        "no-token": {},
        "garbage": {"customer_token": "x.y.z"},
        "expired-own": {"customer_token": assistant.token("C004", ttl=-120)},
    }
    for label, metadata in intruders.items():
        for path in (REST_PATH, REST_PATH + "/", REST_PATH + "?x=1"):
            body = {"sender": sender, "message": "any news?", "metadata": metadata}
            reply = request(assistant.rasa_url, "POST", path, body)
            assert reply.status == 403, (label, path, reply)
            assert "belongs to" in reply.json()["error"]
            assert "Sam from support" not in reply.text and order not in reply.text, (label, reply)
    # Refused messages are neither stored nor forwarded to the helpdesk.
    assert helpdesk_receiver.of_type("handoff.message", conversation) == []
    stored = [e["text"] for e in assistant.tracker(sender)["events"] if e.get("event") == "user"]
    assert stored == ["hello", "I want to talk to a human"]

    answer = assistant.say(sender, "any news?", "C004")
    assert [m["text"] for m in answer] == [agent_text, ACK_DELIVERED]
    later = assistant.say(sender, "thanks", "C004")
    assert [m["text"] for m in later] == [ACK_DELIVERED], "the agent's reply is delivered once"
    forwarded = helpdesk_receiver.wait_for("handoff.message", conversation, count=2)
    assert [e["message"]["text"] for e in forwarded] == ["any news?", "thanks"]


TYPED = ["/restart", "/ /restart", "/\t/restart", "// restart", " /session_start", "/ / /restart"]


def test_typed_payloads_cannot_end_a_pause(
    main_assistant: Assistant, helpdesk_receiver: HelpdeskReceiver
) -> None:
    # Regression: "/ /restart" became "/restart" (an intent) after the slashes were stripped.
    assistant = main_assistant
    sender = fresh("paused")
    conversation = hand_over_rest(assistant, helpdesk_receiver, sender, "C002")
    for text in TYPED:
        assert [m["text"] for m in assistant.say(sender, text, "C002")] == [ACK_DELIVERED], text
        assert assistant.tracker(sender)["paused"], text
    forwarded = helpdesk_receiver.wait_for("handoff.message", conversation, count=len(TYPED))
    assert not [e for e in forwarded if e["message"]["text"].lstrip().startswith("/")], forwarded


def test_a_signed_helpdesk_call_sent_twice_is_refused_the_second_time(
    main_assistant: Assistant, helpdesk_receiver: HelpdeskReceiver
) -> None:
    assistant = main_assistant
    sender = fresh("replay")
    conversation = hand_over_rest(assistant, helpdesk_receiver, sender, "C006")
    url = f"{assistant.rasa_url}/webhooks/helpdesk/reply"
    data, headers = signed_call(HELPDESK_SECRET, {"conversation_id": conversation, "text": "One reply."})
    assert post_json(url, data, headers)[0] == 200
    assert post_json(url, data, headers) == (409, {"error": "replayed request"})
    assert post_json(url, data, headers)[0] == 409
    # The same text signed afresh (a new request id) is a new call.
    assert helpdesk_reply(assistant, conversation, "One reply.")[0] == 200
    delivered = [m["text"] for m in assistant.say(sender, "ok", "C006")]
    assert delivered == ["One reply.", "One reply.", ACK_DELIVERED]

    handback = f"{assistant.rasa_url}/webhooks/helpdesk/handback"
    data, headers = signed_call(HELPDESK_SECRET, {"conversation_id": conversation})
    assert post_json(handback, data, headers)[0] == 200
    assert post_json(handback, data, headers) == (409, {"error": "replayed request"})


# -- helpdesk calls with values no store can hold ----------------------------------------------

UNSTORABLE_IDS = {
    "surrogate": "\ud800",
    "surrogate-in-key": "rest:alice\udfff:1",
    "nul": "a\u0000b",
    "nul-in-key": "rest:a\u0000b:1",
}


def _unstorable_cases() -> Iterator[Any]:
    for store in ("sqlite", "postgresql"):
        for label, conversation in UNSTORABLE_IDS.items():
            yield pytest.param(store, conversation, id=f"{store}-{label}")


@pytest.mark.parametrize("endpoint", ["reply", "handback", "offer"])
@pytest.mark.parametrize(("store", "conversation"), _unstorable_cases())
def test_signed_helpdesk_calls_for_an_unstorable_conversation_id_get_404(
    request: pytest.FixtureRequest, store: str, conversation: str, endpoint: str
) -> None:
    assistant: Assistant = request.getfixturevalue(f"{'main' if store == 'sqlite' else 'pg'}_assistant")
    body = {
        "conversation_id": conversation,
        "text": "hi",
        "offer_id": "camera-memory-card",
        "variant_id": "plain",
    }
    data, headers = signed_call(HELPDESK_SECRET, body)
    status, answer = post_json(f"{assistant.rasa_url}/webhooks/helpdesk/{endpoint}", data, headers)
    assert (status, answer) == (404, {"error": "no handoff for this conversation"})


def test_signed_helpdesk_calls_with_unstorable_ids_never_stop_the_assistant(
    store_assistant: Assistant,
) -> None:
    for conversation in UNSTORABLE_IDS.values():
        for endpoint in ("reply", "handback", "offer"):
            data, headers = signed_call(HELPDESK_SECRET, {"conversation_id": conversation, "text": "hi"})
            post_json(f"{store_assistant.rasa_url}/webhooks/helpdesk/{endpoint}", data, headers)
    assert RETURNS in texts(store_assistant.say(fresh("after"), "what is your return policy"))


ODD_AGENT_TEXTS = {"nul": "Hello\u0000 from Sam", "surrogate": "Hello from\ud800 Sam"}


def _odd_agent_cases() -> Iterator[Any]:
    for store in ("sqlite", "postgresql"):
        for label, text in ODD_AGENT_TEXTS.items():
            yield pytest.param(store, text, id=f"{store}-{label}")


@pytest.mark.parametrize(("store", "agent_text"), _odd_agent_cases())
def test_an_agent_reply_with_nul_or_a_surrogate_reaches_the_customer(
    request: pytest.FixtureRequest, helpdesk_receiver: HelpdeskReceiver, store: str, agent_text: str
) -> None:
    assistant: Assistant = request.getfixturevalue(f"{'main' if store == 'sqlite' else 'pg'}_assistant")
    sender = fresh("odd-agent")
    conversation = hand_over_rest(assistant, helpdesk_receiver, sender, "C003")
    status, answer = helpdesk_reply(assistant, conversation, agent_text)
    assert status == 200, answer
    delivered = [m["text"] for m in assistant.say(sender, "hi?", "C003")]
    assert len(delivered) == 2 and delivered[1] == ACK_DELIVERED, delivered
    assert delivered[0].startswith("Hello") and delivered[0].endswith("Sam"), delivered
    assert assistant.tracker(sender)["paused"]


# -- socket.io cannot reach other channels' conversations -------------------------------------


def conversation_events(assistant: Assistant, key: str) -> list[dict[str, Any]]:
    quoted = urllib.parse.quote(key, safe=":")
    url = f"{assistant.rasa_url}/conversations/{quoted}/tracker?token={RASA_TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.loads(answer.read())["events"]


def user_texts(assistant: Assistant, key: str) -> list[str]:
    return [e["text"] for e in conversation_events(assistant, key) if e.get("event") == "user"]


def slack_user() -> str:
    return f"U0SEC{hooks.next_id() % 100_000:05d}"


def slack_turn(assistant: Assistant, user: str, text: str, wait: bool = True) -> None:
    """Send one signed Slack DM; wait until Rasa finished the turn (saved, listening)."""
    key = f"slack:{user}"
    users_before = len(user_texts(assistant, key))
    webhook = hooks.slack_message(user, text)
    reply = request(assistant.rasa_url, "POST", webhook.path, webhook.body, webhook.headers)
    assert reply.status == 200, reply
    deadline = time.monotonic() + 30
    while wait and time.monotonic() < deadline:
        events = [e for e in conversation_events(assistant, key) if e.get("event") in ("user", "action")]
        users = sum(1 for e in events if e.get("event") == "user")
        if users > users_before and events[-1].get("name") == "action_listen":
            return
        time.sleep(0.05)
    if wait:
        raise AssertionError(f"Rasa did not finish a Slack turn for {user}")


def test_a_socket_cannot_pick_a_rest_or_slack_conversation(main_assistant: Assistant) -> None:
    assistant = main_assistant
    rest_sender, user = fresh("victim"), slack_user()
    assistant.say(rest_sender, "hello")
    slack_turn(assistant, user, "hello")
    before = (user_texts(assistant, f"rest:{rest_sender}"), user_texts(assistant, f"slack:{user}"))
    wanted = [f"rest:{rest_sender}", rest_sender, f"slack:{user}", user, f"D{user[1:]}"]

    async def flow() -> list[tuple[str, str, str, str]]:
        results = []
        for requested in wanted:
            widget = Widget(assistant.rasa_url)
            try:
                issued = await widget.open({"session_id": requested})
                answer = reply_texts(await widget.say("what is your return policy"))
                stolen = reply_texts(await widget.say("what is your return policy", session_id=requested))
                results.append((requested, str(issued), answer, stolen))
            finally:
                await widget.close()
        return results

    for requested, issued, answer, stolen in asyncio.run(flow()):
        local, _, signature = issued.partition(".")
        assert len(local) == len(signature) == 32 and int(local, 16) >= 0 and int(signature, 16) >= 0
        assert requested not in issued
        assert RETURNS in answer
        assert stolen == SESSION_EXPIRED
        assert user_texts(assistant, f"socketio:{local}") == ["what is your return policy"]
    after = (user_texts(assistant, f"rest:{rest_sender}"), user_texts(assistant, f"slack:{user}"))
    assert after == before == (["hello"], ["hello"])


ODD_SLACK_USERS = ["U0\u0000X", "U0\ud800", "U" + "1" * 200, "U0 X", "U0X\n"]


def test_signed_slack_events_with_odd_users_are_dropped_and_odd_text_is_cleaned(
    main_assistant: Assistant, fake_provider: FakeProvider
) -> None:
    assistant = main_assistant
    log = assistant.workdir / "rasa.log"
    start = log.stat().st_size
    before = len(fake_provider.calls)
    victim = fresh("victim")
    assistant.say(victim, "hello")
    for odd in [*ODD_SLACK_USERS, f"rest:{victim}", f"slack:{victim}"]:
        webhook = hooks.slack_message(odd, "where is my order?", channel="D0ODDCHAN1")
        assert request(assistant.rasa_url, "POST", webhook.path, webhook.body, webhook.headers).status == 200
    user = slack_user()
    slack_turn(assistant, user, "what is your\u0000 return\ud800 policy")
    assert user_texts(assistant, f"slack:{user}") == ["what is your return policy"]
    replies = [c for c in fake_provider.calls[before:] if c.method == "chat.postMessage"]
    assert replies and all(c.recipient == f"D{user[1:]}" for c in replies), replies
    assert any(RETURNS in c.text for c in replies)
    with log.open("rb") as handle:
        handle.seek(start)
        assert b"Traceback" not in handle.read()
    assert user_texts(assistant, f"rest:{victim}") == ["hello"]


def test_during_a_slack_handoff_the_agent_reply_goes_to_slack_never_to_a_socket(
    main_assistant: Assistant, helpdesk_receiver: HelpdeskReceiver, fake_provider: FakeProvider
) -> None:
    assistant = main_assistant
    user = slack_user()
    slack_turn(assistant, user, "hello")
    slack_turn(assistant, user, "I want to talk to a human", wait=False)  # the handoff pauses it
    conversation = created_for(helpdesk_receiver, f"slack:{user}:")["conversation_id"]
    agent_text = f"Agent Kim here ({uuid.uuid4().hex[:8]})."

    async def flow() -> tuple[tuple[int, Any], list[list[Any]]]:
        widgets = [Widget(assistant.rasa_url) for _ in range(3)]
        try:
            for widget, requested in zip(widgets, [user, f"slack:{user}", f"D{user[1:]}"], strict=True):
                await widget.open({"session_id": requested})
            answer = await asyncio.to_thread(helpdesk_reply, assistant, conversation, agent_text)
            heard = [await widget.collect(first_timeout=3) for widget in widgets]
            return answer, heard
        finally:
            for widget in widgets:
                await widget.close()

    (status, answer), heard = asyncio.run(flow())
    assert (status, answer["status"]) == (200, "sent")
    assert heard == [[], [], []], heard
    assert fake_provider.wait_for(
        lambda: any(
            call.method == "chat.postMessage" and agent_text in call.text for call in fake_provider.calls
        ),
        timeout=10,
    )
    delivered = [c for c in fake_provider.calls if agent_text in c.text]
    assert len(delivered) == 1 and delivered[0].recipient in (user, f"D{user[1:]}"), delivered
    assert delivered[0].errors == []
