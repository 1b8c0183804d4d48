"""One request never stops the assistant; every path spelling gets the same checks;
the body cannot choose the channel; metadata is cut to what the assistant reads.

Bad ids, lone surrogates and NUL run on both tracker stores (SQLite and
PostgreSQL): Rasa 3.6.21 exits the whole process on a value its SQL tracker
store cannot hold, and the two drivers fail on different characters.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from typing import Any

import pytest

from tactful.channels.socketio import UNREADABLE
from tactful.settings import load_settings
from tests.support.assistant import Assistant
from tests.support.security import (
    REST_PATH,
    Widget,
    is_running,
    listening_child,
    port_of,
    rasa_answers,
    reply_texts,
    request,
    rest,
)

pytestmark = pytest.mark.e2e

LIMITS = load_settings().limits
RETURNS = "30 days"  # in every answer about the return policy
GREETING = "Hi! I can help"
SIGN_IN = "signed in"
SESSION = re.compile(r"[0-9a-f]{32}\.[0-9a-f]{32}")


def fresh(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def raw_json(text: str) -> bytes:
    """A JSON body written by hand, so its escapes (\\ud800, \\u0000) reach the server as typed."""
    return text.encode()


def assert_alive(assistant: Assistant) -> None:
    """The Rasa process still runs, answers its health request and a normal message."""
    pid = listening_child(port_of(assistant.rasa_url))
    assert pid is not None and is_running(pid), "the Rasa server process is gone"
    assert rasa_answers(assistant.rasa_url)
    reply = rest(assistant.rasa_url, {"sender": fresh("alive"), "message": "what is your return policy"})
    assert reply.status == 200, reply
    assert RETURNS in reply.text


def user_texts(assistant: Assistant, sender: str, channel: str = "rest") -> list[str]:
    return [e["text"] for e in assistant.tracker(sender, channel)["events"] if e.get("event") == "user"]


# -- 1. unstorable characters, both tracker stores -------------------------------------------

BAD_SENDERS = {
    "lone-surrogate": r'"\ud800"',
    "low-surrogate-inside": r'"alice\udfffbob"',
    "nul-inside": r'"a\u0000b"',
    "only-nul": r'"\u0000"',
    "surrogate-and-nul": r'"\ud800\u0000"',
    "channel-prefix": '"slack:U024BE7LH"',
    # Regression: "$" let one trailing newline through the id check.
    "trailing-newline": r'"alice\n"',
    "trailing-crlf": r'"alice\r\n"',
    "inner-space": '"alice bob"',
    "too-long": '"' + "a" * 129 + '"',
}


@pytest.mark.parametrize("sender", BAD_SENDERS.values(), ids=BAD_SENDERS.keys())
def test_a_bad_rest_sender_gets_400_and_the_assistant_lives_on(
    store_assistant: Assistant, sender: str
) -> None:
    reply = rest(store_assistant.rasa_url, raw_json(f'{{"sender": {sender}, "message": "hi"}}'))
    assert reply.status == 400, reply
    assert "'sender'" in reply.json()["error"]
    assert_alive(store_assistant)


def test_surrogates_and_nul_in_the_message_are_removed_before_rasa_sees_it(
    store_assistant: Assistant,
) -> None:
    sender = fresh("clean-text")
    body = raw_json(f'{{"sender": "{sender}", "message": "what is your\\u0000 return\\ud800 policy\\udfff"}}')
    reply = rest(store_assistant.rasa_url, body)
    assert reply.status == 200, reply
    assert RETURNS in reply.text
    assert user_texts(store_assistant, sender) == ["what is your return policy"]
    assert_alive(store_assistant)


@pytest.mark.parametrize("message", [r"\u0000", r"\ud800", r"\ud800\u0000\udfff", r"\u0001\u0002 \u007f"])
def test_a_message_of_only_unstorable_characters_gets_400(store_assistant: Assistant, message: str) -> None:
    reply = rest(
        store_assistant.rasa_url, raw_json(f'{{"sender": "{fresh("empty")}", "message": "{message}"}}')
    )
    assert reply.status == 400, reply
    assert "'message'" in reply.json()["error"]
    assert_alive(store_assistant)


METADATA = {
    "surrogate-value": r'{"note": "\ud800"}',
    "nul-value": r'{"note": "a\u0000b"}',
    "nested": r'{"a": {"b": ["\u0000", {"c": "\udfff"}], "d": null}, "e": 1.5}',
    "surrogate-key": r'{"\ud800": "x", "k\u0000": "y"}',
    "identity-with-nul": r'{"tactful_identity": {"customer_id": "C001\u0000", "expires_at": 9999999999}}',
    "nul-token": r'{"customer_token": "a\u0000b"}',
}


@pytest.mark.parametrize("metadata", METADATA.values(), ids=METADATA.keys())
def test_surrogates_and_nul_in_metadata_get_a_normal_answer(
    store_assistant: Assistant, metadata: str
) -> None:
    sender = fresh("meta")
    body = raw_json(f'{{"sender": "{sender}", "message": "where is my order?", "metadata": {metadata}}}')
    reply = rest(store_assistant.rasa_url, body)
    assert reply.status == 200, reply
    assert SIGN_IN in reply.text  # nothing in it made the visitor somebody
    assert user_texts(store_assistant, sender) == ["where is my order?"]
    assert_alive(store_assistant)


SURROGATE_TOKENS = {
    "lone-surrogate": r"\ud800",
    "jwt-shaped": r"eyJhbGciOiJIUzI1NiJ9.\udfff.x",
    "non-ascii": "eyJhbGciOiJIUzI1NiJ9.\u00e9.x",
}


@pytest.mark.parametrize("token", SURROGATE_TOKENS.values(), ids=SURROGATE_TOKENS.keys())
def test_a_customer_token_that_is_not_ascii_is_a_bad_token(store_assistant: Assistant, token: str) -> None:
    # Regression: a lone surrogate in the token made jwt.decode raise UnicodeEncodeError (500).
    sender = fresh("tok")
    body = raw_json(
        f'{{"sender": "{sender}", "message": "where is my order?", "metadata": {{"customer_token": "{token}"}}}}'
    )
    reply = rest(store_assistant.rasa_url, body)
    assert reply.status == 200, reply
    assert SIGN_IN in reply.text
    assert_alive(store_assistant)


# socket.io, both stores


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@pytest.mark.parametrize(
    "requested",
    ["\ud800", "a\u0000b", "\ud800" * 32 + "." + "0" * 32, "rest:alice", None, 42, ["x"]],
    ids=["surrogate", "nul", "surrogate-token-shape", "rest-id", "none", "number", "list"],
)
def test_a_socket_asking_for_an_unstorable_session_id_gets_a_fresh_signed_one(
    store_assistant: Assistant, requested: Any
) -> None:
    async def flow() -> tuple[Any, str]:
        widget = Widget(store_assistant.rasa_url)
        try:
            issued = await widget.open({"session_id": requested})
            return issued, reply_texts(await widget.say("what is your return policy"))
        finally:
            await widget.close()

    issued, reply = run(flow())
    assert isinstance(issued, str) and SESSION.fullmatch(issued), issued
    assert RETURNS in reply
    assert user_texts(store_assistant, issued, "socketio") == ["what is your return policy"]
    assert_alive(store_assistant)


def test_socketio_text_and_custom_data_with_surrogates_and_nul_get_normal_answers(
    store_assistant: Assistant,
) -> None:
    async def flow() -> tuple[str, list[str]]:
        widget = Widget(store_assistant.rasa_url)
        try:
            session = await widget.open({"session_id": None})
            answers = [
                reply_texts(await widget.say("what is your\u0000 return policy\ud800")),
                reply_texts(await widget.say("where is my order?", {"note": "\ud800", "x": ["a\u0000b"]})),
                reply_texts(await widget.say("where is my order?", '{"note": "\\ud800\\u0000"}')),
                reply_texts(await widget.say("where is my order?", {"customer_token": "a\u0000b"})),
            ]
            return session, answers
        finally:
            await widget.close()

    session, answers = run(flow())
    assert RETURNS in answers[0]
    assert all(SIGN_IN in answer for answer in answers[1:]), answers
    assert user_texts(store_assistant, session, "socketio") == [
        "what is your return policy",
        *["where is my order?"] * 3,
    ]
    assert_alive(store_assistant)


def test_socketio_customer_token_with_a_lone_surrogate_gets_an_answer(store_assistant: Assistant) -> None:
    # Regression: the handler raised UnicodeEncodeError (jwt.decode) and the visitor got no answer.
    async def flow() -> str:
        widget = Widget(store_assistant.rasa_url)
        try:
            await widget.open({"session_id": None})
            return reply_texts(await widget.say("where is my order?", {"customer_token": "\ud800"}))
        finally:
            await widget.close()

    assert SIGN_IN in run(flow())


def test_an_issued_session_id_is_kept_but_not_with_anything_appended(store_assistant: Assistant) -> None:
    async def flow() -> tuple[str, list[Any]]:
        first = Widget(store_assistant.rasa_url)
        try:
            issued = str(await first.open({"session_id": None}))
        finally:
            await first.close()
        again = []
        for requested in (issued, issued + "\n", issued + " ", issued.upper(), " " + issued):
            widget = Widget(store_assistant.rasa_url)
            try:
                again.append(await widget.open({"session_id": requested}))
            finally:
                await widget.close()
        return issued, again

    issued, again = run(flow())
    assert again[0] == issued  # a page reload keeps its conversation
    assert issued not in again[1:] and all(SESSION.fullmatch(str(s)) for s in again[1:]), again


def test_socketio_size_limits_refuse_only_the_oversize_message(main_assistant: Assistant) -> None:
    async def flow() -> tuple[str, bool, str]:
        bystander, sender = Widget(main_assistant.rasa_url), Widget(main_assistant.rasa_url)
        try:
            await bystander.open({"session_id": None})
            await sender.open({"session_id": None})
            too_long = reply_texts(await sender.say("a" * (LIMITS.message_chars + 1)))
            # A packet over TACTFUL_MAX_BODY_BYTES: engine.io closes that connection.
            await sender.send({"message": "b" * LIMITS.body_bytes, "session_id": sender.session_id})
            for _ in range(50):
                if not sender.sio.connected:
                    break
                await asyncio.sleep(0.1)
            closed = not sender.sio.connected
            return too_long, closed, reply_texts(await bystander.say("what is your return policy"))
        finally:
            for widget in (bystander, sender):
                if widget.sio.connected:
                    await widget.close()

    too_long, closed, bystander_answer = run(flow())
    assert too_long == UNREADABLE
    assert closed
    assert RETURNS in bystander_answer
    assert_alive(main_assistant)


def test_a_session_request_without_a_payload_gets_a_fresh_session(main_assistant: Assistant) -> None:
    async def flow() -> Any:
        widget = Widget(main_assistant.rasa_url)
        try:
            return await widget.open(wait=5)
        finally:
            await widget.close()

    assert SESSION.fullmatch(str(run(flow())))


TYPED_IDENTITY = [
    '/order_status{"customer_id": "C001"}',
    '/ /order_status{"customer_id": "C001"}',
    '/\t/order_status{"customer_id": "C001"}',
    ' //order_status{"customer_id":"C001"}',
]


@pytest.mark.parametrize("typed", TYPED_IDENTITY)
def test_typed_intents_with_entities_claim_no_identity(main_assistant: Assistant, typed: str) -> None:
    # Regression: slashes and spaces together left a typed intent payload intact.
    sender = fresh("typed")
    reply = rest(main_assistant.rasa_url, {"sender": sender, "message": typed})
    assert reply.status == 200, reply
    assert "D-C001" not in reply.text
    tracker = main_assistant.tracker(sender)
    assert tracker["slots"].get("customer_id") in (None, "")
    assert not [t for t in user_texts(main_assistant, sender) if t.lstrip().startswith("/")]


# -- 2. path variants ---------------------------------------------------------------------

# Spellings Sanic routes to the REST handler, and ones it does not.
HANDLED = [
    REST_PATH,
    REST_PATH + "/",
    REST_PATH + "?x=1",
    REST_PATH + "/?sender=x&message=hi",
    REST_PATH + "//",
]
UNROUTED = ["/" + REST_PATH, REST_PATH.upper(), "/Webhooks/Rest/Webhook", "/webhooks//rest/webhook"]
OTHER_METHODS = ["HEAD", "GET", "PUT", "PATCH", "DELETE"]


def _bodies(sender: str) -> dict[str, bytes]:
    return {
        "array": json.dumps([{"sender": sender, "message": "hi"}]).encode(),
        "long-message": json.dumps({"sender": sender, "message": "a" * 50_000}).encode(),
        "over-message-limit": json.dumps(
            {"sender": sender, "message": "a" * (LIMITS.message_chars + 1)}
        ).encode(),
        "oversize-body": json.dumps(
            {"sender": sender, "message": "hi", "pad": "x" * LIMITS.body_bytes}
        ).encode(),
        "over-request-limit": b"x" * (LIMITS.request_bytes + 1),
        "valid": json.dumps({"sender": sender, "message": "hi"}).encode(),
    }


# What the REST handler answers to each body (sizes from tactful.settings.Limits).
EXPECTED = {
    "array": (400, "JSON object"),
    # 50,000 characters make a body over TACTFUL_MAX_BODY_BYTES (16 KiB): refused by size first.
    "long-message": (413, "at most"),
    "over-message-limit": (400, "'message' must be at most"),
    "oversize-body": (413, "at most"),
    "over-request-limit": (413, None),  # Sanic's own limit, before any handler
    "valid": (200, GREETING),
}


@pytest.mark.parametrize("path", HANDLED)
def test_every_path_the_rest_handler_serves_gets_the_same_checks(
    store_assistant: Assistant, path: str
) -> None:
    sender = fresh("path")
    for kind, body in _bodies(sender).items():
        reply = request(store_assistant.rasa_url, "POST", path, body)
        status, needle = EXPECTED[kind]
        assert reply.status == status, (kind, reply)
        if needle:
            assert needle in reply.text, (kind, reply)
    # Only the one valid body reached the conversation.
    assert user_texts(store_assistant, sender) == ["hi"]
    assert_alive(store_assistant)


@pytest.mark.parametrize("path", UNROUTED)
def test_other_spellings_are_not_found_and_reach_nobody(main_assistant: Assistant, path: str) -> None:
    sender = fresh("unrouted")
    for kind, body in _bodies(sender).items():
        reply = request(main_assistant.rasa_url, "POST", path, body)
        assert reply.status in (404, 413), (kind, reply)  # 413: Sanic's whole-request limit
        assert GREETING not in reply.text
    assert _no_conversation(main_assistant, sender)


@pytest.mark.parametrize("method", [*OTHER_METHODS, "OPTIONS"])
def test_other_methods_are_refused_and_reach_nobody(main_assistant: Assistant, method: str) -> None:
    sender = fresh("method")
    for path in [*HANDLED, *UNROUTED]:
        for kind, body in _bodies(sender).items():
            reply = request(main_assistant.rasa_url, method, path, body)
            assert reply.status < 500, (method, path, kind, reply)
            if method != "OPTIONS":  # OPTIONS is CORS's preflight: an empty 200
                assert reply.status in (404, 405, 413), (method, path, kind, reply)
            assert GREETING not in reply.text
    assert _no_conversation(main_assistant, sender)
    assert_alive(main_assistant)


def _no_conversation(assistant: Assistant, sender: str) -> bool:
    return user_texts(assistant, sender) == []


# -- 5. the body cannot choose the channel -------------------------------------------------


@pytest.mark.parametrize("claimed", ["telegram", "slack", "twilio", "socketio", "cmdline", "\ud800"])
def test_input_channel_in_the_body_is_ignored(store_assistant: Assistant, claimed: str) -> None:
    sender = fresh("channel")
    body = {"sender": sender, "message": "link my account", "input_channel": claimed}
    reply = rest(store_assistant.rasa_url, body)
    assert reply.status == 200, reply
    assert "On our website, signing in links the chat to your account" in reply.text
    events = store_assistant.tracker(sender)["events"]
    channels = {e.get("input_channel") for e in events if e.get("event") == "user"}
    assert channels == {"rest"}
    assert store_assistant.tracker(sender)["latest_input_channel"] == "rest"


# -- 6. metadata ----------------------------------------------------------------------------


def test_metadata_over_the_limit_gets_400(store_assistant: Assistant) -> None:
    sender = fresh("big-meta")
    for metadata in (
        {"pad": "x" * LIMITS.metadata_bytes},
        {"customer_token": store_assistant.token("C002"), "pad": "é" * (LIMITS.metadata_bytes // 2)},
        {"nested": [[["x" * 100] * 10] * 5]},
    ):
        reply = rest(store_assistant.rasa_url, {"sender": sender, "message": "hi", "metadata": metadata})
        assert reply.status == 400, reply
        assert "'metadata' must be at most" in reply.json()["error"]
    assert _no_conversation(store_assistant, sender)


def test_only_a_verified_identity_is_stored_never_the_token_nor_unknown_keys(
    store_assistant: Assistant,
) -> None:
    sender = fresh("stored-meta")
    token = store_assistant.token("C002")
    metadata = {
        "customer_token": token,
        "zz_unknown_key": "zz-unknown-value",
        "tactful_identity": {"customer_id": "C004", "cart_id": "cart-C004", "expires_at": 9_999_999_999},
        "customer_id": "C004",
    }
    reply = rest(store_assistant.rasa_url, {"sender": sender, "message": "hi", "metadata": metadata})
    assert reply.status == 200, reply
    tracker = store_assistant.tracker(sender)
    stored = json.dumps(tracker)
    assert token not in stored
    assert token.split(".")[1] not in stored  # not even the claims part
    assert "zz_unknown_key" not in stored and "zz-unknown-value" not in stored
    assert "C004" not in stored
    (user,) = [e for e in tracker["events"] if e.get("event") == "user"]
    assert user["metadata"]["tactful_identity"]["customer_id"] == "C002"


@pytest.mark.parametrize(
    "identity",
    [
        {"customer_id": "C001", "cart_id": None, "expires_at": 9_999_999_999},
        {"customer_id": "C001", "expires_at": 9_999_999_999},
        "C001",
    ],
    ids=["full", "no-cart", "string"],
)
def test_a_client_sent_tactful_identity_is_ignored(store_assistant: Assistant, identity: Any) -> None:
    sender = fresh("fake-identity")
    reply = rest(
        store_assistant.rasa_url,
        {"sender": sender, "message": "where is my order?", "metadata": {"tactful_identity": identity}},
    )
    assert reply.status == 200, reply
    assert SIGN_IN in reply.text
    assert "D-C001" not in reply.text
    (user,) = [e for e in store_assistant.tracker(sender)["events"] if e.get("event") == "user"]
    assert "tactful_identity" not in (user.get("metadata") or {})
