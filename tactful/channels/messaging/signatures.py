"""Webhook signature checks, one pure function per provider.

Each takes the raw request pieces, so the checks are unit-tested without a
server and every comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping, Sequence

from twilio.request_validator import RequestValidator

# Slack's own recommendation: refuse requests older than five minutes, so a
# captured request cannot be replayed later.
SLACK_MAX_AGE_SECONDS = 300


def slack_signature_valid(
    signing_secret: str,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: float | None = None,
) -> bool:
    """Slack ``X-Slack-Signature``: ``v0=`` HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    if not timestamp or not signature:
        return False
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - sent_at) > SLACK_MAX_AGE_SECONDS:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def hub_signature_valid(
    app_secret: str, body: bytes, signature_256: str | None, signature_sha1: str | None
) -> bool:
    """Messenger ``X-Hub-Signature-256`` (``sha256=``), else legacy ``X-Hub-Signature`` (``sha1=``).

    When the SHA-256 header is present it alone decides: a wrong SHA-256
    signature is never rescued by a SHA-1 one. Only these two algorithms are
    accepted (the stock connector takes any hashlib name from the header).
    """
    if signature_256:
        return _hub_matches(app_secret, body, signature_256, "sha256", hashlib.sha256)
    if signature_sha1:
        return _hub_matches(app_secret, body, signature_sha1, "sha1", hashlib.sha1)
    return False


def _hub_matches(secret: str, body: bytes, header: str, prefix: str, digest) -> bool:  # type: ignore[no-untyped-def]
    algorithm, _, received = header.partition("=")
    if algorithm.strip().lower() != prefix or not received:
        return False
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    return hmac.compare_digest(expected, received.strip().lower())


def twilio_signature_valid(
    auth_token: str, url: str, params: Mapping[str, Sequence[str]], signature: str | None
) -> bool:
    """Twilio ``X-Twilio-Signature``: base64 HMAC-SHA1 of the URL plus the sorted form fields.

    ``params`` must keep blank values: Twilio signs fields such as ``FromCity=``.
    """
    if not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, _MultiDict(params), signature))


def telegram_secret_valid(secret_token: str, header: str | None) -> bool:
    """Telegram ``X-Telegram-Bot-Api-Secret-Token``: the secret given to setWebhook."""
    if not header:
        return False
    return hmac.compare_digest(secret_token.encode(), header.encode())


class _MultiDict(dict):
    """A dict Twilio's validator reads every value of (it calls ``getlist``)."""

    def getlist(self, name: str) -> list[str]:
        return list(self[name])
