"""One-time link codes: generated with ``secrets``, stored only as a keyed hash.

Six digits are a small space (10^6), so a plain hash would be reversed in
moments by anyone who reads the table. The hash is an HMAC keyed with a server
secret and bound to the chat, so a leaked row says nothing about the code and
a code works only in the chat that asked for it.

The same secret keys the names the rate limits count under (an account, a
chat), so neither an email address nor a phone number ends up in Redis, and the
name of an account's counter is the same whether or not the email has one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from tactful.settings import Settings

CODE_DIGITS = 6
CODE_PATTERN = re.compile(rf"^\d{{{CODE_DIGITS}}}$")


class LinkSecretMissing(RuntimeError):
    """No server secret to key link-code hashes with, so linking must stay off."""


MISSING_SECRET = (
    "TACTFUL_LINK_SECRET is not set (and neither is TACTFUL_JWT_SECRET, its fallback):"
    " account linking is off, because link codes would be hashed without a key."
    " Set TACTFUL_LINK_SECRET to a long random value."
)


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def checked_secret(secret: str | None) -> str:
    # An empty key makes every HMAC here a plain hash, reversible for 10^6 codes.
    if not secret or not secret.strip():
        raise LinkSecretMissing(MISSING_SECRET)
    return secret


def link_secret(settings: Settings) -> str:
    """TACTFUL_LINK_SECRET, else the JWT secret (both are server-only secrets)."""
    return checked_secret(settings.link_secret)


def _key(secret: str) -> bytes:
    return checked_secret(secret).encode()


def hash_code(secret: str, channel: str, external_id: str, code: str) -> str:
    message = f"{channel}\x00{external_id}\x00{code}".encode()
    return hmac.new(_key(secret), message, hashlib.sha256).hexdigest()


def _tagged(secret: str, purpose: str, message: str) -> str:
    # A key derived per purpose keeps these digests apart from code hashes,
    # whatever a channel or sender id happens to contain.
    key = hmac.new(_key(secret), purpose.encode(), hashlib.sha256).digest()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def account_key(secret: str, email: str) -> str:
    """Names an account for rate limits: 64 hex characters, for any email at all."""
    return _tagged(secret, "link-account", normalise_email(email))


def chat_key(secret: str, channel: str, external_id: str) -> str:
    return _tagged(secret, "link-chat", f"{channel}\x00{external_id}")


def same_hash(stored: str, candidate: str) -> bool:
    return hmac.compare_digest(stored.encode(), candidate.encode())
