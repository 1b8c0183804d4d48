"""Lifting a pause that no agent has taken up (the paused branch of
``tactful.channels.pipeline``).

Paused messages never reach the bot, so the way back is decided here, on the
Rasa side, before a message is forwarded to the helpdesk:

* **The customer asks for the bot.** "never mind", "continue with the bot" and
  the like, while the handoff is still waiting for an agent (no agent reply in
  the conversation yet), withdraw the request.
* **No agent can take the chat.** The helpdesk still has not received the
  handoff ``GIVE_UP_AFTER_SECONDS`` after the pause (it stayed down through
  the retries, or none is configured), or the conversation has no open
  handoff at all.

Either way the handoff is closed and the conversation resumes the way a
handback does (``tactful.channels.helpdesk``): ``handoff_state: returned``
keeps offers away for the rest of it, and the customer gets one message
saying the assistant is back (with the support contact when nobody could
take the chat). Everything else is forwarded as before (``pause``).
"""

from __future__ import annotations

import logging
import re
import time
from typing import Literal

from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    SlotSet,
)
from rasa.shared.core.trackers import DialogueStateTracker

from tactful import wiring
from tactful.channels import conversations
from tactful.channels.conversations import ConversationState
from tactful.handoff.service import HandoffInfo
from tactful.services.aio import run_blocking
from tactful.services.clock import utcnow
from tactful.store.kinds import HANDOFF_PENDING

logger = logging.getLogger(__name__)

Reason = Literal["asked", "no_agent"]

# The first delivery attempt and about five retries at the default backoff
# (TACTFUL_HELPDESK_RETRY_SECONDS=10, doubling): long enough for a short
# outage, short enough that nobody waits on a helpdesk that will not answer.
GIVE_UP_AFTER_SECONDS = 300.0
LOOKUP_TIMEOUT = 5.0
# Above the adapter's HTTP timeout, like tactful.channels.pause.
FORWARD_TIMEOUT = 10.0
# How tactful.channels.helpdesk marks an agent's reply in the transcript.
AGENT_SOURCE = "agent"

ASKED = (
    "Okay, I've cancelled the request for a person. You're back with the assistant: what can I help you with?"
)
NO_AGENT = (
    "Our support team can't be reached right now, so I've stopped waiting for them. {contact}"
    " You're back with the assistant: please send your question again and I'll do my best."
)

# Whole messages only: "never mind the bag, I still want a person" must reach the agent.
_LEADING = r"(?:(?:ok|okay|oh|ah|actually|no|nah|fine|well|hmm|sorry|its ok|it's ok|that's ok),? )*"
_PHRASES = (
    r"never ?mind",
    r"forget it",
    r"cancel (?:that|it|the request|my request|the handoff|the hand ?off)",
    r"(?:i )?(?:don'?t|do not) need (?:a|the) (?:person|human|agent)(?: any ?more)?",
    r"no need(?: for (?:a|the) (?:person|human|agent))?",
    r"(?:i'?ll |i will |let me |let's |lets |i want to |i'd like to )?"
    r"(?:continue|carry on|keep going|stay|go on|keep chatting|talk|chat) with (?:the |you )?(?:bot|assistant|you)",
    r"(?:i'?ll |i will )?(?:go )?back to (?:the )?(?:bot|assistant)",
    r"(?:the )?bot is fine",
)
_TRAILING = r"(?:,? (?:then|thanks|thank you|please|after all|instead|for now|any ?more))*"
_WANTS_THE_BOT = re.compile(rf"^{_LEADING}(?:{'|'.join(_PHRASES)}){_TRAILING}$")


def _normalised(text: str) -> str:
    lowered = text.lower().replace("\u2019", "'")
    return " ".join(re.sub(r"[^a-z0-9' ,]+", " ", lowered).replace(" ,", ",").split()).strip(" ,")


def wants_the_bot(text: str) -> bool:
    """Whether the whole message asks to carry on with the assistant instead of a person."""
    return bool(_WANTS_THE_BOT.match(_normalised(text)))


