"""Every messaging channel end to end: a signed message is answered, a forged one is not.

Real Rasa + action servers (the ``bot`` of conftest.py, run with the shipped
credentials.yml messaging entries) and real webhook shapes, for each channel:
a signed message is answered through the provider's API, a forged or unsigned
webhook gets 403 and reaches no one, a provider's retry is answered once, and
starting Rasa calls no provider. Replies are caught at the local fake provider
API, which checks each request's format. Provider-specific handshakes and
payloads are in test_messaging_e2e_inputs.py, account linking in
test_messaging_e2e_linking.py.
"""

from __future__ import annotations

import pytest

from actions import wording
from tests.messaging.e2e_support import (
    CHANNELS,
    MARKER,
    marker_replies,
    message_for,
    post,
    provider_of,
    recipient_of,
    said,
    sender,
    text_of,
    turn,
    user_texts,
)
from tests.messaging.fake_provider import FakeProvider
from tests.support.assistant import Assistant

pytestmark = pytest.mark.e2e

GREETING = "Hi! I can help"


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
