"""Conversation ids, shared by the actions (rasa_sdk) and the channels (Rasa).

A conversation is one Rasa session: the sender id plus the whole seconds of the
session's ``session_started`` timestamp. Offer events and handoffs are keyed on
it, so both sides must build it the same way (``actions.turn`` does too).
"""

from __future__ import annotations


def conversation_id(sender_id: str, session_started_at: float | None) -> str:
    return f"{sender_id}:{int(float(session_started_at or 0))}"


def sender_of(conversation_id: str) -> str:
    """The channel's sender id (sender ids may themselves contain ':')."""
    sender, separator, _ = conversation_id.rpartition(":")
    return sender if separator else conversation_id
