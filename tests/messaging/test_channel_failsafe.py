"""A messaging channel fails safe: it never starts without its secrets, and an outage only logs.

Every channel refuses credentials that lack its signing secret (or its
number, or carry a malformed Telegram secret token), so an unsigned webhook
can never be accepted; a provider API that is down is logged, not raised into
the conversation. No fake provider is needed.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.exceptions import InvalidConfigException

from tactful.channels.messaging.facebook import FacebookInput
from tactful.channels.messaging.slack import SlackInput
from tactful.channels.messaging.telegram import TelegramInput
from tactful.channels.messaging.twilio import TwilioInput
from tests.messaging.channel_support import send


@pytest.mark.parametrize(
    ("cls", "credentials", "missing"),
    [
        (SlackInput, {"slack_token": "x"}, "slack_signing_secret"),
        (FacebookInput, {"verify": "v", "page-access-token": "p"}, "secret"),
        (TwilioInput, {"account_sid": "AC", "twilio_number": "+1"}, "auth_token"),
        (TwilioInput, {"account_sid": "AC", "auth_token": "t"}, "twilio_number"),
        (TelegramInput, {"access_token": "t"}, "secret_token"),
        (TelegramInput, {"access_token": "t", "secret_token": "has spaces"}, "secret_token"),
    ],
)
def test_a_channel_never_starts_without_its_secrets(cls: Any, credentials: dict, missing: str) -> None:
    with pytest.raises(InvalidConfigException, match=missing):
        cls.from_credentials(credentials)


def test_a_provider_outage_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    channel = SlackInput.from_credentials(
        {"slack_token": "x", "slack_signing_secret": "y", "api_base": "http://127.0.0.1:9/api"}
    )
    send(channel, "U1", {"text": "hello"})
    assert "chat.postMessage failed" in caplog.text
