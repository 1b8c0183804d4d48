"""How webhooks are signed: the ``Webhook`` a provider sends and each provider's signature.

The secrets and ids the test bot is configured with, ``next_id`` for unique
event / message ids, the ``Webhook`` (path, body bytes, headers) with
``forged`` (re-signed with the wrong secret) and ``unsigned`` (signature
dropped), and ``sign``: Slack's v0 HMAC, Messenger's X-Hub-Signature(-256),
Twilio's URL-and-form signature and Telegram's secret-token header. The
payload builders are in webhooks.py.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import time
from dataclasses import dataclass, replace
from urllib.parse import parse_qs

from twilio.request_validator import RequestValidator

SLACK_SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
FACEBOOK_APP_SECRET = "fb-app-secret-for-tests"
FACEBOOK_VERIFY_TOKEN = "fb-verify-token-for-tests"
TELEGRAM_SECRET = "telegram-secret_token-for-tests"
TWILIO_SMS_NUMBER = "+15005550006"
TWILIO_WHATSAPP_NUMBER = "+14155238886"
SLACK_BOT_USER = "U0BOTUSER1"
FACEBOOK_PAGE_ID = "104512345678901"
WRONG_SECRET = "not-the-real-secret"

_ids = itertools.count(int(time.time()) % 100_000 * 1000)


def next_id() -> int:
    return next(_ids)


@dataclass(frozen=True)
class Webhook:
    provider: str
    path: str
    body: bytes
    headers: dict[str, str]
    # Key material to re-sign a copy (forged / changed), kept out of headers.
    sign_with: str = ""
    # The URL a Twilio signature covers.
    public_url: str = ""

    def forged(self) -> Webhook:
        return sign(replace(self, sign_with=WRONG_SECRET), self.public_url)

    def unsigned(self) -> Webhook:
        dropped = {
            "X-Slack-Signature",
            "X-Hub-Signature",
            "X-Hub-Signature-256",
            "X-Twilio-Signature",
            "X-Telegram-Bot-Api-Secret-Token",
        }
        return replace(self, headers={k: v for k, v in self.headers.items() if k not in dropped})


def sign(webhook: Webhook, url: str = "") -> Webhook:
    headers = dict(webhook.headers)
    secret = webhook.sign_with
    if webhook.provider == "slack":
        stamp = headers.get("X-Slack-Request-Timestamp") or str(int(time.time()))
        base = b"v0:" + stamp.encode() + b":" + webhook.body
        headers["X-Slack-Request-Timestamp"] = stamp
        headers["X-Slack-Signature"] = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    elif webhook.provider == "facebook":
        headers["X-Hub-Signature-256"] = (
            "sha256=" + hmac.new(secret.encode(), webhook.body, hashlib.sha256).hexdigest()
        )
        headers["X-Hub-Signature"] = (
            "sha1=" + hmac.new(secret.encode(), webhook.body, hashlib.sha1).hexdigest()
        )
    elif webhook.provider in ("twilio", "twilio_whatsapp"):
        params = {k: v[0] for k, v in parse_qs(webhook.body.decode(), keep_blank_values=True).items()}
        headers["X-Twilio-Signature"] = RequestValidator(secret).compute_signature(url, params)
    elif webhook.provider == "telegram":
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return replace(webhook, headers=headers, public_url=url)
