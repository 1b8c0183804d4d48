"""The validating socket.io channel against the real Rasa server (python-socketio client).

Malformed input gets a clear reply or silence, never a server error, and the
server keeps answering afterwards.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from tactful.channels.socketio import SESSION_EXPIRED, UNREADABLE
from tests.browser.conftest import WidgetStack
from tests.browser.widget_client import SIGN_IN, WidgetClient, no_channel_errors, run, texts
from tests.support.shop import order_ids_of

pytestmark = pytest.mark.e2e


def test_a_signed_in_customer_gets_their_order(widget_stack: WidgetStack) -> None:
    # Not C001: the browser test needs Alice's offer caps untouched.
    token = widget_stack.assistant.token("C011", ttl=900)

    async def flow() -> str:
        async with WidgetClient(widget_stack.assistant.rasa_url) as client:
            await client.say("hi", {"customer_token": token})
            return texts(await client.say("where is my order?", {"customer_token": token}))

    reply = run(flow)
    assert any(order_id in reply for order_id in order_ids_of(widget_stack.assistant.shop_db_url, "C011"))


@pytest.mark.parametrize(
    "custom_data",
    [
        "{not json",
        '"just a string"',
        "[1, 2]",
        ["token"],
        42,
        {"customer_token": 42},
        {"customer_token": "x.y.z"},
    ],
    ids=["bad-json", "json-string", "json-list", "list", "number", "token-not-string", "token-garbage"],
)
def test_malformed_custom_data_makes_the_visitor_anonymous(
    widget_stack: WidgetStack, custom_data: Any
) -> None:
    async def flow() -> str:
        async with WidgetClient(widget_stack.assistant.rasa_url) as client:
            return texts(await client.say("where is my order?", custom_data))

    reply = run(flow)
    assert SIGN_IN in reply
    assert "D-C001" not in reply
    no_channel_errors(widget_stack)


def test_custom_data_as_a_json_string_is_read(widget_stack: WidgetStack) -> None:
    token = widget_stack.assistant.token("C004", ttl=900)

    async def flow() -> str:
        async with WidgetClient(widget_stack.assistant.rasa_url) as client:
            return texts(await client.say("where is my order?", f'{{"customer_token": "{token}"}}'))

    reply = run(flow)
    assert any(order_id in reply for order_id in order_ids_of(widget_stack.assistant.shop_db_url, "C004"))


@pytest.mark.parametrize(
    "message", [42, {"text": "hi"}, ["hi"], True, "x" * 6000], ids=["int", "dict", "list", "bool", "too-long"]
)
def test_a_message_that_is_not_text_gets_a_clear_reply(widget_stack: WidgetStack, message: Any) -> None:
    async def flow() -> list[Any]:
        async with WidgetClient(widget_stack.assistant.rasa_url) as client:
            return await client.say(message)

    assert texts(run(flow)) == UNREADABLE
    no_channel_errors(widget_stack)


@pytest.mark.parametrize("payload", ["hello", 42, ["hi"], None], ids=["string", "int", "list", "nothing"])
def test_a_payload_that_is_not_an_object_gets_a_clear_reply(widget_stack: WidgetStack, payload: Any) -> None:
    async def flow() -> list[Any]:
        async with WidgetClient(widget_stack.assistant.rasa_url) as client:
            await client.send(payload)
            return client.received()

    assert texts(run(flow)) == UNREADABLE


def test_a_missing_or_blank_message_gets_silence(widget_stack: WidgetStack) -> None:
    # rasa-webchat sends {customData, session_id} without a message when it opens.
    async def flow() -> list[Any]:
        async with WidgetClient(widget_stack.assistant.rasa_url) as client:
            await client.send({"session_id": client.session_id, "customData": {}})
            await client.send({"session_id": client.session_id, "message": "   "})
            return client.received()

    assert run(flow) == []


def test_a_session_id_this_socket_did_not_request_is_refused(widget_stack: WidgetStack) -> None:
    assistant = widget_stack.assistant

    async def flow() -> tuple[list[Any], list[Any], str]:
        async with WidgetClient(assistant.rasa_url) as victim, WidgetClient(assistant.rasa_url) as intruder:
            assert victim.session_id and victim.session_id != intruder.session_id
            stolen = await intruder.say("what is your return policy", session_id=victim.session_id)
            missing = await intruder.say("what is your return policy", session_id=None)
            return stolen, missing, victim.session_id

    stolen, missing, victim_session = run(flow)
    assert texts(stolen) == SESSION_EXPIRED
    assert texts(missing) == SESSION_EXPIRED
    tracker = assistant.tracker(victim_session, channel="socketio")
    assert not [event for event in tracker.get("events", []) if event.get("event") == "user"]


def test_the_server_keeps_answering_after_bad_input(widget_stack: WidgetStack) -> None:
    async def flow() -> tuple[str, str]:
        async with WidgetClient(widget_stack.assistant.rasa_url) as client:
            await client.send("garbage")
            await client.send({"message": {"nested": True}, "session_id": client.session_id})
            await client.send({"message": "hi", "session_id": client.session_id, "customData": "{{{"})
            answered = texts(client.received())
            return answered, texts(await client.say("what is your return policy"))

    answered, policy = run(flow)
    assert answered.startswith(f"{UNREADABLE}\n{UNREADABLE}\n") and "I can help" in answered
    assert "30 days" in policy
    no_channel_errors(widget_stack)


def test_a_different_customer_on_the_same_session_gets_a_new_conversation(widget_stack: WidgetStack) -> None:
    assistant = widget_stack.assistant
    first, second = assistant.token("C011", ttl=900), assistant.token("C004", ttl=900)

    async def flow() -> tuple[str, str, str]:
        async with WidgetClient(assistant.rasa_url) as client:
            await client.say("where is my order?", {"customer_token": first})
            first_session = str(client.session_id)
            reply = texts(await client.say("where is my order?", {"customer_token": second}))
            return reply, first_session, str(client.session_id)

    reply, first_session, second_session = run(flow)
    assert second_session != first_session
    assert any(order_id in reply for order_id in order_ids_of(assistant.shop_db_url, "C004"))
    assert not any(order_id in reply for order_id in order_ids_of(assistant.shop_db_url, "C011"))

    def user_texts(session: str) -> list[str]:
        events = assistant.tracker(session, channel="socketio")["events"]
        return [e["text"] for e in events if e.get("event") == "user"]

    assert user_texts(first_session) == ["where is my order?"]
    assert user_texts(second_session) == ["where is my order?"]
    no_channel_errors(widget_stack)


def test_a_session_id_the_server_did_not_issue_gets_a_fresh_one(widget_stack: WidgetStack) -> None:
    assistant = widget_stack.assistant

    async def flow() -> list[str]:
        issued = []
        for requested in ("rest:alice", "U024BE7LH", "a" * 32 + "." + "0" * 32, "\ud800", "a\u0000b"):
            client = WidgetClient(assistant.rasa_url)
            await client.connect({"session_id": requested})
            assert client.session_id != requested
            issued.append(str(client.session_id))
            assert "return" in texts(await client.say("what is your return policy")).lower()
            await client.sio.disconnect()
        return issued

    for session in run(flow):
        local, _, signature = session.partition(".")
        assert re.fullmatch("[0-9a-f]{32}", local) and re.fullmatch("[0-9a-f]{32}", signature)
        assert assistant.tracker(session, channel="socketio")["events"]
    no_channel_errors(widget_stack)


def test_only_the_page_origin_may_connect(widget_stack: WidgetStack) -> None:
    handshake = f"{widget_stack.assistant.rasa_url}/socket.io/?EIO=4&transport=polling"
    allowed = requests.get(handshake, headers={"Origin": widget_stack.web.url}, timeout=10)
    assert allowed.status_code == 200
    # Exactly one header: a second one (e.g. from `rasa run --cors`) breaks browsers.
    assert allowed.raw.headers.getlist("Access-Control-Allow-Origin") == [widget_stack.web.url]
    foreign = requests.get(handshake, headers={"Origin": "https://evil.example"}, timeout=10)
    assert foreign.status_code == 400
    assert "Access-Control-Allow-Origin" not in foreign.headers
