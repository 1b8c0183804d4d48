"""One-time link codes: generated with ``secrets``, stored only as a keyed hash.

Six digits are a small space (10^6), so a plain hash would be reversed in
moments by anyone who reads the table. The hash is an HMAC keyed with a server
secret and bound to the chat, so a leaked row says nothing about the code and
a code works only in the chat that asked for it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_PATTERN = re.compile(rf"^\d{{{CODE_DIGITS}}}$")


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def link_secret() -> str:
    """TACTFUL_LINK_SECRET, else the JWT secret (both are server-only secrets)."""
    secret = os.environ.get("TACTFUL_LINK_SECRET") or os.environ.get("TACTFUL_JWT_SECRET") or ""
    if not secret:
        logger.warning("no TACTFUL_LINK_SECRET or TACTFUL_JWT_SECRET: link codes are hashed without a key")
    return secret


def hash_code(secret: str, channel: str, external_id: str, code: str) -> str:
    message = f"{channel}\x00{external_id}\x00{code}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def same_hash(stored: str, candidate: str) -> bool:
    return hmac.compare_digest(stored.encode(), candidate.encode())
