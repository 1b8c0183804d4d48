"""Every messaging channel end to end: real Rasa + action servers, real webhook shapes.

The credentials file is credentials.yml with its commented messaging entries
enabled, so the shipped entries are what runs. Replies are caught at a local
fake provider API that checks each request's format. One assistant serves the
whole module (Rasa takes ~30 s to start).
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from actions import linking, wording
from tactful.channels.messaging.twilio import EMPTY_TWIML
from tests.messaging import webhooks as hooks
from tests.messaging.fake_provider import (
    FACEBOOK_PAGE_TOKEN,
    SLACK_TOKEN,
    TELEGRAM_TOKEN,
    TWILIO_SID,
    TWILIO_TOKEN,
    Call,
    FakeProvider,
    running_fake_provider,
)
from tests.support.assistant import RASA_TOKEN, Assistant, start_assistant
from tests.support.servers import REPO_ROOT
from tests.support.shop import order_ids_of

pytestmark = pytest.mark.e2e

GREETING = "Hi! I can help"
SIGN_IN = "signed in"
# A marker message, answered with SIGN_IN_NEEDED alone while the sender is anonymous.
MARKER = "where is my order?"


def enable_messaging(credentials: str) -> str:
    """credentials.yml with every commented messaging entry switched on, as its notes say."""
    lines, inside = [], False
    for line in credentials.splitlines():
        if line.startswith("## --- Messaging apps"):
            inside = True
        elif line.startswith("## --- end of messaging apps"):
            inside = False
        elif inside and line.startswith("#") and not line.startswith("##"):
            line = line[1:]
        lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProvider]:
    with running_fake_provider() as provider:
        yield provider


@pytest.fixture(scope="module")
def bot(fake: FakeProvider, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    workdir = tmp_path_factory.mktemp("messaging")
    credentials = workdir / "credentials.yml"
    credentials.write_text(enable_messaging((REPO_ROOT / "credentials.yml").read_text()))
    env = {
        "TACTFUL_CREDENTIALS": str(credentials),
        "TACTFUL_SLACK_BOT_TOKEN": SLACK_TOKEN,
        "TACTFUL_SLACK_SIGNING_SECRET": hooks.SLACK_SIGNING_SECRET,
        "TACTFUL_FACEBOOK_VERIFY_TOKEN": hooks.FACEBOOK_VERIFY_TOKEN,
        "TACTFUL_FACEBOOK_APP_SECRET": hooks.FACEBOOK_APP_SECRET,
        "TACTFUL_FACEBOOK_PAGE_TOKEN": FACEBOOK_PAGE_TOKEN,
        "TACTFUL_TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TACTFUL_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TACTFUL_TWILIO_SMS_NUMBER": hooks.TWILIO_SMS_NUMBER,
        "TACTFUL_TWILIO_WHATSAPP_NUMBER": hooks.TWILIO_WHATSAPP_NUMBER,
        "TACTFUL_TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TACTFUL_TELEGRAM_SECRET_TOKEN": hooks.TELEGRAM_SECRET,
        "TACTFUL_LINK_OUTBOX": str(workdir / "link_codes.jsonl"),
        "TACTFUL_LINK_DELIVERY": "outbox",
        "TACTFUL_PUBLIC_URL": "",
        "TACTFUL_REDIS_URL": "",
        **{
            f"TACTFUL_{p.upper()}_API_BASE": fake.base_url(p)
            for p in ("slack", "facebook", "twilio", "telegram")
        },
    }
    with start_assistant(workdir, extra_env=env) as assistant:
        yield assistant


# -- talking to the bot as each provider would --------------------------------------


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


# -- tests ------------------------------------------------------------------------------


def test_rasa_starts_without_calling_any_provider(bot: Assistant, fake: FakeProvider) -> None:
    # The stock Telegram connector calls setWebhook at start and getMe per message.
    assert [call for call in fake.calls if call.method in ("setWebhook", "getMe")] == []


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_signed_message_is_answered_through_the_provider_api(
    bot: Assistant, fake: FakeProvider, channel: str
) -> None:
    user = sender(channel)
    replies = turn(bot, fake, message_for(channel, bot, user, "hello"), user, recipient_of(channel, user))
    assert GREETING in text_of(replies)
    assert user_texts(bot, user) == ["hello"]


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("tamper", ["forged", "unsigned"])
def test_a_forged_or_unsigned_webhook_gets_403_and_reaches_no_one(
    bot: Assistant, fake: FakeProvider, channel: str, tamper: str
) -> None:
    user = sender(channel)
    webhook = message_for(channel, bot, user, "where is my order")
    status, _ = post(bot, webhook.forged() if tamper == "forged" else webhook.unsigned())
    # The 403 is answered before anything is handed over (docs/channels.md), so
    # there is nothing to wait for: nothing was sent and the tracker is empty.
    assert status == 403
    assert fake.messages(provider_of(channel), recipient_of(channel, user)) == []
    assert said(bot, user) == []


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_provider_retry_is_answered_once(bot: Assistant, fake: FakeProvider, channel: str) -> None:
    user = sender(channel)
    webhook = message_for(channel, bot, user, "hello")
    first = turn(bot, fake, webhook, user, recipient_of(channel, user))
    # Slack marks its retries; the others resend the same event id as is.
    retry_headers = (
        {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"} if channel == "slack" else {}
    )
    for _ in range(2):
        status, _ = post(bot, webhook, retry_headers)
        assert status == 200
    assert GREETING in text_of(first)
    after = marker_replies(bot, fake, channel, user, len(first))
    assert text_of(after) == wording.SIGN_IN_NEEDED
    assert user_texts(bot, user) == ["hello", MARKER]


def test_slack_url_verification_is_signed_and_answered(bot: Assistant) -> None:
    webhook = hooks.slack_url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    status, body = post(bot, webhook)
    assert (status, json.loads(body)) == (
        200,
        {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"},
    )
    assert post(bot, webhook.unsigned())[0] == 403


def test_messenger_subscription_needs_the_verify_token(bot: Assistant) -> None:
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": hooks.FACEBOOK_VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    url = f"{bot.rasa_url}/webhooks/facebook/webhook?"
    with urllib.request.urlopen(url + urllib.parse.urlencode(query), timeout=10) as answer:
        assert answer.read() == b"1158201444"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(
            url + urllib.parse.urlencode({**query, "hub.verify_token": "guess"}), timeout=10
        )
    assert refused.value.code == 403


@pytest.mark.parametrize("word", ["STOP", "cancel", "Help", "START"])
def test_sms_carrier_keywords_are_left_to_twilio(bot: Assistant, fake: FakeProvider, word: str) -> None:
    user = sender("twilio")
    webhook = hooks.twilio_message(bot.rasa_url, user, word)
    status, body = post(bot, webhook)
    assert (status, body) == (200, EMPTY_TWIML)
    assert text_of(marker_replies(bot, fake, "twilio", user, 0)) == wording.SIGN_IN_NEEDED
    assert user_texts(bot, user) == [MARKER]


def test_buttons_and_quick_replies_come_back_as_their_payload(bot: Assistant, fake: FakeProvider) -> None:
    slack_user, psid, chat = sender("slack"), sender("facebook"), sender("telegram")
    turn(bot, fake, hooks.slack_button(slack_user, "/deny"), slack_user, recipient_of("slack", slack_user))
    turn(bot, fake, hooks.messenger_message(psid, "No", quick_reply_payload="/deny"), psid)
    turn(bot, fake, hooks.telegram_button(int(chat), "/deny"), chat)
    assert user_texts(bot, slack_user) == user_texts(bot, psid) == user_texts(bot, chat) == ["/deny"]
    assert any(call.method == "answerCallbackQuery" for call in fake.calls)


def test_a_typed_intent_payload_claims_no_identity(bot: Assistant, fake: FakeProvider) -> None:
    chat = sender("telegram")
    replies = turn(bot, fake, hooks.telegram_message(int(chat), '/order_status{"customer_id":"C001"}'), chat)
    assert not set(order_ids_of(bot.shop_db_url, "C001")) & set(re.findall(r"\w+", text_of(replies)))
    assert user_texts(bot, chat) == ['order_status{"customer_id":"C001"}']


# -- linking ----------------------------------------------------------------------------


def outbox_codes(bot: Assistant, email: str) -> list[str]:
    path = Path(bot.env["TACTFUL_LINK_OUTBOX"])
    if not path.exists():
        return []
    return [
        record["code"] for record in map(json.loads, path.read_text().splitlines()) if record["to"] == email
    ]


def wait_for_code(bot: Assistant, email: str, count: int) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(outbox_codes(bot, email)) < count:
        time.sleep(0.1)
    codes = outbox_codes(bot, email)
    assert len(codes) == count, f"no code for {email} in the outbox"
    return codes[-1]


def test_an_sms_user_links_their_account_and_then_gets_order_data(bot: Assistant, fake: FakeProvider) -> None:
    phone = sender("twilio")

    def say(text: str) -> str:
        return text_of(turn(bot, fake, hooks.twilio_message(bot.rasa_url, phone, text), phone))

    alice_orders = order_ids_of(bot.shop_db_url, "C001")
    anonymous = say("where is my order?")
    assert SIGN_IN in anonymous and not any(order in anonymous for order in alice_orders)
    assert say("link my account") == linking.ASK_EMAIL
    assert say("alice@example.com") == linking.CODE_SENT
    code = wait_for_code(bot, "alice@example.com", 1)
    assert say(code) == linking.LINKED
    answer = say("where is my order?")
    assert any(order in answer for order in alice_orders)
    if "Reply 1 for" in answer:  # an offer may follow a resolved request: numbered, "2" declines
        assert "No problem" in say("2")


def test_an_unknown_email_gets_the_identical_reply(bot: Assistant, fake: FakeProvider) -> None:
    phone = sender("twilio")
    webhook = hooks.twilio_message(bot.rasa_url, phone, "nobody-at-all@example.com")
    assert text_of(turn(bot, fake, webhook, phone)) == linking.CODE_SENT
    # Codes go out after the reply, in the order they were asked for: once a
    # known customer's later code is in the outbox, the unknown one would be too.
    correction = hooks.twilio_message(bot.rasa_url, phone, "carol@example.com")
    assert text_of(turn(bot, fake, correction, phone)) == linking.CODE_SENT
    wait_for_code(bot, "carol@example.com", 1)
    assert outbox_codes(bot, "nobody-at-all@example.com") == []


def test_five_wrong_codes_lock_linking(bot: Assistant, fake: FakeProvider) -> None:
    chat = sender("telegram")

    def say(text: str) -> str:
        return text_of(turn(bot, fake, hooks.telegram_message(int(chat), text), chat))

    before = len(outbox_codes(bot, "bob@example.com"))
    assert say("my email is bob@example.com") == linking.CODE_SENT
    code = wait_for_code(bot, "bob@example.com", before + 1)
    wrong = "000000" if code != "000000" else "111111"
    answers = [say(wrong) for _ in range(5)]
    assert answers[0] == linking.WRONG.format(tries=4, noun="tries")
    assert answers[3] == linking.WRONG.format(tries=1, noun="try")
    assert answers[4] == linking.LOCKED
    assert say(code) == linking.LOCKED
    assert SIGN_IN in say("where is my order?")
