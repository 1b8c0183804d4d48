"""Support topics named in a message, by keywords.

While an offer is open the NLU model often has too little confidence in a
support question ("what does shipping cost?", "I want to return my
headphones") and a decline with a request carries its request in the
remainder only. Support comes first, so these words route the message to
the support answer instead of the offered product's pitch.
"""

from __future__ import annotations

import re

from tactful.replies.text import normalize

# The first match wins: the more specific topic comes before the general one
# ("return my headphones" starts a return; "how do returns work" asks the policy).
_TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("cancel_order", re.compile(r"\bcancel (?:my |the |this |an? )?(?:order|purchase)\b")),
    (
        "start_return",
        re.compile(
            r"\b(?:return|send back|refund)\s+(?:my|these|those|order|the \w+ i)\b|\bstart (?:a|my) return\b"
        ),
    ),
    ("return_policy", re.compile(r"\b(?:returns?|refunds?|send (?:it|them) back|exchange)\b")),
    (
        "delivery_problem",
        re.compile(
            r"\b(?:arrived (?:damaged|broken)|never (?:arrived|came)|(?:hasn't|has not|didn't) (?:arrived|come)"
            r"|(?:parcel|package|order|delivery) is late|wrong item|missing item|item (?:is )?missing)\b"
        ),
    ),
    (
        "order_status",
        re.compile(
            r"\bwhere(?:'s| is) my (?:order|parcel|package|stuff)\b|\border status\b"
            r"|\bwhere my (?:order|parcel|package) is\b"
            r"|\btrack(?:ing)? (?:my |the )?(?:order|parcel|package)\b|\bhas my order\b"
        ),
    ),
    (
        "payment_problem",
        re.compile(
            r"\b(?:charged twice|double charged|payment (?:failed|error|didn't)|card (?:was )?declined)\b"
        ),
    ),
    ("coupon", re.compile(r"\b(?:coupons?|vouchers?|promo ?codes?|discount codes?|gift cards?)\b")),
    (
        "payment_methods",
        re.compile(
            r"\b(?:pay(?:ing)? (?:with|by|via|using|in)|paypal|apple pay|google pay|klarna|credit cards?"
            r"|debit cards?|payment (?:methods?|options?)|bank transfer|instal+ments?)\b"
        ),
    ),
    (
        "shipping_info",
        re.compile(
            r"\b(?:shipping|postage|delivery (?:costs?|fees?|charges?|times?|options?)|do you ship"
            r"|ship (?:to|abroad|internationally)|how long (?:does|will) (?:delivery|shipping) take)\b"
        ),
    ),
    (
        "human_handoff",
        re.compile(
            r"\b(?:human|real person|a person|an agent|customer service|handoff|hand off"
            r"|(?:speak|talk) to (?:someone|somebody))\b"
        ),
    ),
)


def support_topic(text: str) -> str | None:
    """The support intent the words name, or None."""
    norm = normalize(text or "")
    for intent, pattern in _TOPICS:
        if pattern.search(norm):
            return intent
    return None
