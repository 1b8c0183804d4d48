"""HMAC-SHA256 request signing for helpdesk webhooks, in both directions.

The signature covers ``"{timestamp}.{raw body}"`` so a captured request cannot
be replayed later with a fresh timestamp, and the receiver checks the body it
actually received (not a re-serialised copy).
"""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Tactful-Timestamp"
SIGNATURE_HEADER = "X-Tactful-Signature"
MAX_AGE_SECONDS = 300


class SignatureError(Exception):
    """A request's signature is missing, stale or wrong; ``status`` is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``timestamp.body`` with ``secret``."""
    message = timestamp.encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(now if now is not None else time.time()))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, body)}


def verify(
    secret: str,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: float | None = None,
    max_age: int = MAX_AGE_SECONDS,
) -> None:
    """Raise SignatureError unless the request is fresh and correctly signed.

    Missing or stale credentials answer 401 (authenticate again); a wrong
    signature answers 403.
    """
    if not timestamp or not signature:
        raise SignatureError(401, f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER} header")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise SignatureError(401, f"{TIMESTAMP_HEADER} must be Unix seconds") from None
    current = now if now is not None else time.time()
    if abs(current - sent_at) > max_age:
        raise SignatureError(401, f"{TIMESTAMP_HEADER} is more than {max_age} seconds off")
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise SignatureError(403, "bad signature")
