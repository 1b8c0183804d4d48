"""The values the shop database stores as plain strings (no enum type in the
schema, so adding one needs no migration), with their Literal types."""

from __future__ import annotations

from typing import Final, Literal

ORDER_STATUSES = ("placed", "shipped", "delivered", "cancelled", "returned")

# Stored values, written and compared as plain strings (no enum type in the
# schema, so no migration). offer_events.kind:
OfferEventKind = Literal["decision", "impression", "accepted", "declined", "ignored", "opted_out", "opted_in"]
DECISION: Final = "decision"
IMPRESSION: Final = "impression"
ACCEPTED: Final = "accepted"
DECLINED: Final = "declined"
IGNORED: Final = "ignored"
OPTED_OUT: Final = "opted_out"
OPTED_IN: Final = "opted_in"
OFFER_EVENT_KINDS: tuple[OfferEventKind, ...] = (
    DECISION,
    IMPRESSION,
    ACCEPTED,
    DECLINED,
    IGNORED,
    OPTED_OUT,
    OPTED_IN,
)
# Harm signals in a conversation (tactful/services/signals.py), for the offer
# report's harm measures (docs/analytics.md, "Harm"); the engine ignores them.
SignalKind = Literal["frustrated", "fallback", "handoff"]
FRUSTRATED: Final = "frustrated"
FALLBACK: Final = "fallback"
HANDOFF: Final = "handoff"
SIGNAL_KINDS: tuple[SignalKind, ...] = (FRUSTRATED, FALLBACK, HANDOFF)
# A decision's stored reasons end with the journey stage, "stage:support" or
# "stage:checkout" (not a reason: the report groups by it).
STAGE_PREFIX: Final = "stage:"
# The customer's answers to an impression (an ignore is not one: it can still be answered).
ANSWER_KINDS: tuple[OfferEventKind, ...] = (ACCEPTED, DECLINED)
# offer_events.source:
OfferSource = Literal["bot", "agent"]
SOURCE_BOT: Final = "bot"
SOURCE_AGENT: Final = "agent"
# handoffs.status: pending until the helpdesk has it, then active until closed.
HandoffStatus = Literal["pending", "active", "closed"]
HANDOFF_PENDING: Final = "pending"
HANDOFF_ACTIVE: Final = "active"
HANDOFF_CLOSED: Final = "closed"
OPEN_HANDOFF_STATUSES: tuple[HandoffStatus, ...] = (HANDOFF_PENDING, HANDOFF_ACTIVE)
# handoff_messages.direction: the customer's messages go to the helpdesk; the
# rest ("agent" replies, "system" notices) go to the customer.
FROM_CUSTOMER: Final = "customer"
# support_cases.status and return_requests.status:
CaseStatus = Literal["open", "resolved"]
CASE_OPEN: Final = "open"
CASE_RESOLVED: Final = "resolved"
