"""Staff sign-in for the dashboard: one shared staff token, then a signed cookie.

The token is compared in constant time. The cookie holds a random session id,
an expiry and an HMAC keyed by a key derived from the token, so changing the
token signs every staff member out, and signing out revokes that one session
(``revocations``). Failed sign-ins and failed Bearer tokens are counted per
client address (memory, or Redis when ``TACTFUL_REDIS_URL`` is set) and
refused past the limit, so the token cannot be guessed at speed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from typing import NamedTuple

COOKIE_NAME = "tactful_staff"
COOKIE_SECONDS = 8 * 3600
MIN_TOKEN_CHARS = 16
LOGIN_ATTEMPTS_PER_MINUTE = 10
_COOKIE = re.compile(r"([0-9a-f]{32})\.([0-9]{1,12})\.([0-9a-f]{64})")


class StaffSession(NamedTuple):
    session_id: str
    expires: int


class StaffAuth:
    def __init__(self, token: str) -> None:
        if len(token) < MIN_TOKEN_CHARS:
            raise ValueError(f"TACTFUL_DASHBOARD_TOKEN must be at least {MIN_TOKEN_CHARS} characters")
        self._token = token.encode("utf-8")
        self._key = hmac.new(self._token, b"tactful-dashboard-cookie", hashlib.sha256).digest()

    def token_matches(self, supplied: str | None) -> bool:
        if not supplied or len(supplied) > 512:
            return False
        try:
            candidate = supplied.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate from a JSON body
            return False
        return hmac.compare_digest(candidate, self._token)

    def _signature(self, session_id: str, expires: int) -> str:
        return hmac.new(self._key, f"staff.{session_id}.{expires}".encode(), hashlib.sha256).hexdigest()

    def cookie(self, now: float | None = None) -> str:
        session_id = secrets.token_hex(16)
        expires = int((now if now is not None else time.time()) + COOKIE_SECONDS)
        return f"{session_id}.{expires}.{self._signature(session_id, expires)}"

    def session(self, value: str | None, now: float | None = None) -> StaffSession | None:
        """The session in a valid, unexpired cookie (not yet checked for sign-out)."""
        match = _COOKIE.fullmatch(value or "")
        if match is None:
            return None
        session_id, expires_text, signature = match.groups()
        expires = int(expires_text)
        if not hmac.compare_digest(signature, self._signature(session_id, expires)):
            return None
        if expires < (now if now is not None else time.time()):
            return None
        return StaffSession(session_id, expires)

    def bearer_valid(self, header: str | None) -> bool:
        scheme, _, supplied = (header or "").partition(" ")
        return scheme.lower() == "bearer" and self.token_matches(supplied.strip())
