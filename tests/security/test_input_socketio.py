"""socket.io input hardening: unstorable session ids, texts and customData get a fresh
signed session or a normal answer (on both tracker stores), an issued session id is
kept on reload but never with anything appended, a session request needs no payload,
and the size limits refuse only the oversize message while other sockets are answered.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from tactful.channels.socketio import UNREADABLE
from tests.security.helpers import LIMITS, RETURNS, SIGN_IN, assert_alive, user_texts
from tests.support.assistant import Assistant
from tests.support.security_widget import Widget, reply_texts

pytestmark = pytest.mark.e2e

SESSION = re.compile(r"[0-9a-f]{32}\.[0-9a-f]{32}")


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
