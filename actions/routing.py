"""Support first: which action answers a reply to an offer that asks for support.

"How do returns work?" said while an offer is open is a support question, not a
question about the offered item: it is answered by the support action, and the
offer counts as ignored. Only questions about the item itself ("how much is
it?", "does it fit my camera?") get the product answer (actions/offer_questions.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from tactful.replies.labels import ReplyLabel
from tactful.replies.text import normalize
from tactful.replies.topics import support_topic
from tactful.replies.vetoes import besides_opt_out

# NLU intent -> the action answering it (the same pairs as data/rules.yml).
SUPPORT_ACTIONS = {
    "order_status": "action_order_status",
    "delivery_problem": "action_delivery_problem",
    "return_policy": "action_return_policy",
    "start_return": "action_start_return",
    "cancel_order": "action_cancel_order",
    "human_handoff": "action_human_handoff",
    "cart_question": "action_cart_question",
    "shipping_info": "action_shipping_info",
    "payment_methods": "action_payment_methods",
    "coupon": "action_coupon",
    "payment_problem": "action_payment_problem",
    "complaint": "action_complaint",
}
SUPPORT_INTENTS = frozenset(SUPPORT_ACTIONS)


@dataclass(frozen=True)
class Route:
    label: ReplyLabel
    # The support intent whose action answers instead of the turn's own, if any,
    # and the words it answers (the remainder after a no).
    intent: str | None = None
    text: str | None = None


def support_first(label: ReplyLabel, text: str, remainder: str | None, intent: str | None) -> Route:
    """Read a reply to an offer for a support request that must be answered first."""
    if label is ReplyLabel.DECLINE_PLUS_REQUEST:
        # "No thanks, but how do returns work?": the NLU intent is of the whole
        # message (often a fallback), so the remainder's own words decide.
        topic = support_topic(remainder or "")
        return Route(label, topic, remainder) if topic else Route(label)
    if label is ReplyLabel.OPT_OUT:
        # "Stop the ads, where's my order?": the opt-out is confirmed and the
        # request answered too, named by the words of its own clauses.
        request = besides_opt_out(normalize(text))
        topic = support_topic(request)
        return Route(label, topic, request) if topic else Route(label)
    if label not in (ReplyLabel.QUESTION, ReplyLabel.IGNORED):
        return Route(label)
    if intent in SUPPORT_INTENTS:
        # The turn's own action is the support answer; the offer is left unanswered.
        return Route(ReplyLabel.IGNORED)
    topic = support_topic(text)
    if topic is not None:
        return Route(ReplyLabel.IGNORED, topic)
    return Route(label)


# Too weighty to start on keywords alone when the NLU could not tell ("are you human?").
_NOT_BY_WORDS = frozenset({"human_handoff"})


def words_route(text: str) -> str | None:
    """The support intent a message the NLU could not place names in its words, if any."""
    topic = support_topic(text)
    return topic if topic not in _NOT_BY_WORDS else None


def request_beside_opt_out(text: str) -> str | None:
    """The support intent named by the clauses of an opt-out message that are not the opt-out."""
    return words_route(besides_opt_out(normalize(text)))
