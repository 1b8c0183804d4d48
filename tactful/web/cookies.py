"""The signed session cookie that remembers which demo customer was picked.

Format: ``<customer_id>.<expires_unix>.<hex HMAC-SHA256>``. It is HttpOnly and
SameSite=Lax, so page scripts cannot read it and other sites cannot send it
with a POST. It is not the customer token: that one is signed fresh from it on
every request that needs one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

COOKIE_NAME = "tactful_session"
_CUSTOMER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _signature(key: bytes, payload: str) -> str:
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def sign_session(key: bytes, customer_id: str, ttl_seconds: int, now: float | None = None) -> str:
    if not _CUSTOMER_ID.match(customer_id):
        raise ValueError(f"not a customer id: {customer_id!r}")
    expires = int((now if now is not None else time.time()) + ttl_seconds)
    payload = f"{customer_id}.{expires}"
    return f"{payload}.{_signature(key, payload)}"


def read_session(key: bytes, value: str | None, now: float | None = None) -> str | None:
    """The customer id in a valid, unexpired cookie; None for anything else."""
    if not value or len(value) > 200:
        return None
    parts = value.split(".")
    if len(parts) != 3:
        return None
    customer_id, expires_text, signature = parts
    if not _CUSTOMER_ID.match(customer_id) or not expires_text.isdigit():
        return None
    if not hmac.compare_digest(signature, _signature(key, f"{customer_id}.{expires_text}")):
        return None
    if int(expires_text) < (now if now is not None else time.time()):
        return None
    return customer_id
