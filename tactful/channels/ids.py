"""Conversation ids: ``<channel>:<id>``, always built by the server.

Every channel turns its own notion of "who is talking" (a REST client's
``sender``, a socket.io session the server issued, a Slack user id, a phone
number) into one key of this shape. The channel part is the channel's own
name, never taken from the request, so no client can write into another
channel's conversation; the id part is limited to a safe alphabet and length,
so nothing odd ever reaches the tracker store (docs/security.md).
"""

from __future__ import annotations

import re

# Whole-string matches only (``$`` would accept a trailing newline).
# Letters, digits and the punctuation that provider ids use: E.164 phone
# numbers (+), Telegram group ids (-), emails in REST senders (@ .).
LOCAL_ID_PATTERN = r"[A-Za-z0-9_.@+-]{1,128}"
_LOCAL_ID = re.compile(LOCAL_ID_PATTERN)
_CHANNEL = re.compile(r"[a-z][a-z0-9_]{0,31}")
# What the tracker store accepts at all (Rasa's own tools, such as
# ``rasa shell``, use bare ids): the same alphabet plus the separator.
_STORABLE = re.compile(r"[A-Za-z0-9_.@+:-]{1,200}")
SEPARATOR = ":"
_SECONDS = re.compile(r"[0-9]{1,12}")


class BadConversationId(ValueError):
    """An id that is not in the safe alphabet or too long; the message says why."""


def local_id_error(local_id: object) -> str | None:
    """Why ``local_id`` cannot be a conversation's own id, or None if it can."""
    if not isinstance(local_id, str) or not local_id:
        return "the id must be a non-empty string"
    if len(local_id) > 128:
        return "the id must be at most 128 characters"
    if not _LOCAL_ID.fullmatch(local_id):
        return "the id may contain only letters, digits and _ . @ + -"
    return None


def conversation_key(channel: str, local_id: object) -> str:
    """The conversation id of ``local_id`` on ``channel``; raises BadConversationId."""
    if not _CHANNEL.fullmatch(channel):
        raise BadConversationId(f"bad channel name {channel!r}")
    error = local_id_error(local_id)
    if error:
        raise BadConversationId(error)
    return f"{channel}{SEPARATOR}{local_id}"


def split_key(key: str) -> tuple[str, str]:
    """(channel, local id) of a conversation key; raises BadConversationId."""
    channel, separator, local = key.partition(SEPARATOR)
    if not separator:
        raise BadConversationId(f"{key!r} has no channel prefix")
    conversation_key(channel, local)
    return channel, local


def channel_of(key: str) -> str | None:
    """The channel a conversation key belongs to, or None for a key of another shape."""
    try:
        return split_key(key)[0]
    except BadConversationId:
        return None


def local_id_of(key: str) -> str:
    """The channel's own id (a Slack user, a phone number) inside a key; the key itself otherwise."""
    try:
        return split_key(key)[1]
    except BadConversationId:
        return key


def is_conversation_id(value: object) -> bool:
    """A handoff's conversation id: a storable sender id, ":", the session's start second."""
    if not isinstance(value, str):
        return False
    sender, separator, started = value.rpartition(SEPARATOR)
    return bool(separator) and is_storable(sender) and _SECONDS.fullmatch(started) is not None


def is_storable(sender_id: object) -> bool:
    """Whether the tracker store may be asked about ``sender_id`` at all."""
    return isinstance(sender_id, str) and bool(_STORABLE.fullmatch(sender_id))
