"""Showing an offer at the right moment, and handling the customer's answer."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions import runtime
from actions.replies import Reply, numbered_choice
from actions.turn import Turn
from tactful.engine.model import CartLine, ConversationContext
from tactful.engine.replies import classify_offer_reply
from tactful.services import support
from tactful.services.aio import run_blocking
from tactful.services.clock import utcnow
from tactful.services.offers import AcceptOutcome, offer_to_slot

logger = logging.getLogger(__name__)

ACCEPT_PAYLOAD = "/accept_offer"
DECLINE_PAYLOAD = "/decline_offer"
# The store refused the accept (not this customer's offer, or already answered).
OFFER_GONE = "Sorry, that offer isn't available any more. Nothing was added to your cart."


@dataclass
class ReplyOutcome:
    """How the customer's message answered a pending offer, if one was pending."""

    kind: str | None = None
    consumed: bool = False
    events: list[EventType] = field(default_factory=list)


def _reply_kind(turn: Turn) -> str:
    choice = numbered_choice(turn.text, turn.channel)
    if choice == 1:
        return "accept"
    if choice == 2:
        return "decline"
    if turn.intent == "decline_offer":
        return "decline"
    result = classify_offer_reply(turn.text, turn.intent)
    return str(getattr(result, "kind", result)).split(".")[-1].lower()


async def resolve_offer_reply(turn: Turn, tracker: Tracker, reply: Reply) -> ReplyOutcome:
    pending: dict[str, Any] | None = tracker.get_slot("pending_offer")
    if not pending or not isinstance(pending, dict) or turn.customer_id is None:
        return ReplyOutcome(events=[SlotSet("pending_offer", None)] if pending else [])
    kind = _reply_kind(turn)
    if kind == "why":
        reply.say(
            f'{pending.get("reason")} It\'s optional, and you can say "stop suggesting things" any time.'
        )
        return ReplyOutcome(kind="why", consumed=True)
    service = runtime.offer_service()
    now = utcnow()
    outcome = ReplyOutcome(kind=kind, events=[SlotSet("pending_offer", None)])
    try:
        if kind == "accept":
            result = await run_blocking(
                service.record_response,
                turn.customer_id,
                pending,
                "accepted",
                turn.channel,
                turn.conversation_id,
                now,
            )
            reply.say(_accepted_line(result, pending))
            outcome.consumed = True
        elif kind in ("decline", "compound_decline", "opt_out"):
            await run_blocking(
                service.record_response,
                turn.customer_id,
                pending,
                "declined",
                turn.channel,
                turn.conversation_id,
                now,
            )
            if kind == "decline":
                reply.say("No problem. Is there anything else I can help with?")
                outcome.consumed = True
            elif kind == "opt_out":
                await set_offers_consent(turn, reply, opted_in=False)
                outcome.consumed = True
            elif kind == "compound_decline":
                reply.say("No problem.")
        else:
            await run_blocking(
                service.record_response,
                turn.customer_id,
                pending,
                "ignored",
                turn.channel,
                turn.conversation_id,
                now,
            )
    except Exception:  # noqa: BLE001 - offers must never break support
        logger.exception("could not record the offer reply")
        if kind == "accept":
            reply.say("Sorry, I couldn't add that right now. Nothing was added to your cart.")
            outcome.consumed = True
    return outcome


def _accepted_line(result: AcceptOutcome | None, pending: dict[str, Any]) -> str:
    if result is None or result.status == "unavailable":
        return OFFER_GONE
    if result.link:
        return f"Great. You can upgrade to the {pending.get('target_name')} here: {result.link}"
    return f"Done: the {pending.get('target_name')} is in your cart."


def _open_issues(tracker: Tracker) -> set[str]:
    value = tracker.get_slot("open_issues") or []
    return {str(item) for item in value} if isinstance(value, list) else set()


async def offer_context(turn: Turn, tracker: Tracker, moment: str) -> ConversationContext:
    """The conversation as the offer engine sees it (open problems and cart from the store)."""
    now = utcnow()
    open_issues = _open_issues(tracker)
    cart_lines: tuple[CartLine, ...] = ()
    if turn.customer_id is not None:
        open_issues |= set(await run_blocking(support.open_problems, runtime.new_uow, turn.customer_id, now))
        cart = await run_blocking(support.cart_for, runtime.new_uow, turn.customer_id, turn.cart_id)
        cart_lines = tuple(CartLine(line.sku, line.quantity) for line in cart.lines)
    return ConversationContext(
        customer_id=turn.customer_id,
        conversation_id=turn.conversation_id,
        channel=turn.channel,
        stage="checkout" if moment == "cart_question" else "support",
        user_turns=turn.user_turns,
        moment=moment,
        open_issues=frozenset(open_issues),
        frustrated=turn.frustrated,
        consecutive_fallbacks=turn.consecutive_fallbacks,
        handoff=bool(tracker.get_slot("handoff_state")),
        cart=cart_lines,
        region=None,
    )


async def maybe_offer(turn: Turn, tracker: Tracker, reply: Reply, moment: str) -> list[EventType]:
    """Ask the engine for one offer at this moment; show it if there is one."""
    if turn.customer_id is None:
        return []
    try:
        context = await offer_context(turn, tracker, moment)
        decision = await run_blocking(runtime.offer_service().decide_and_record, context, utcnow())
    except Exception:  # noqa: BLE001 - offers must never break support
        logger.exception("offer decision failed; carrying on without an offer")
        return []
    offer = decision.offer
    if offer is None:
        return []
    reply.choices(
        offer.message, [(offer.accept_label, ACCEPT_PAYLOAD), (offer.decline_label, DECLINE_PAYLOAD)]
    )
    return [SlotSet("pending_offer", offer_to_slot(offer))]


OPT_OUT_CONFIRMATION = (
    'Got it: no more suggestions, on any channel. Say "you can suggest things again" to turn them back on.'
)
OPT_IN_CONFIRMATION = (
    'Done: I may suggest a relevant add-on now and then. Say "stop suggesting things" any time.'
)


async def set_offers_consent(turn: Turn, reply: Reply, opted_in: bool) -> None:
    """Record the customer's choice for every channel and confirm in one line."""
    if turn.customer_id is not None:
        await run_blocking(
            runtime.offer_service().set_consent,
            turn.customer_id,
            opted_in,
            turn.channel,
            turn.conversation_id,
            utcnow(),
        )
    reply.say(OPT_IN_CONFIRMATION if opted_in else OPT_OUT_CONFIRMATION)
