"""Message handling while a conversation is handed to a human agent.

Every input channel wraps Rasa's ``on_new_message`` with
:func:`pause_aware`, so a paused conversation's messages are forwarded to the
helpdesk and acknowledged, whatever the channel.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

MessageHandler = Callable[[UserMessage], Awaitable[Any]]


def pause_aware(on_new_message: MessageHandler) -> MessageHandler:
    """Wrap Rasa's handler; the handoff implementation fills this in."""
    return on_new_message
