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
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import socketio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tactful.identity import issue_token
from tactful.settings import DEFAULT_CONTACT, load_settings
from tests.support.assistant import JWT_SECRET, Assistant
from tests.support.security import (
    REST_PATH,
    Reply,
    Widget,
    is_running,
    listening_child,
    port_of,
    rasa_answers,
    record,
    reply_texts,
    request,
)
from tests.support.shop import order_ids_of

pytestmark = pytest.mark.e2e

LIMITS = load_settings().limits
SCALE = float(os.environ.get("TACTFUL_FUZZ_SCALE", "1"))
RETURNS = "30 days"
SESSION = re.compile(r"[0-9a-f]{32}\.[0-9a-f]{32}")
# Lines that mean a server failed on a case even if it answered.
FAILURE_LINES = re.compile(r"Traceback \(most recent call last\)|Exception occurred while handling uri")


def examples(count: int) -> int:
    return max(1, int(count * SCALE))


FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    print_blob=True,
)


@dataclass
class Target:
    """One running assistant, the secrets it must never show, and where its logs are read."""

    assistant: Assistant
    secrets: list[str]
    offsets: dict[Path, int] = field(default_factory=dict)

    def logs(self) -> list[Path]:
        return [self.assistant.workdir / "rasa.log", self.assistant.workdir / "actions.log"]

    def begin(self) -> None:
        """Call before sending a case: its log lines start here."""
        self.offsets = {log: log.stat().st_size for log in self.logs()}

    def new_failures(self) -> list[str]:
        found = []
        for log in self.logs():
            with log.open("rb") as handle:
                handle.seek(self.offsets.get(log, 0))
                text = handle.read().decode(errors="replace")
            if FAILURE_LINES.search(text):
                found.append(f"{log.name}:\n{text[-3000:]}")
        return found

    def check(self, case: Any, replies: list[Reply], texts: Sequence[str] = ()) -> None:
        """The properties every case must keep; counts the case."""
        record("case")
        for reply in replies:
            assert reply.status < 500, (case, reply)
        shown = [reply.text for reply in replies] + list(texts)
        leaked = [secret for secret in self.secrets for text in shown if secret in text]
        assert not leaked, (case, leaked, shown)
        url = self.assistant.rasa_url
        pid = listening_child(port_of(url))
        assert pid is not None and is_running(pid), (case, "the Rasa process is gone")
        assert rasa_answers(url), (case, "Rasa does not answer its health request")
        health = request(self.assistant.action_url, "GET", "/health", timeout=10, kind="health")
        assert health.status == 200, (case, "the action server does not answer", health)
        failures = self.new_failures()
        assert not failures, (case, failures)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    assistant: Assistant = request.getfixturevalue(
        "main_assistant" if request.param == "sqlite" else "pg_assistant"
    )
    secrets = order_ids_of(assistant.shop_db_url, "C001")
    assert secrets, "the demo store has orders for C001"
    yield Target(assistant, secrets)


# -- strategies ---------------------------------------------------------------------------

# Characters that trouble stores and parsers, mixed into otherwise ordinary text.
NASTY = [
    "\x00",
    "\ud800",
    "\udfff",
    "\udbff",
    "\x01",
    "\x1f",
    "\x7f",
    "\n",
    "\r",
    "\t",
    "\u2028",
    "\ufeff",
]
FRAGMENTS = [
    "\udbff\udc00",  # a surrogate pair: one valid character once decoded
    "\r\n",
    "where is my order?",
    "what is your return policy",
    "yes please",
    "I want to talk to a person",
    "link my account",
    "/restart",
    "/ /restart",
    "/accept_offer",
    '/order_status{"customer_id": "C001"}',
    '/ /greet{"customer_id":"C001"}',
    "status of order 9999999",
    "rest:alice",
    "slack:U024BE7LH",
    "socketio:" + "a" * 32,
    "alice@example.com",
    "' OR 1=1 --",
    "${TACTFUL_JWT_SECRET}",
    "{{7*7}}",
    "<script>alert(1)</script>",
    "🙂",
]
characters = st.one_of(st.characters(), st.characters(categories=["Cs"]), st.sampled_from(NASTY))
texts = st.one_of(
    st.text(characters, max_size=40),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(characters, max_size=8)), max_size=5).map("".join),
    st.sampled_from(FRAGMENTS),
)
big_texts = st.one_of(texts, st.integers(1990, 2010).map(lambda n: "a" * n), st.just("é" * 3000))
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), texts
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)
valid_senders = st.from_regex(r"[A-Za-z0-9_.@+-]{1,24}", fullmatch=True)
bad_senders = st.one_of(
    st.from_regex(r"[A-Za-z0-9_.@+-]{1,8}", fullmatch=True).map(lambda s: s + "\n"),
    texts,
    st.sampled_from(["rest:alice", "slack:U024BE7LH", "default", "a" * 128, "a" * 129, ""]),
    json_values,
)


