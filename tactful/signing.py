"""The one HMAC-SHA256 scheme for every signed webhook of ours, in and out.

Three headers on each request:

* ``X-Tactful-Timestamp``: Unix seconds when it was signed.
* ``X-Tactful-Id``: a random id, new for every request (and every retry).
* ``X-Tactful-Signature``: ``v1=`` + hex HMAC-SHA256 of ``"{timestamp}.{id}.{raw body}"``.

The timestamp bounds how long a captured request is worth anything
(``max_age``); the id lets the receiver refuse the same request twice within
that window (``ReplayGuard``). Both are inside the HMAC, so neither can be
changed without the secret. The signature covers the bytes actually sent, not
a re-serialised copy. ``v1=`` names the scheme, so a signature made under
another one (such as an older body-only ``sha256=``) can never be mistaken for
this one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
import uuid
from collections.abc import Mapping

from tactful.dedupe import (
    DedupeUnavailable,
    MemoryRetryFilter,
    RedisRetryFilter,
    RetryFilter,
)

TIMESTAMP_HEADER = "X-Tactful-Timestamp"
ID_HEADER = "X-Tactful-Id"
SIGNATURE_HEADER = "X-Tactful-Signature"
SCHEME = "v1"
MAX_AGE_SECONDS = 300
REPLAY_KEY_PREFIX = "tactful:replay:"

# ASCII classes on purpose: ``\d`` would also accept other scripts' digits.
# The id becomes a Redis key and part of the signed message, so it must not
# contain the "." separator and its length is bounded.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
_SIGNATURE = re.compile(rf"{SCHEME}=([0-9a-fA-F]{{64}})")


class SignatureError(Exception):
    """A signed request is refused; ``status`` is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ReplayCheckUnavailable(SignatureError):
    """The replay guard cannot tell whether an id was used, so the request is refused."""

    def __init__(self, message: str) -> None:
        super().__init__(503, message)


def signature(secret: str, timestamp: str, request_id: str, body: bytes) -> str:
    """The ``X-Tactful-Signature`` value for these parts."""
    message = f"{timestamp}.{request_id}.".encode("ascii") + body
    return f"{SCHEME}=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def new_request_id() -> str:
    return uuid.uuid4().hex


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    """Headers that sign ``body``; call once per attempt so each gets a fresh id."""
    timestamp = str(int(now if now is not None else time.time()))
    request_id = new_request_id()
    return {
        TIMESTAMP_HEADER: timestamp,
        ID_HEADER: request_id,
        SIGNATURE_HEADER: signature(secret, timestamp, request_id, body),
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    # Servers differ in how they expose headers (case-insensitive or not).
    value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    if value is None or not value.strip():
        raise SignatureError(401, f"missing {name} header")
    return value.strip()


def _well_formed(value: str, pattern: re.Pattern[str], name: str, expected: str) -> re.Match[str]:
    match = pattern.fullmatch(value)
    if match is None:
        raise SignatureError(401, f"{name} must be {expected}")
    return match


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float | None = None,
    max_age: int = MAX_AGE_SECONDS,
) -> str:
    """The request's id, if it is fresh and correctly signed; else raise SignatureError.

    Missing, malformed or stale credentials answer 401 (sign again); a wrong
    signature answers 403. This alone does not stop a replay within
    ``max_age``: pass the id to a ``ReplayGuard`` (or use ``verify_once``).
    """
    timestamp = _header(headers, TIMESTAMP_HEADER)
    request_id = _header(headers, ID_HEADER)
    sent = _header(headers, SIGNATURE_HEADER)
    _well_formed(timestamp, _TIMESTAMP, TIMESTAMP_HEADER, "Unix seconds")
    _well_formed(request_id, _REQUEST_ID, ID_HEADER, "16 to 64 characters of A-Z, a-z, 0-9, _ or -")
    digest = _well_formed(sent, _SIGNATURE, SIGNATURE_HEADER, f"{SCHEME}= and 64 hex digits").group(1)
    current = now if now is not None else time.time()
    if abs(current - int(timestamp)) > max_age:
        raise SignatureError(401, f"{TIMESTAMP_HEADER} is more than {max_age} seconds off")
    expected = signature(secret, timestamp, request_id, body)
    if not hmac.compare_digest(expected, f"{SCHEME}={digest.lower()}"):
        raise SignatureError(403, "bad signature")
    return request_id


class ReplayGuard:
    """Remembers request ids long enough that a replay is always recognised.

    In memory for one process; in Redis (``SET NX EX``) when a URL is given, so
    every replica sees every id. Unlike webhook dedupe it fails closed: if
    Redis cannot answer, ``first_use`` raises ReplayCheckUnavailable (503)
    rather than risk accepting a replay.
    """

    def __init__(
        self, redis_url: str | None = None, max_age: int = MAX_AGE_SECONDS, prefix: str = REPLAY_KEY_PREFIX
    ) -> None:
        self.max_age = max_age
        # A timestamp is accepted from max_age in the past to max_age in the
        # future, so one id can pass ``verify`` for 2 * max_age seconds.
        ttl = 2 * max_age
        self._seen: RetryFilter = (
            RedisRetryFilter(redis_url, ttl, prefix, fail_closed=True)
            if redis_url
            else MemoryRetryFilter(ttl)
        )

    async def first_use(self, request_id: str) -> bool:
        """True the first time ``request_id`` is seen, False for a replay."""
        try:
            return await self._seen.first_time(request_id)
        except DedupeUnavailable as error:
            raise ReplayCheckUnavailable(
                "cannot check for replayed requests (Redis unavailable); try again later"
            ) from error


async def verify_once(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    guard: ReplayGuard,
    now: float | None = None,
) -> str:
    """``verify``, then refuse an id already used (409).

    The signature is checked first so unsigned requests cannot burn ids.
    """
    request_id = verify(secret, headers, body, now=now, max_age=guard.max_age)
    if not await guard.first_use(request_id):
        raise SignatureError(409, "replayed request")
    return request_id
