"""Handing the chat to a person: build the request, reach the helpdesk, pause.

The handoff is saved before the helpdesk is called, so a helpdesk that is down
only delays it: the retry loop in the Rasa server delivers it later, and the
customer is told how to reach support meanwhile. With no helpdesk configured
nobody could ever answer, so the chat is not paused at all: the customer gets
the support contact and the assistant keeps helping (docs/handoff.md). While
the handoff waits for an agent, "never mind" brings the assistant back
(tactful.channels.resume).
"""

from __future__ import annotations

import logging

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet

from actions import runtime
from actions.offering import offer_context
from actions.replies import Reply
from actions.signals import note_signal
from actions.turn import Turn, session_events
from tactful import wiring
from tactful.engine.decide import AgentAdvice
from tactful.handoff import summary as S
from tactful.handoff.service import HandoffRequest
from tactful.observability import metrics
from tactful.services.aio import run_blocking
from tactful.services.clock import utcnow
from tactful.services.matching import order_references
from tactful.settings import HelpdeskSettings
from tactful.store.kinds import HANDOFF

logger = logging.getLogger(__name__)

ADVICE_TIMEOUT = 4.0
CREATE_TIMEOUT = 6.0
# Above the adapter's own HTTP timeout (TACTFUL_HELPDESK_TIMEOUT, 5 s by default).
DELIVER_TIMEOUT = 8.0

HANDED_OVER = (
    "I'm passing you to a person from our support team. They'll reply right here,"
    " and I'll stay out of the way until they're done."
    ' Changed your mind before they answer? Just say "never mind".'
)
QUEUED = (
    "I'm passing you to a person, but our support system isn't answering right now."
    " Your request is saved and will reach the team as soon as it's back. {contact}"
    ' If you\'d rather carry on with me meanwhile, say "continue with the bot".'
)
FAILED = "Sorry, I couldn't pass you to a person just now. {contact}"
NO_HELPDESK = (
    "I can't bring a person into this chat right now. {contact}"
    " I'm still here, though: tell me what you need and I'll do my best."
)


def support_contact() -> str:
    return runtime.settings().support_contact


def helpdesk_configured(settings: HelpdeskSettings) -> bool:
    """Whether a handoff could ever reach someone: a custom adapter, or the webhook's URL and secret."""
    return settings.adapter != "webhook" or bool(settings.url and settings.secret)


def _mentioned_orders(tracker: Tracker) -> tuple[str, ...]:
    """Order numbers the customer typed this session, newest first."""
    references: list[str] = []
    for event in reversed(session_events(tracker)):
        if event.get("event") == "user":
            references.extend(order_references(event.get("text") or ""))
    return tuple(dict.fromkeys(references))


async def _advice(turn: Turn, tracker: Tracker) -> tuple[str, AgentAdvice | None]:
    """The stage, and the engine's advice for the agent (None if the engine is slow or down)."""
    moment = "cart_question" if tracker.get_slot("last_topic") == "cart" else "other"
    try:
        context = await offer_context(turn, tracker, moment)
    except Exception:  # noqa: BLE001 - the handoff must not depend on the shop data
        logger.exception("could not read the conversation context for the agent's advice")
        return ("checkout" if moment == "cart_question" else "support"), None
    try:
        advice = await run_blocking(wiring.agent_offers().advise, context, utcnow(), timeout=ADVICE_TIMEOUT)
    except Exception:  # noqa: BLE001 - nor on the offer engine
        logger.exception("could not get the engine's advice for the agent")
        advice = None
    return context.stage, advice


async def handoff_request(turn: Turn, tracker: Tracker, reason: str) -> HandoffRequest:
    events = session_events(tracker)
    intents = tuple(S.session_intents(events))
    stage, advice = await _advice(turn, tracker)
    open_issues = tracker.get_slot("open_issues") or []
    return HandoffRequest(
        conversation_id=turn.conversation_id,
        channel=turn.channel,
        customer_id=turn.customer_id,
        reason=reason,
        topic=S.topic_of(tracker.get_slot("last_topic"), intents),
        intents=intents,
        messages=tuple(S.transcript(events)),
        open_issues=tuple(str(issue) for issue in open_issues) if isinstance(open_issues, list) else (),
        mentioned_orders=_mentioned_orders(tracker),
        stage=stage,
        advice=advice,
    )


async def hand_over(turn: Turn, tracker: Tracker, reply: Reply, reason: str) -> list[EventType]:
    """Start a handoff and pause the bot.

    If no one could take it, or it cannot even be saved, say how to reach support and keep helping.
    """
    await note_signal(turn, HANDOFF)
    if not helpdesk_configured(wiring.helpdesk_settings()):
        metrics.handoff("no_helpdesk")
        reply.say(NO_HELPDESK.format(contact=support_contact()))
        # "requested" keeps offers away for the rest of the conversation.
        return [SlotSet("handoff_state", "requested")]
    service = wiring.handoff_service()
    try:
        request = await handoff_request(turn, tracker, reason)
        handoff_id = await run_blocking(service.create, request, utcnow(), timeout=CREATE_TIMEOUT)
    except Exception:  # noqa: BLE001 - the customer must still learn how to get help
        logger.exception("could not start a handoff for %s", turn.conversation_id)
        reply.say(FAILED.format(contact=support_contact()))
        metrics.handoff("failed")
        # No pause: nobody would answer. "requested" still keeps offers away.
        return [SlotSet("handoff_state", "requested")]
    try:
        delivered = await run_blocking(service.deliver, handoff_id, timeout=DELIVER_TIMEOUT)
    except Exception:  # noqa: BLE001 - saved, so the retry loop will deliver it
        logger.exception("first delivery of handoff %s failed", handoff_id)
        delivered = False
    metrics.handoff("delivered" if delivered else "queued")
    reply.say(HANDED_OVER if delivered else QUEUED.format(contact=support_contact()))
    return [SlotSet("handoff_state", "active"), ConversationPaused()]
