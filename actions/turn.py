"""What an action knows about the current turn, read once from the tracker."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

from actions import runtime
from tactful.channels.ids import local_id_of
from tactful.handoff.conversation import conversation_id
from tactful.identity import first_verified_customer, identity_from_metadata
from tactful.services.aio import run_blocking

logger = logging.getLogger(__name__)

FRUSTRATION_WORDS = (
    "just answer",
    "useless",
    "stupid",
    "ridiculous",
    "waste of time",
    "wasting my time",
    "not helping",
    "terrible",
    "awful",
    "angry",
    "furious",
    "annoyed",
    "fed up",
    "worst",
)
WEB_CHANNELS = frozenset({"rest", "socketio", "callback", "cmdline"})


@dataclass(frozen=True)
class Turn:
    sender_id: str
    # The channel's own id of the person (a Slack user, a phone number):
    # what account links are keyed on.
    external_id: str
    conversation_id: str
    channel: str
    text: str
    intent: str | None
    customer_id: str | None
    cart_id: str | None
    user_turns: int
    consecutive_fallbacks: int
    frustrated: bool


def session_events(tracker: Tracker) -> list[dict[str, Any]]:
    """The events of the current session (from its session_started on)."""
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "session_started":
            return events[index:]
    return events


def _conversation_id(tracker: Tracker) -> str:
    for event in reversed(list(tracker.events)):
        if event.get("event") == "session_started":
            return conversation_id(tracker.sender_id, event.get("timestamp"))
    return conversation_id(tracker.sender_id, None)


def _consecutive_fallbacks(user_events: list[dict[str, Any]]) -> int:
    count = 0
    for event in reversed(user_events):
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != "nlu_fallback":
            break
        count += 1
    return count


def is_frustrated(text: str, intent: str | None) -> bool:
    lowered = text.lower()
    return intent == "frustrated" or any(word in lowered for word in FRUSTRATION_WORDS)


async def resolve_customer(tracker: Tracker, channel: str) -> tuple[str | None, str | None]:
    """(customer id, cart id) from the verified token or a verified channel link.

    Slots and entities are never consulted: users can type them. The channels
    already refuse a message from anyone but the conversation's first verified
    customer; checking again here closes the gap of two first messages racing.
    """
    metadata = tracker.latest_message.get("metadata") or {}
    secret = runtime.settings().jwt_secret
    identity = identity_from_metadata(metadata, secret)
    if identity is not None:
        user_metadata = (event.get("metadata") for event in tracker.events if event.get("event") == "user")
        owner = first_verified_customer(user_metadata, secret)
        if owner is not None and owner != identity.customer_id:
            logger.warning("a message in %s is not from its verified customer", tracker.sender_id)
            return None, None
        return identity.customer_id, identity.cart_id
    if channel in WEB_CHANNELS:
        return None, None
    try:

        def lookup() -> str | None:
            with runtime.new_uow() as work:
                return work.identities.customer_for(channel, local_id_of(tracker.sender_id))

        return await run_blocking(lookup), None
    except Exception:  # noqa: BLE001 - an unreachable store means "anonymous"
        logger.exception("identity lookup failed")
        return None, None


async def read_turn(tracker: Tracker) -> Turn:
    channel = tracker.get_latest_input_channel() or "rest"
    customer_id, cart_id = await resolve_customer(tracker, channel)
    session = session_events(tracker)
    user_events = [event for event in session if event.get("event") == "user"]
    text = tracker.latest_message.get("text") or ""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return Turn(
        sender_id=tracker.sender_id,
        external_id=local_id_of(tracker.sender_id),
        conversation_id=_conversation_id(tracker),
        channel=channel,
        text=text,
        intent=intent,
        customer_id=customer_id,
        cart_id=cart_id,
        user_turns=max(1, len(user_events)),
        consecutive_fallbacks=_consecutive_fallbacks(user_events),
        frustrated=bool(tracker.get_slot("frustrated")) or is_frustrated(text, intent),
    )
