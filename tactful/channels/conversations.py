"""Rasa-side conversation operations for the handoff.

Each write runs under the conversation's lock from Rasa's lock store, as Rasa's
own message handling does, so it never interleaves with a turn in progress.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from rasa.core.agent import Agent
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.shared.core.events import Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic
from sanic.exceptions import SanicException

from tactful.handoff.conversation import conversation_id

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConversationState:
    conversation_id: str
    paused: bool
    # Set once a handoff was requested in this session ("active", "returned", ...).
    handoff_state: str | None


def current_agent() -> Agent | None:
    """The Rasa agent of the running server (channels get no app handle with a message)."""
    try:
        app = Sanic.get_app()
    except SanicException:
        return None
    agent = getattr(app.ctx, "agent", None)
    return agent if agent is not None and agent.tracker_store is not None else None


def conversation_of(tracker: DialogueStateTracker) -> str:
    """The same id the actions use (``actions.turn``): sender plus session start."""
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            return conversation_id(tracker.sender_id, event.timestamp)
    return conversation_id(tracker.sender_id, None)


def state_of(tracker: DialogueStateTracker, paused: bool) -> ConversationState:
    slot = tracker.get_slot("handoff_state")
    return ConversationState(conversation_of(tracker), paused, str(slot) if slot else None)


async def store_paused(
    agent: Agent, tracker: DialogueStateTracker, message: UserMessage
) -> ConversationState:
    """Store ``message`` in a paused conversation without running the bot.

    The caller holds the conversation's lock and read ``tracker`` under it. The
    session is deliberately not renewed: Rasa would start a new, unpaused
    session after ``session_expiration_time`` and answer a customer an agent
    is handling. No prediction runs either, so not even a parsed ``restart``
    intent can end the pause (Rasa's processor lets that one through).
    """
    parse_data = await agent.processor.parse_message(message, tracker)
    tracker.update(
        UserUttered(
            message.text,
            parse_data.get("intent"),
            parse_data.get("entities") or [],
            parse_data,
            input_channel=message.input_channel,
            message_id=message.message_id,
            metadata=message.metadata,
        )
    )
    await agent.tracker_store.save(tracker)
    return state_of(tracker, paused=True)


async def append_events(agent: Agent, sender_id: str, events: list[Event]) -> DialogueStateTracker | None:
    """Apply ``events`` to an existing conversation and save it; None if there is none."""
    async with agent.lock_store.lock(sender_id):
        tracker = await agent.tracker_store.retrieve(sender_id)
        if tracker is None:
            return None
        for event in events:
            tracker.update(event)
        await agent.tracker_store.save(tracker)
        return tracker


def push_channel(app: Sanic, channel_name: str | None) -> OutputChannel | None:
    """An output channel that can message the customer unprompted, if the channel has one.

    socket.io, Slack, Twilio, Telegram and Messenger can; REST cannot (it only
    answers requests), so its messages wait for the customer's next request.
    """
    for input_channel in getattr(app.ctx, "input_channels", None) or []:
        if input_channel.name() == channel_name:
            try:
                return input_channel.get_output_channel()
            except Exception:  # noqa: BLE001 - a channel that cannot build one simply cannot push
                logger.exception("channel %s could not create an output channel", channel_name)
                return None
    return None
