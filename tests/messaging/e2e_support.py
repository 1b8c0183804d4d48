"""Talking to the e2e bot as each provider would, and reading back what happened.

``post`` sends a signed webhook to the running Rasa; ``turn`` and
``replies_since`` send one and wait until Rasa has stored the turn, then
return the replies the fake provider API received; ``marker_replies`` proves
that earlier messages set nothing off; ``user_texts`` and ``said`` read the
tracker. ``CHANNELS`` and ``sender`` give every test a fresh user per channel.
Used by the test_messaging_e2e*.py modules (the bot is in conftest.py).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

from tests.messaging import webhooks as hooks
from tests.messaging.fake_provider import Call, FakeProvider
from tests.support.assistant import RASA_TOKEN, Assistant

# A marker message, answered with SIGN_IN_NEEDED alone while the sender is anonymous.
MARKER = "where is my order?"


def post(
    bot: Assistant, webhook: hooks.Webhook, extra_headers: dict[str, str] | None = None
) -> tuple[int, str]:
    request = urllib.request.Request(
        bot.rasa_url + webhook.path, data=webhook.body, headers={**webhook.headers, **(extra_headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def provider_of(channel: str) -> str:
    return "twilio" if channel.startswith("twilio") else channel


def conversation_of(user: str) -> str:
    """The server-built conversation id of a provider user (``SENDERS`` below)."""
    if user.startswith("whatsapp:"):
        return "twilio_whatsapp:" + user.removeprefix("whatsapp:")
    if user.startswith("+"):
        return "twilio:" + user
    if user.startswith("U"):
        return "slack:" + user
    if user.startswith("71") and len(user) == 16:
        return "facebook:" + user
    return "telegram:" + user


def turn_events(bot: Assistant, sender: str) -> list[dict]:
    conversation = urllib.parse.quote(conversation_of(sender), safe="+:")
    url = f"{bot.rasa_url}/conversations/{conversation}/tracker?token={RASA_TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.loads(answer.read())["events"]


def user_texts(bot: Assistant, sender: str) -> list[str]:
    return [event.get("text") for event in turn_events(bot, sender) if event.get("event") == "user"]


def said(bot: Assistant, sender: str) -> list[dict]:
    """What the tracker holds of the conversation: the user's and the bot's messages."""
    return [event for event in turn_events(bot, sender) if event.get("event") in ("user", "bot")]


def wait_for_turn(
    bot: Assistant, sender: str, users_before: int, text: str | None = None, timeout: float = 30
) -> None:
    """Rasa saves the tracker after the turn's replies were sent: wait for that.

    With ``text``, wait for the turn of that message: another message stored
    in between must not pass for it.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = [e for e in turn_events(bot, sender) if e.get("event") in ("user", "action")]
        new = [e.get("text") for e in events if e.get("event") == "user"][users_before:]
        if new and (text is None or text in new) and events[-1].get("name") == "action_listen":
            return
        time.sleep(0.05)
    raise AssertionError(f"Rasa did not finish a turn for {sender} within {timeout}s")


def turn(
    bot: Assistant, fake: FakeProvider, webhook: hooks.Webhook, user: str, recipient: str | None = None
) -> list[Call]:
    """Send one signed message and return the replies the provider API received."""
    provider, recipient = provider_of(webhook.provider), recipient or user
    return replies_since(bot, fake, webhook, user, recipient, len(fake.messages(provider, recipient)))


def replies_since(
    bot: Assistant,
    fake: FakeProvider,
    webhook: hooks.Webhook,
    user: str,
    recipient: str,
    before: int,
    text: str | None = None,
) -> list[Call]:
    """Send one signed message (``text``), wait for its turn; every reply after the first ``before``."""
    users_before = len(user_texts(bot, user))
    status, _ = post(bot, webhook)
    assert status == 200
    wait_for_turn(bot, user, users_before, text)
    replies = fake.messages(provider_of(webhook.provider), recipient)[before:]
    assert replies, f"no reply reached the fake {webhook.provider} API for {recipient}"
    assert [error for call in replies for error in call.errors] == []
    return replies


def marker_replies(bot: Assistant, fake: FakeProvider, channel: str, user: str, before: int) -> list[Call]:
    """Send MARKER after messages that must stay unanswered; every reply after the first ``before``.

    The webhook decides whether to handle a message before it answers (a
    retry or a carrier keyword is dropped there), and Rasa handles one
    conversation's messages in the order they were handed over. So once
    MARKER's turn is stored, anything an earlier message set off has been
    stored and sent too: the replies are MARKER's alone, or something leaked.
    """
    webhook = message_for(channel, bot, user, MARKER)
    return replies_since(bot, fake, webhook, user, recipient_of(channel, user), before, MARKER)


def text_of(replies: list[Call]) -> str:
    return "\n".join(call.text for call in replies)


def message_for(channel: str, bot: Assistant, sender: str, text: str) -> hooks.Webhook:
    if channel == "slack":
        return hooks.slack_message(sender, text)
    if channel == "facebook":
        return hooks.messenger_message(sender, text)
    if channel in ("twilio", "twilio_whatsapp"):
        return hooks.twilio_message(bot.rasa_url, sender, text, whatsapp=channel == "twilio_whatsapp")
    return hooks.telegram_message(int(sender), text)


def recipient_of(channel: str, sender: str) -> str:
    # Slack answers in the DM channel the event came from.
    return f"D{sender[1:]}" if channel == "slack" else sender


CHANNELS = ["slack", "facebook", "twilio", "twilio_whatsapp", "telegram"]
SENDERS = {
    "slack": lambda n: f"U0E2E{n:05d}",
    "facebook": lambda n: f"71{n:014d}",
    "twilio": lambda n: f"+4477009{n:05d}",
    "twilio_whatsapp": lambda n: f"whatsapp:+4478009{n:05d}",
    "telegram": lambda n: str(50_000_000 + n),
}


def sender(channel: str) -> str:
    return SENDERS[channel](hooks.next_id() % 100_000)
