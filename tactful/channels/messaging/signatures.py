"""Webhook signature checks, one pure function per provider.

Each takes the raw request pieces, so the checks are unit-tested without a
server and every comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence

from slack_sdk.signature import Clock, SignatureVerifier
from twilio.request_validator import RequestValidator


class _FixedClock(Clock):
    """A clock stopped at ``at``: checks a request as of the moment it was made."""

    def __init__(self, at: float) -> None:
        self._at = at

    def now(self) -> float:
        return self._at


def slack_signature_valid(
    signing_secret: str,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: float | None = None,
) -> bool:
    """Slack ``X-Slack-Signature``: ``v0=`` HMAC-SHA256 of ``v0:{timestamp}:{body}``.

    slack_sdk's ``SignatureVerifier`` also refuses a timestamp more than five
    minutes from ``now`` (Slack's own advice), so a captured request cannot be
    replayed later. It raises where a webhook check must just say no: on an
    empty secret, a timestamp that is not a number, a body that is not UTF-8
    (Slack only sends UTF-8) or a header with non-ASCII characters
    (``hmac.compare_digest`` refuses those).
    """
    if not signing_secret.strip() or not timestamp or not signature:
        return False
    clock = Clock() if now is None else _FixedClock(now)
    try:
        return SignatureVerifier(signing_secret, clock).is_valid(body, timestamp, signature)
    except (ValueError, TypeError):
        return False


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


class _MultiDict(dict[str, Sequence[str]]):
    """A dict Twilio's validator reads every value of (it calls ``getlist``)."""

    def getlist(self, name: str) -> list[str]:
        return list(self[name])
