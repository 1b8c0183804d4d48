"""socket.io cannot reach other channels' conversations: a socket asking for a REST or
Slack conversation's id gets a fresh session of its own, signed Slack events with odd
users are dropped and odd text cleaned, and during a Slack handoff the agent's reply
goes to Slack, never to a socket.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
import urllib.request
import uuid
from typing import Any

import pytest

from tactful.channels.socketio import SESSION_EXPIRED
from tests.messaging import webhooks as hooks
from tests.messaging.fake_provider import FakeProvider
from tests.security.helpers import RETURNS, created_for, fresh, helpdesk_reply
from tests.support.assistant import RASA_TOKEN, Assistant
from tests.support.helpdesk import HelpdeskReceiver
from tests.support.security import request
from tests.support.security_widget import Widget, reply_texts

pytestmark = pytest.mark.e2e


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