def _since_pause(tracker: DialogueStateTracker) -> list[Event]:
    for index in range(len(tracker.events) - 1, -1, -1):
        if isinstance(tracker.events[index], ConversationPaused):
            return list(tracker.events)[index:]
    return []


def agent_has_answered(tracker: DialogueStateTracker) -> bool:
    return any(
        isinstance(event, BotUttered) and (event.metadata or {}).get("source") == AGENT_SOURCE
        for event in _since_pause(tracker)
    )


def paused_at(tracker: DialogueStateTracker) -> float | None:
    since = _since_pause(tracker)
    return since[0].timestamp if since else None


def reason_to_lift(
    text: str, tracker: DialogueStateTracker, handoff: HandoffInfo | None, now: float
) -> Reason | None:
    """Why this paused message should bring the assistant back, or None to forward it."""
    if not tracker.is_paused():
        return None
    if handoff is None or not handoff.is_open:
        return "no_agent"
    if agent_has_answered(tracker):
        return None
    if wants_the_bot(text):
        return "asked"
    started = paused_at(tracker)
    if handoff.status == HANDOFF_PENDING and started is not None and now - started >= GIVE_UP_AFTER_SECONDS:
        return "no_agent"
    return None


def notice(reason: Reason) -> str:
    if reason == "asked":
        return ASKED
    return NO_AGENT.format(contact=wiring.helpdesk_settings().support_contact)


async def _resume(
    agent: Agent, message: UserMessage, handoff: HandoffInfo | None, now: float
) -> Reason | None:
    """Decide and resume under the conversation's lock, so an agent's reply cannot slip in between."""
    async with agent.lock_store.lock(message.sender_id):
        tracker = await agent.tracker_store.retrieve(message.sender_id)
        if tracker is None:
            return None
        reason = reason_to_lift(message.text or "", tracker, handoff, now)
        if reason is None:
            return None
        # The same events as a handback: action_listen lets the next message start a normal turn.
        for event in (
            ConversationResumed(),
            SlotSet("handoff_state", "returned"),
            BotUttered(notice(reason), metadata={"source": "system"}),
            ActionExecuted(ACTION_LISTEN_NAME),
        ):
            tracker.update(event)
        await agent.tracker_store.save(tracker)
        return reason


async def _withdraw(message: UserMessage, handoff: HandoffInfo | None, reason: Reason) -> None:
    """Close the handoff; a helpdesk that already has it also gets the customer's own words."""
    if handoff is None or not handoff.is_open:
        return
    service = wiring.handoff_service()
    if reason == "asked" and handoff.status != HANDOFF_PENDING:
        try:
            await run_blocking(
                service.forward,
                handoff.conversation_id,
                message.text or "",
                utcnow(),
                timeout=FORWARD_TIMEOUT,
            )
        except Exception:  # noqa: BLE001 - the agent still learns from the 409 on their next reply
            logger.exception(
                "could not tell the helpdesk that %s went back to the bot", handoff.conversation_id
            )
    try:
        await run_blocking(service.close, handoff.id, utcnow(), timeout=LOOKUP_TIMEOUT)
    except Exception:  # noqa: BLE001 - the customer is answered; the row left open is logged
        logger.exception("could not close handoff %s", handoff.id)


async def lift_pause(message: UserMessage, state: ConversationState, now: float | None = None) -> bool:
    """Resume the assistant instead of forwarding, if the customer asks or no agent can take the chat.

    True: the pause is lifted and the customer told. False: forward the message as before.
    """
    agent = conversations.current_agent()
    if agent is None:
        return False
    try:
        handoff = await run_blocking(
            wiring.handoff_service().find, state.conversation_id, timeout=LOOKUP_TIMEOUT
        )
    except Exception:  # noqa: BLE001 - unknown state: keep the pause
        logger.exception("could not look up the handoff of %s", state.conversation_id)
        return False
    reason = await _resume(agent, message, handoff, time.time() if now is None else now)
    if reason is None:
        return False
    await message.output_channel.send_text_message(message.sender_id, notice(reason))
    await _withdraw(message, handoff, reason)
    return True
