"""Driving a messaging channel directly, without Rasa: its requests in, its replies out.

``Request`` stands in for the parts of a Sanic request the channels read (a
webhook from webhooks.py, as served at ``RASA``); ``channels(fake)`` builds
every channel from its credentials, pointed at a fake provider API; ``send``
makes a channel's output channel send one reply. Used by test_channels.py and
test_channel_failsafe.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tactful.channels.messaging.facebook import FacebookInput
from tactful.channels.messaging.slack import SlackInput
from tactful.channels.messaging.telegram import TelegramInput
from tactful.channels.messaging.twilio import TwilioInput, TwilioWhatsAppInput
from tests.messaging import webhooks as hooks
from tests.messaging.fake_provider import (
    FACEBOOK_PAGE_TOKEN,
    SLACK_TOKEN,
    TELEGRAM_TOKEN,
    TWILIO_SID,
    TWILIO_TOKEN,
    FakeProvider,
)

RASA = "http://127.0.0.1:5005"


class Headers(dict):
    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        lowered = {k.lower(): v for k, v in self.items()}
        return lowered.get(key.lower(), default)


class Request:
    """The parts of a Sanic request the channels read."""

    def __init__(self, webhook: hooks.Webhook, method: str = "POST", args: dict[str, str] | None = None):
        self.body = webhook.body
        self.headers = Headers(webhook.headers)
        self.method = method
        self.args = args or {}
        self.path = webhook.path
        self.query_string = ""
        self.url = webhook.public_url or RASA + webhook.path


def channels(fake: FakeProvider) -> dict[str, Any]:
    return {
        "slack": SlackInput.from_credentials(
            {
                "slack_token": SLACK_TOKEN,
                "slack_signing_secret": hooks.SLACK_SIGNING_SECRET,
                "api_base": fake.base_url("slack"),
            }
        ),
        "facebook": FacebookInput.from_credentials(
            {
                "verify": hooks.FACEBOOK_VERIFY_TOKEN,
                "secret": hooks.FACEBOOK_APP_SECRET,
                "page-access-token": FACEBOOK_PAGE_TOKEN,
                "api_base": fake.base_url("facebook"),
            }
        ),
        "twilio": TwilioInput.from_credentials(
            {
                "account_sid": TWILIO_SID,
                "auth_token": TWILIO_TOKEN,
                "twilio_number": hooks.TWILIO_SMS_NUMBER,
                "api_base": fake.base_url("twilio"),
            }
        ),
        "twilio_whatsapp": TwilioWhatsAppInput.from_credentials(
            {
                "account_sid": TWILIO_SID,
                "auth_token": TWILIO_TOKEN,
                "twilio_number": hooks.TWILIO_WHATSAPP_NUMBER,
                "api_base": fake.base_url("twilio"),
            }
        ),
        "telegram": TelegramInput.from_credentials(
            {
                "access_token": TELEGRAM_TOKEN,
                "secret_token": hooks.TELEGRAM_SECRET,
                "api_base": fake.base_url("telegram"),
            }
        ),
    }


def send(channel: Any, recipient: str, message: dict[str, Any]) -> None:
    asyncio.run(channel.get_output_channel().send_response(recipient, message))
