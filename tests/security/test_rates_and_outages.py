"""Rate limits (counted in Redis) and a dead action server, on an assistant of their own.

The last test kills this assistant's action server: keep it last.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
import redis

from tactful.settings import DEFAULT_CONTACT
from tests.security.conftest import CUSTOMER_LIMIT, REDIS_URL, SENDER_LIMIT
from tests.support.assistant import Assistant
from tests.support.security import rasa_answers, rest
from tests.support.security_processes import is_running, kill_listener, listening_child, port_of
from tests.support.security_widget import Widget, reply_texts

pytestmark = pytest.mark.e2e

WINDOW_SECONDS = 60  # tactful.channels.gate.RATE_WINDOW_SECONDS: fixed windows on the clock


def fresh(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def start_of_a_window(needed_seconds: float = 10) -> None:
    """Wait (at most ``needed_seconds``) so the next requests fall in one counting window."""
    left = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if left < needed_seconds:
        time.sleep(left + 0.2)


def forget_customer_counts(customer: str) -> None:
    """Drop this test's own per-customer counters from the test Redis database."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        keys = list(client.scan_iter(match=f"tactful:rate:customer:{customer}:*", count=100))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def user_count(assistant: Assistant, sender: str) -> int:
    return sum(1 for e in assistant.tracker(sender)["events"] if e.get("event") == "user")


def test_more_messages_than_the_sender_limit_get_429_and_others_carry_on(
    limited_assistant: Assistant,
) -> None:
    url = limited_assistant.rasa_url
    flood, bystander = fresh("flood"), fresh("bystander")
    start_of_a_window()
    within = [rest(url, {"sender": flood, "message": f"hello {n}"}) for n in range(SENDER_LIMIT)]
    assert [reply.status for reply in within] == [200] * SENDER_LIMIT, within
    over = [rest(url, {"sender": flood, "message": "hello again"}) for _ in range(3)]
    assert [reply.status for reply in over] == [429] * 3, over
    assert "faster than I can answer" in over[0].json()["error"]
    other = rest(url, {"sender": bystander, "message": "hello"})
    assert other.status == 200 and other.json(), other
    assert user_count(limited_assistant, flood) == SENDER_LIMIT  # refused messages are not stored


def test_more_messages_than_the_customer_limit_get_429_on_any_sender(limited_assistant: Assistant) -> None:
    url = limited_assistant.rasa_url
    token = limited_assistant.token("C002")
    forget_customer_counts("C002")  # an earlier run in the same minute counted in the same Redis keys
    per_sender = SENDER_LIMIT - 1
    senders = [fresh("busy") for _ in range(CUSTOMER_LIMIT // per_sender + 1)]
    start_of_a_window()
    statuses = [
        rest(url, {"sender": sender, "message": "hello", "metadata": {"customer_token": token}}).status
        for sender in senders
        for _ in range(per_sender)
    ]
    assert statuses[:CUSTOMER_LIMIT] == [200] * CUSTOMER_LIMIT
    assert set(statuses[CUSTOMER_LIMIT:]) == {429}
    other_customer = {"customer_token": limited_assistant.token("C005")}
    other = rest(url, {"sender": fresh("calm"), "message": "hi", "metadata": other_customer})
    assert other.status == 200, other


def test_a_dead_action_server_gets_an_apology_with_the_support_contact(limited_assistant: Assistant) -> None:
    kill_listener(limited_assistant.action_url)
    for text in ("hi", "I want to talk to a person", "where is my order?"):
        reply = rest(limited_assistant.rasa_url, {"sender": fresh("dead"), "message": text})
        assert reply.status == 200, (text, reply)
        messages = reply.json()
        assert messages, f"{text!r} got []"
        assert all(DEFAULT_CONTACT in m["text"] for m in messages), (text, messages)

    async def widget_says_hi() -> str:
        widget = Widget(limited_assistant.rasa_url)
        try:
            await widget.open({"session_id": None})
            return reply_texts(await widget.say("hi"))
        finally:
            await widget.close()

    assert DEFAULT_CONTACT in asyncio.run(widget_says_hi())
    rasa = listening_child(port_of(limited_assistant.rasa_url))
    assert rasa is not None and is_running(rasa) and rasa_answers(limited_assistant.rasa_url)
