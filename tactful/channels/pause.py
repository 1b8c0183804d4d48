"""Message handling while a conversation is handed to a human agent.

While a conversation is paused (``tactful.channels.pipeline``), each customer
message is stored in the tracker (without running the bot), forwarded to the
helpdesk and answered with exactly one acknowledgement, whatever the channel. Agent replies that could
not be pushed (REST answers only requests) are delivered first, in the answer
to the customer's next message.
"""

from __future__ import annotations

import asyncio
import logging

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered

from tactful import wiring
from tactful.channels import conversations
from tactful.handoff.service import Forwarded
from tactful.services.aio import run_blocking
from tactful.services.clock import utcnow

logger = logging.getLogger(__name__)

# Above the adapter's HTTP timeout: forwarding waits for one delivery attempt.
FORWARD_TIMEOUT = 10.0

ACK_DELIVERED = "Thanks, I've passed that on to our support team. They'll reply here."
ACK_QUEUED = (
    "Thanks. Our support system isn't answering right now, so your message is saved and will"
    " reach the team as soon as it's back. {contact}"
)
ACK_FAILED = "Sorry, I couldn't pass that on. {contact}"


def acknowledgement(outcome: Forwarded | None) -> str:
    contact = wiring.helpdesk_settings().support_contact
    if outcome == "delivered":
        return ACK_DELIVERED
    if outcome == "queued":
        return ACK_QUEUED.format(contact=contact)
    return ACK_FAILED.format(contact=contact)


async def _forward(conversation_id: str, text: str) -> Forwarded | None:
    service = wiring.handoff_service()
    try:
        return await run_blocking(service.forward, conversation_id, text, utcnow(), timeout=FORWARD_TIMEOUT)
    except asyncio.TimeoutError:
        # Saved before the slow delivery began; the retry loop sends it.
        return "queued"
    except Exception:  # noqa: BLE001 - the customer still gets an answer
        logger.exception("could not forward a message of %s to the helpdesk", conversation_id)
        return None


async def deliver_waiting(message: UserMessage, conversation_id: str) -> None:
    """Send agent replies and notices held for this conversation (channels without push)."""
    try:
        waiting = await run_blocking(wiring.handoff_service().take_for_customer, conversation_id)
    except Exception:  # noqa: BLE001 - they stay queued for the next message
        logger.exception("could not read held replies for %s", conversation_id)
        return
    for text in waiting:
        await message.output_channel.send_text_message(message.sender_id, text)


async def forward_and_acknowledge(message: UserMessage, conversation_id: str) -> None:
    """Pass a paused conversation's message to the helpdesk; answer exactly once."""
    outcome = await _forward(conversation_id, message.text or "")
    text = acknowledgement(outcome)
    await message.output_channel.send_text_message(message.sender_id, text)
    agent = conversations.current_agent()
    if agent is not None:
        # Kept in the transcript, like any bot message.
        await conversations.append_events(
            agent, message.sender_id, [BotUttered(text, metadata={"source": "handoff"})]
        )
