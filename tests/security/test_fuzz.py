"""Property-based fuzzing of the chat endpoints of one running assistant per tracker store.

Hypothesis generates REST bodies (arbitrary JSON values and random bytes, sent to
every spelling of the route with several methods and content types), structured
messages (senders, texts and nested metadata with lone surrogates, NUL, control
characters, typed payloads, foreign and broken tokens, large values) and socket.io
payloads (session requests and user messages). After every case:

* no answer is a 5xx;
* the Rasa server answers its health request and its process still runs, and the
  action server answers its health request;
* neither server logged a traceback for the case;
* no answer carries one of C001's order ids (no case ever holds a valid C001 token).

TACTFUL_FUZZ_SCALE multiplies the number of examples (1 by default).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import socketio
from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.settings import DEFAULT_CONTACT, load_settings
from tests.security.fuzz_strategies import (
    HANDLED,
    content_types,
    methods,
    paths,
    raw_bodies,
    session_requests,
    structured_bodies,
    user_messages,
)
from tests.security.fuzz_target import FUZZ, Target, examples
from tests.support.assistant import Assistant
from tests.support.security import request
from tests.support.security_widget import Widget, reply_texts
from tests.support.shop import order_ids_of

pytestmark = pytest.mark.e2e

LIMITS = load_settings().limits
RETURNS = "30 days"
SESSION = re.compile(r"[0-9a-f]{32}\.[0-9a-f]{32}")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    assistant: Assistant = request.getfixturevalue(
        "main_assistant" if request.param == "sqlite" else "pg_assistant"
    )
    secrets = order_ids_of(assistant.shop_db_url, "C001")
    assert secrets, "the demo store has orders for C001"
    yield Target(assistant, secrets)


# -- REST -----------------------------------------------------------------------------------


@settings(FUZZ, max_examples=examples(200))
@given(path=paths, method=methods, body=raw_bodies, content_type=content_types)
def test_fuzz_rest_raw_bodies(target: Target, path: str, method: str, body: bytes, content_type: str) -> None:
    target.begin()
    reply = request(target.assistant.rasa_url, method, path, body, {"Content-Type": content_type})
    target.check((method, path, body[:300], content_type), [reply])


@settings(FUZZ, max_examples=examples(300))
@given(path=st.sampled_from(HANDLED), body=structured_bodies)
def test_fuzz_rest_structured_messages(target: Target, path: str, body: dict[str, Any]) -> None:
    target.begin()
    reply = request(target.assistant.rasa_url, "POST", path, body)
    target.check((path, body), [reply])
    if reply.status == 200:  # an answered message always says something
        assert isinstance(reply.json(), list) and reply.json(), (body, reply)


# -- socket.io --------------------------------------------------------------------------------


def answers_the_control(reply: Any) -> bool:
    """The answer to "what is your return policy", or, when the case handed the chat to a
    person, the acknowledgement (or the apology) a paused conversation gets instead."""
    text = str(reply.get("text", "")) if isinstance(reply, dict) else ""
    return RETURNS in text or text.startswith("Thanks") or DEFAULT_CONTACT in text


@dataclass
class SocketCase:
    issued: Any
    replies: list[Any]
    # Bytes of the case's packet as the client sent it, and whether the server closed the socket.
    packet_bytes: int
    closed: bool


async def _socket_case(url: str, session_request: Any, message: dict[str, Any]) -> SocketCase:
    widget = Widget(url)
    try:
        issued = await widget.open(session_request)
        if "raw_args" in message:
            args = list(message["raw_args"])
        else:
            payload = {k: v for k, v in message.items() if k != "own_session"}
            if message["own_session"]:
                payload["session_id"] = widget.session_id
            args = [payload]
        packet_bytes = len(("42" + json.dumps(["user_uttered", *args], separators=(",", ":"))).encode())
        await widget.send(*args)
        # A normal message after the case: an answer to it shows the socket still works.
        await asyncio.sleep(0.1)
        try:
            await widget.send({"message": "what is your return policy", "session_id": widget.session_id})
            replies = await widget.collect_until(answers_the_control, timeout=30)
        except socketio.exceptions.SocketIOError:
            return SocketCase(issued, [], packet_bytes, closed=True)
        replies += await widget.collect(first_timeout=0.2, quiet=0.2)
        return SocketCase(issued, replies, packet_bytes, closed=not widget.sio.connected)
    finally:
        if widget.sio.connected:
            await widget.close()


async def _fresh_socket_answers(url: str) -> bool:
    widget = Widget(url)
    try:
        await widget.open({"session_id": None})
        return RETURNS in reply_texts(await widget.say("what is your return policy"))
    finally:
        await widget.close()


@settings(FUZZ, max_examples=examples(40))
@given(session_request=session_requests, message=user_messages)
def test_fuzz_socketio_payloads(target: Target, session_request: Any, message: dict[str, Any]) -> None:
    url = target.assistant.rasa_url
    target.begin()
    case = asyncio.run(_socket_case(url, session_request, message))
    assert isinstance(case.issued, str) and SESSION.fullmatch(case.issued), (session_request, case)
    if case.closed:
        # engine.io closes a connection whose packet is over TACTFUL_MAX_BODY_BYTES; nothing else may.
        assert case.packet_bytes > LIMITS.body_bytes - 200, (session_request, message, case)
        assert asyncio.run(_fresh_socket_answers(url)), "a new connection is not answered"
    target.check((session_request, message), [], [reply_texts(case.replies)])
