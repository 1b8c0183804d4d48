"""The conversation a log line belongs to, without the personal data in its id.

Each channel builds conversation ids from what identifies the talker
(tactful/channels/ids.py): a socket.io id is a random id the server issued,
but a REST sender may be an email, and Twilio/WhatsApp ids are phone numbers.
Log lines and metrics therefore carry ``<channel>:h-<keyed hash>`` for every
channel but socket.io; whoever holds the key can compute the hash of a known
id to find its lines (docs/observability.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

# Ids the server itself issued at random; they reveal nothing about the talker.
OPAQUE_CHANNELS = frozenset({"socketio"})


@dataclass(frozen=True)
class Conversation:
    raw: str
    logged: str


_current: ContextVar[Conversation | None] = ContextVar("tactful_conversation", default=None)
# Replaced by the process's own key (configure_logging); a random one keeps ids
# unreadable even before that, only not comparable across processes.
_key: list[bytes] = [secrets.token_bytes(32)]


def set_hash_key(key: str | None) -> None:
    if key:
        _key[0] = hashlib.sha256(b"tactful-log-ids:" + key.encode()).digest()


def loggable_id(conversation_id: str) -> str:
    """What logs may say for ``conversation_id``."""
    channel, separator, local = conversation_id.partition(":")
    if separator and channel in OPAQUE_CHANNELS:
        return conversation_id
    digest = hmac.new(_key[0], conversation_id.encode(), hashlib.sha256).hexdigest()[:16]
    return f"{channel}:h-{digest}" if separator and channel.isidentifier() else f"h-{digest}"


def current() -> Conversation | None:
    return _current.get()


@contextmanager
def conversation(conversation_id: str | None) -> Iterator[None]:
    """Log lines inside the block carry this conversation (asyncio tasks inherit it)."""
    if not conversation_id:
        yield
        return
    token = _current.set(Conversation(conversation_id, loggable_id(conversation_id)))
    try:
        yield
    finally:
        _current.reset(token)
