"""Reason codes of a decision, and the plain words behind them.

Codes are stable identifiers: analytics group by them and tests assert them, so
they do not change when the shop changes a number in the policy (the weekly cap
stays ``cap:weekly`` even if the window is set to 10 days).
"""

from __future__ import annotations

GATE_FIRST_TURN = "gate:first_turn"
GATE_FRUSTRATED = "gate:frustrated"
GATE_FALLBACKS = "gate:fallbacks"
GATE_HANDOFF = "gate:handoff"
GATE_UNVERIFIED = "gate:unverified"
GATE_HOLDOUT = "gate:holdout"
GATE_CHANNEL_OFF = "gate:channel_off"
GATE_MOMENT = "gate:moment"
CONSENT_OPTED_OUT = "consent:opted_out"
CAP_CONVERSATION = "cap:conversation"
CAP_WEEKLY = "cap:weekly"
CAP_SAME_OFFER = "cap:same_offer_30d"
SUPPRESSED_DECLINED = "suppressed:declined_90d"
SUPPRESSED_CATEGORY = "suppressed:category_14d"
SUPPRESSED_PAUSE = "suppressed:decline_pause_30d"
EXCLUDED_OWNS_TARGET = "excluded:owns_target"
EXCLUDED_SAME_NEED = "excluded:owns_same_need"
EXCLUDED_RETURNED = "excluded:returned_target"
EXCLUDED_OUT_OF_STOCK = "excluded:out_of_stock"
EXCLUDED_REGION = "excluded:region"
EXCLUDED_CHANNEL = "excluded:channel"
EXCLUDED_STAGE = "excluded:stage"
EXCLUDED_NOT_OFFERABLE = "excluded:not_offerable"
EXCLUDED_UNKNOWN_SKU = "excluded:unknown_sku"
EXCLUDED_NOT_CART_RELATED = "excluded:not_cart_related"
NONE_NO_CANDIDATES = "none:no_candidates"
# Advice for a human agent only.
ADVICE_NOT_SOLVED = "advice:problem_not_solved"


def gate_open_issue(issue: str) -> str:
    return f"gate:open_{issue}"


def offer_code(offer_id: str, variant_id: str) -> str:
    return f"offer:{offer_id}/{variant_id}"


_TEXT = {
    GATE_FIRST_TURN: "it is the customer's first message",
    GATE_FRUSTRATED: "the customer is frustrated",
    GATE_FALLBACKS: "the assistant failed to understand the customer several times",
    GATE_HANDOFF: "a human agent was requested or is handling the chat",
    GATE_UNVERIFIED: "the customer is not verified",
    GATE_HOLDOUT: "the customer is in the holdout group (no offers, for measurement)",
    GATE_CHANNEL_OFF: "offers are turned off on this channel",
    GATE_MOMENT: "the customer's request is not resolved yet",
    CONSENT_OPTED_OUT: "the customer asked for no offers",
    CAP_CONVERSATION: "an offer was already shown in this conversation",
    CAP_WEEKLY: "the customer already saw the maximum number of offers this week",
    CAP_SAME_OFFER: "this offer was shown recently",
    SUPPRESSED_DECLINED: "the customer declined this offer recently",
    SUPPRESSED_CATEGORY: "the customer declined an offer in this category recently",
    SUPPRESSED_PAUSE: "the customer declined several offers recently, so offers are paused",
    EXCLUDED_OWNS_TARGET: "the customer already has the product",
    EXCLUDED_SAME_NEED: "the customer already has something that does the same job",
    EXCLUDED_RETURNED: "the customer returned this product",
    EXCLUDED_OUT_OF_STOCK: "the product is out of stock",
    EXCLUDED_REGION: "the product is not offered in the customer's region",
    EXCLUDED_CHANNEL: "the offer is not allowed on this channel",
    EXCLUDED_STAGE: "the offer is not allowed at this stage of the journey",
    EXCLUDED_NOT_OFFERABLE: "the product is not offerable",
    EXCLUDED_UNKNOWN_SKU: "the product is not in the catalog",
    EXCLUDED_NOT_CART_RELATED: "the offer does not relate to the cart",
    NONE_NO_CANDIDATES: "no offer rule fits this customer",
    ADVICE_NOT_SOLVED: "the customer's problem is not solved yet",
}


def describe(code: str) -> str:
    """Plain words for a reason code (for agents, logs and the trace)."""
    if code in _TEXT:
        return _TEXT[code]
    if code.startswith("gate:open_"):
        issue = code.removeprefix("gate:open_")
        return f"a {issue} issue is still open"
    if code.startswith("offer:"):
        return f"offer {code.removeprefix('offer:')} chosen"
    return code
