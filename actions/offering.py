"""Showing an offer at the right moment, and handling the customer's answer."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions import runtime
from actions.offer_questions import answer_offer_question
from actions.replies import Reply, numbered_choice
from actions.routing import support_first
from actions.turn import Turn
from tactful.engine.model import CartLine, ConversationContext
from tactful.observability import metrics
from tactful.replies import ReplyClass
from tactful.replies.labels import EVENT_FOR, ReplyLabel
from tactful.replies.text import normalize
from tactful.replies.vetoes import opts_out_in_passing
from tactful.services import support
from tactful.services.aio import run_blocking
from tactful.services.clock import utcnow
from tactful.services.offers import AcceptOutcome, offer_to_slot

logger = logging.getLogger(__name__)

ACCEPT_PAYLOAD = "/accept_offer"
DECLINE_PAYLOAD = "/decline_offer"
CLASSIFY_TIMEOUT = 30.0
# The store refused the accept (not this customer's offer, or already answered).
OFFER_GONE = "Sorry, that offer isn't available any more. Nothing was added to your cart."


@dataclass
class ReplyOutcome:
    """How the customer's message answered a pending offer, if one was pending."""

    kind: str | None = None
    consumed: bool = False
    events: list[EventType] = field(default_factory=list)
    # A support request in the reply: the intent whose action answers it instead
    # of the turn's own action, and the words to answer (actions/routing.py).
    route: str | None = None
    route_text: str | None = None


def _typed_button(text: str, pending: dict[str, Any]) -> ReplyLabel | None:
    """The offer's own button title typed out ("Add to cart") means what the button means."""
    typed = normalize(text).strip(" .!")
    for key, label in (("accept_label", ReplyLabel.ACCEPT), ("decline_label", ReplyLabel.DECLINE)):
        title = normalize(str(pending.get(key) or "")).strip(" .!")
        if title and typed == title:
            return label
    return None


async def read_reply(turn: Turn, pending: dict[str, Any]) -> ReplyClass:
    """How the customer's message answers the open offer."""
    choice = numbered_choice(turn.text, turn.channel)
    if choice is not None:
        return ReplyClass(ReplyLabel.ACCEPT if choice == 1 else ReplyLabel.DECLINE, cues=("numbered",))
    typed = _typed_button(turn.text, pending)
    if typed is not None:
        return ReplyClass(typed, cues=("typed_button",))
    classifier = runtime.reply_classifier()
    # Off the loop: the first call trains the model (about a second).
    result: ReplyClass = await run_blocking(
        classifier.classify, turn.text, turn.intent, timeout=CLASSIFY_TIMEOUT
    )
    return result


async def _record(turn: Turn, pending: dict[str, Any], response: str) -> AcceptOutcome | None:
    return await run_blocking(
        runtime.offer_service().record_response,
        turn.customer_id,
        pending,
        response,
        turn.channel,
        turn.conversation_id,
        utcnow(),
    )


async def resolve_offer_reply(turn: Turn, tracker: Tracker, reply: Reply) -> ReplyOutcome:
    pending: dict[str, Any] | None = tracker.get_slot("pending_offer")
    if not pending or not isinstance(pending, dict) or turn.customer_id is None:
        return ReplyOutcome(events=[SlotSet("pending_offer", None)] if pending else [])
    try:
        result = await read_reply(turn, pending)
    except Exception:  # noqa: BLE001 - unreadable means unclear: nothing is added, nothing recorded
        logger.exception("could not read the reply to an offer")
        result = ReplyClass(ReplyLabel.IGNORED, cues=("unreadable",))
    # Support first: a support question is answered, not met with the product's pitch.
    route = support_first(result.label, turn.text, result.remainder, turn.intent)
    label = route.label
    metrics.offer_reply(label.value)
    if label is ReplyLabel.WHY:
        reply.say(
            f'{pending.get("reason")} It\'s optional, and you can say "stop suggesting things" any time.'
        )
        return ReplyOutcome(kind=label.value, consumed=True)
    if label is ReplyLabel.QUESTION:
        try:
            await answer_offer_question(turn, pending, reply)
        except Exception:  # noqa: BLE001 - offers must never break support
            logger.exception("could not answer a question about the offer")
            reply.say(str(pending.get("reason") or ""))
        return ReplyOutcome(kind=label.value, consumed=True)
    outcome = ReplyOutcome(
        kind=label.value, events=[SlotSet("pending_offer", None)], route=route.intent, route_text=route.text
    )
    try:
        await _settle(turn, pending, label, reply, outcome)
    except Exception:  # noqa: BLE001 - offers must never break support
        logger.exception("could not record the offer reply")
        if label is ReplyLabel.ACCEPT:
            reply.say("Sorry, I couldn't add that right now. Nothing was added to your cart.")
            outcome.consumed = True
    return outcome


async def _settle(
    turn: Turn, pending: dict[str, Any], label: ReplyLabel, reply: Reply, outcome: ReplyOutcome
) -> None:
    """Record the answer; say the one short line it needs. Never "are you sure?"."""
    response = EVENT_FOR[label] or "ignored"
    result = await _record(turn, pending, response)
    if label is ReplyLabel.ACCEPT:
        reply.say(_accepted_line(result, pending))
        outcome.consumed = True
    elif label is ReplyLabel.DECLINE:
        reply.say("No problem. Is there anything else I can help with?")
        outcome.consumed = True
    elif label is ReplyLabel.OPT_OUT:
        await set_offers_consent(turn, reply, opted_in=False)
        # A support request said with it is answered by the turn's own action
        # (actions/routing.py), after the opt-out is recorded: it offers nothing.
        outcome.consumed = outcome.route is None
    elif label is ReplyLabel.DECLINE_PLUS_REQUEST:
        # The rest of the message is answered by the turn's own action.
        reply.say("No problem.")


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
        metrics.error("offers")
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


async def opt_out_in_passing(turn: Turn, reply: Reply) -> bool:
    """With no offer open: words that opt out ("no marketing please", "unsubscribe") do,
    whichever action the NLU chose for them. True when the opt-out was recorded."""
    if not opts_out_in_passing(normalize(turn.text)):
        return False
    try:
        await set_offers_consent(turn, reply, opted_in=False)
    except Exception:  # noqa: BLE001 - offers must never break support
        logger.exception("could not record an opt-out said in passing")
        metrics.error("offers")
        return False
    return True


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