def weighted(
    common: st.SearchStrategy[Any], rare: st.SearchStrategy[Any], percent: int
) -> st.SearchStrategy[Any]:
    """``common`` in about ``percent`` % of the cases, ``rare`` in the rest."""
    return st.integers(0, 99).flatmap(lambda n: common if n < percent else rare)


# Most cases get past the channel's checks, so Rasa and the actions see them too.
senders = weighted(valid_senders, bad_senders, 75)


def _tokens() -> st.SearchStrategy[Any]:
    # Valid tokens of other customers, and every broken kind; never a valid C001 token.
    others = [issue_token(c, JWT_SECRET) for c in ("C004", "C005", "C010")]
    broken = [
        issue_token("C001", JWT_SECRET, ttl_seconds=-120),
        issue_token("C001", "some-other-secret-that-is-long-enough-0"),
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJDMDAxIn0.",
    ]
    return st.one_of(st.sampled_from(others + broken), texts, json_values)


metadata_keys = st.one_of(
    st.sampled_from(["customer_token", "tactful_identity", "customer_id", "cart_id", "input_channel"]), texts
)
metadata_objects = st.one_of(
    st.dictionaries(metadata_keys, st.one_of(_tokens(), json_values), max_size=5),
    st.fixed_dictionaries(
        {"customer_token": _tokens()},
        optional={
            "tactful_identity": st.fixed_dictionaries(
                {"customer_id": st.sampled_from(["C001", "C004"]), "expires_at": st.integers()}
            ),
            "pad": big_texts,
        },
    ),
)
metadata = weighted(metadata_objects, json_values, 85)
messages = weighted(texts, st.one_of(big_texts, json_values), 75)
structured_bodies = st.fixed_dictionaries(
    {"sender": senders, "message": messages},
    optional={"metadata": metadata, "input_channel": texts, "parse_data": json_values},
)
HANDLED = [REST_PATH, REST_PATH + "/", REST_PATH + "?x=1", REST_PATH + "//"]
paths = st.one_of(
    st.sampled_from(HANDLED),
    st.sampled_from(["/" + REST_PATH, REST_PATH.upper(), "/webhooks/rest/", "/webhooks/socketio/webhook"]),
)
methods = st.sampled_from(["POST"] * 6 + ["GET", "PUT", "HEAD", "PATCH", "DELETE", "OPTIONS"])
content_types = st.sampled_from(
    [
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin-1",
    ]
)
raw_bodies = st.one_of(
    json_values.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=300),
    structured_bodies.map(lambda body: json.dumps(body).encode()),
    st.integers(0, 40).map(lambda depth: b"[" * depth * 100 + b"]" * depth * 100),  # deep nesting
    st.just(b'{"sender": "x", "message": "hi", "metadata": ' + b'{"a":' * 2000 + b"1" + b"}" * 2001),
)


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

session_requests = st.one_of(
    st.fixed_dictionaries({"session_id": st.one_of(texts, json_values, st.none())}),
    json_values,
)
custom_data = st.one_of(metadata, metadata.map(lambda m: json.dumps(m)), texts)
user_messages = st.one_of(
    st.fixed_dictionaries(
        {"message": messages, "own_session": st.booleans()},
        optional={"customData": custom_data, "session_id": st.one_of(texts, json_values)},
    ),
    st.lists(json_values, max_size=3).map(lambda args: {"raw_args": args}),
)


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
