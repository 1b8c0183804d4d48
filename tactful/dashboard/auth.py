"""Staff sign-in for the dashboard: one shared staff token, then a signed cookie.

The token is compared in constant time. The cookie holds only an expiry and an
HMAC keyed by a key derived from the token, so changing the token signs every
staff member out. Sign-in attempts are counted per client address (memory, or
Redis when ``TACTFUL_REDIS_URL`` is set) and refused past the limit, so the
token cannot be guessed at speed.
"""

from __future__ import annotations

import hashlib
import hmac
import time

COOKIE_NAME = "tactful_staff"
COOKIE_SECONDS = 8 * 3600
MIN_TOKEN_CHARS = 16
LOGIN_ATTEMPTS_PER_MINUTE = 10


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

    def _signature(self, expires: int) -> str:
        return hmac.new(self._key, f"staff.{expires}".encode(), hashlib.sha256).hexdigest()

    def cookie(self, now: float | None = None) -> str:
        expires = int((now if now is not None else time.time()) + COOKIE_SECONDS)
        return f"{expires}.{self._signature(expires)}"

    def cookie_valid(self, value: str | None, now: float | None = None) -> bool:
        if not value or len(value) > 100:
            return False
        expires_text, _, signature = value.partition(".")
        if not expires_text.isdigit():
            return False
        if not hmac.compare_digest(signature, self._signature(int(expires_text))):
            return False
        return int(expires_text) >= (now if now is not None else time.time())

    def bearer_valid(self, header: str | None) -> bool:
        scheme, _, supplied = (header or "").partition(" ")
        return scheme.lower() == "bearer" and self.token_matches(supplied.strip())
