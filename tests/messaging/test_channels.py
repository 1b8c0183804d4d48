"""Each channel's parsing of real webhook shapes, and its replies at the fake provider API.

The full path (signed webhook -> Rasa -> reply) runs in test_messaging_e2e*.py;
these tests pin the per-provider details quickly and without a model: signed
webhooks are read as the user wrote them (and forged or unsigned ones are
not), what is not a user message is dropped, the handshakes, and replies in
each provider's own format and length limits. All of them share this
module's own fake provider (it replaces the e2e bot's ``fake`` of
conftest.py here); how a channel fails safe is in test_channel_failsafe.py.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest

from tactful.channels.messaging.slack import clean_text
from tests.messaging import webhooks as hooks
from tests.messaging.channel_support import RASA, Request, channels, send
from tests.messaging.fake_provider import TWILIO_TOKEN, FakeProvider, running_fake_provider


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProvider]:
    with running_fake_provider() as provider:
        yield provider


def signed_examples() -> list[tuple[str, hooks.Webhook, str, str]]:
    """(channel, webhook, expected sender id, expected text)."""
    return [
        (
            "slack",
            hooks.slack_message("U0CUSTOMER", "hi <mailto:ann@example.com|ann@example.com> &amp; co"),
            "U0CUSTOMER",
            "hi ann@example.com & co",
        ),
        ("slack", hooks.slack_button("U0CUSTOMER", "/accept_offer"), "U0CUSTOMER", "/accept_offer"),
        (
            "facebook",
            hooks.messenger_message("6543210987654321", "where is my order"),
            "6543210987654321",
            "where is my order",
        ),
        (
            "facebook",
            hooks.messenger_message("6543210987654321", "No thanks", quick_reply_payload="/decline_offer"),
            "6543210987654321",
            "/decline_offer",
        ),
        (
            "twilio",
            hooks.twilio_message(RASA, "+447700900123", "where is my order"),
            "+447700900123",
            "where is my order",
        ),
        (
            "twilio_whatsapp",
            hooks.twilio_message(RASA, "whatsapp:+447700900123", "2", whatsapp=True),
            "whatsapp:+447700900123",
            "2",
        ),
        ("telegram", hooks.telegram_message(987654321, "hello there"), "987654321", "hello there"),
        ("telegram", hooks.telegram_message(987654321, "/start"), "987654321", "hello"),
        ("telegram", hooks.telegram_button(987654321, "/deny"), "987654321", "/deny"),
    ]


# Built when the test runs, not at collection: Slack refuses a timestamp older
# than five minutes, and a full run reaches these tests later than that.
@pytest.mark.parametrize("example", range(len(signed_examples())))
def test_signed_webhooks_are_read_as_the_user_wrote_them(fake: FakeProvider, example: int) -> None:
    name, webhook, sender, text = signed_examples()[example]
    channel = channels(fake)[name]
    request = Request(webhook)
    assert channel.is_signed(request)
    assert not channel.is_signed(Request(webhook.forged()))
    assert not channel.is_signed(Request(webhook.unsigned()))
    [message] = channel.read(request).messages
    assert (message.sender_id, message.text) == (sender, text)
    assert message.event_id


@pytest.mark.parametrize(
    ("name", "webhook"),
    [
        # The bot's own post, an edit, and a message in a shared channel.
        ("slack", hooks.slack_message(hooks.SLACK_BOT_USER, "I am the bot")),
        ("facebook", hooks.messenger_message("123", "")),
        ("twilio", hooks.twilio_message(RASA, "+447700900123", "STOP")),
        ("twilio", hooks.twilio_message(RASA, "+447700900123", " cancel ")),
        ("twilio", hooks.twilio_message(RASA, "+447700900123", "help")),
        ("twilio", hooks.twilio_message(RASA, "+447700900123", "Start")),
        ("twilio_whatsapp", hooks.twilio_message(RASA, "whatsapp:+447700900123", "STOP", whatsapp=True)),
        ("telegram", hooks.telegram_message(-100123, "hello group", chat_type="group")),
    ],
)
def test_what_is_not_a_user_message_for_the_bot_is_acknowledged_and_dropped(
    fake: FakeProvider, name: str, webhook: hooks.Webhook
) -> None:
    channel = channels(fake)[name]
    assert channel.read(Request(webhook)).messages == []


def test_slack_ignores_subtypes_bot_ids_and_shared_channels(fake: FakeProvider) -> None:
    channel = channels(fake)["slack"]
    for change in ({"subtype": "message_changed"}, {"bot_id": "B01"}, {"channel_type": "channel"}):
        body = json.loads(hooks.slack_message("U0CUSTOMER", "hi").body)
        body["event"].update(change)
        webhook = hooks.sign(
            hooks.Webhook(
                "slack", "/webhooks/slack/webhook", json.dumps(body).encode(), {}, hooks.SLACK_SIGNING_SECRET
            )
        )
        assert channel.read(Request(webhook)).messages == [], change


def test_slack_url_verification_answers_the_challenge(fake: FakeProvider) -> None:
    answer = channels(fake)["slack"].read(Request(hooks.slack_url_verification("3eZbrw1aB"))).answer
    assert json.loads(answer.body) == {"challenge": "3eZbrw1aB"}


def test_clean_text_restores_links_and_drops_mentions() -> None:
    assert (
        clean_text("<@U0BOT> my email is <mailto:a.b@example.com|a.b@example.com>")
        == "my email is a.b@example.com"
    )
    assert clean_text("see <https://shop.example/x>") == "see https://shop.example/x"
    assert clean_text("1 &lt; 2 &amp;&amp; 3 &gt; 2") == "1 < 2 && 3 > 2"


def test_twilio_whatsapp_keeps_help_as_chat_but_sms_does_not(fake: FakeProvider) -> None:
    sms, whatsapp = channels(fake)["twilio"], channels(fake)["twilio_whatsapp"]
    assert sms.read(Request(hooks.twilio_message(RASA, "+447700900123", "HELP"))).messages == []
    [message] = whatsapp.read(
        Request(hooks.twilio_message(RASA, "whatsapp:+4477", "HELP", whatsapp=True))
    ).messages
    assert message.text == "HELP"


def test_twilio_honours_opt_out_type_from_advanced_opt_out(fake: FakeProvider) -> None:
    webhook = hooks.twilio_message(RASA, "+447700900123", "YES")
    body = webhook.body + b"&OptOutType=START"
    assert (
        channels(fake)["twilio"]
        .read(
            Request(
                hooks.sign(hooks.Webhook("twilio", webhook.path, body, {}, TWILIO_TOKEN), webhook.public_url)
            )
        )
        .messages
        == []
    )


def test_a_messenger_batch_yields_every_event_in_order(fake: FakeProvider) -> None:
    first = json.loads(hooks.messenger_message("111", "one").body)
    second = json.loads(hooks.messenger_message("222", "two").body)
    echo = json.loads(hooks.messenger_message("111", "echo").body)
    echo["entry"][0]["messaging"][0]["message"]["is_echo"] = True
    first["entry"][0]["messaging"] += echo["entry"][0]["messaging"]
    first["entry"] += second["entry"]
    webhook = hooks.sign(
        hooks.Webhook("facebook", "/x", json.dumps(first).encode(), {}, hooks.FACEBOOK_APP_SECRET)
    )
    messages = channels(fake)["facebook"].read(Request(webhook)).messages
    assert [(m.sender_id, m.text) for m in messages] == [("111", "one"), ("222", "two")]


def test_messenger_verification_needs_the_verify_token(fake: FakeProvider) -> None:
    channel = channels(fake)["facebook"]
    get = hooks.Webhook("facebook", "/webhooks/facebook/webhook", b"", {})
    good = {
        "hub.mode": "subscribe",
        "hub.verify_token": hooks.FACEBOOK_VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    answer = asyncio.run(channel.handshake(Request(get, "GET", good)))
    assert (answer.status, answer.body) == (200, b"1158201444")
    answer = asyncio.run(channel.handshake(Request(get, "GET", {**good, "hub.verify_token": "nope"})))
    assert answer.status == 403


CHOICES = [
    {"title": "Yes, add it", "payload": "/accept_offer"},
    {"title": "No thanks", "payload": "/decline_offer"},
]
QUICK = {"custom": {"text": "Add a card?", "quick_replies": [{"content_type": "text", **c} for c in CHOICES]}}


@pytest.mark.parametrize(
    ("name", "recipient", "message", "expected_text", "expected_choices"),
    [
        ("slack", "U0OUT1", {"text": "Plain"}, "Plain", []),
        (
            "slack",
            "U0OUT2",
            {"text": "Add a card?", "buttons": CHOICES},
            "Add a card?",
            [("Yes, add it", "/accept_offer"), ("No thanks", "/decline_offer")],
        ),
        ("facebook", "fb-out-1", {"text": "Plain"}, "Plain", []),
        (
            "facebook",
            "fb-out-2",
            QUICK,
            "Add a card?",
            [("Yes, add it", "/accept_offer"), ("No thanks", "/decline_offer")],
        ),
        (
            "facebook",
            "fb-out-3",
            {"text": "Add a card?", "buttons": CHOICES},
            "Add a card?",
            [("Yes, add it", "/accept_offer"), ("No thanks", "/decline_offer")],
        ),
        ("twilio", "+447700900001", {"text": "Plain\n\nTwo paragraphs"}, "Plain\n\nTwo paragraphs", []),
        (
            "twilio",
            "+447700900002",
            {"text": "Add a card?", "buttons": CHOICES},
            "Add a card?\nReply 1 for Yes, add it or 2 for No thanks.",
            [],
        ),
        (
            "twilio_whatsapp",
            "whatsapp:+447700900003",
            QUICK,
            "Add a card?\nReply 1 for Yes, add it or 2 for No thanks.",
            [],
        ),
        ("telegram", "555", {"text": "Plain"}, "Plain", []),
        (
            "telegram",
            "556",
            {"text": "Add a card?", "buttons": CHOICES},
            "Add a card?",
            [("Yes, add it", "/accept_offer"), ("No thanks", "/decline_offer")],
        ),
    ],
)
def test_replies_reach_the_provider_api_in_its_format(
    fake: FakeProvider, name: str, recipient: str, message: dict, expected_text: str, expected_choices: list
) -> None:
    channel = channels(fake)[name]
    provider = "twilio" if name.startswith("twilio") else name
    send(channel, recipient, dict(message))
    [call] = fake.messages(provider, recipient)
    assert call.errors == []
    assert call.text == expected_text
    assert call.choices == expected_choices
    if name == "twilio_whatsapp":
        assert call.body["From"] == f"whatsapp:{hooks.TWILIO_WHATSAPP_NUMBER}"


def test_long_texts_are_split_within_the_provider_limit(fake: FakeProvider) -> None:
    send(channels(fake)["twilio"], "+447700900099", {"text": "word " * 500})
    calls = fake.messages("twilio", "+447700900099")
    assert len(calls) == 2 and all(not call.errors for call in calls)
