"""Frequency caps (docs/architecture.md, "Caps"): impressions are what count.

An offer that was shown counts whatever happened next (accepted, declined or
ignored), so caps read ``impression`` events only. ``caps_allow`` is also what
the store calls again under its per-customer lock just before it records an
impression: two conversations of one customer racing on two servers then cannot
both pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from tactful.engine import reasons as R
from tactful.engine.consent import is_opted_out
from tactful.engine.history import recent
from tactful.engine.model import OfferEvent
from tactful.engine.policy_model import Policy
from tactful.engine.suppression import category_suppressed, is_paused, offer_suppressed


def customer_caps(
    events: Iterable[OfferEvent], conversation_id: str, now: datetime, policy: Policy
) -> list[str]:
    """Caps that block every offer: per conversation and per rolling window."""
    events = list(events)
    blocked: list[str] = []
    in_conversation = [e for e in events if e.kind == "impression" and e.conversation_id == conversation_id]
    if len(in_conversation) >= policy.caps.per_conversation:
        blocked.append(R.CAP_CONVERSATION)
    window = policy.caps.per_customer_window
    if len(recent(events, "impression", now, window.days)) >= window.max:
        blocked.append(R.CAP_WEEKLY)
    return blocked


def same_offer_capped(events: Iterable[OfferEvent], offer_id: str, now: datetime, policy: Policy) -> bool:
    return any(e.offer_id == offer_id for e in recent(events, "impression", now, policy.caps.same_offer_days))


def caps_allow(
    events: Sequence[OfferEvent],
    conversation_id: str,
    offer_id: str,
    now: datetime,
    policy: Policy,
    category: str | None = None,
) -> tuple[bool, list[str]]:
    """May this offer be shown now? Re-checks caps, consent and declines.

    Returns (allowed, reason codes of what blocks it).
    """
    blocked: list[str] = []
    if is_opted_out(events):
        blocked.append(R.CONSENT_OPTED_OUT)
    blocked.extend(customer_caps(events, conversation_id, now, policy))
    if same_offer_capped(events, offer_id, now, policy):
        blocked.append(R.CAP_SAME_OFFER)
    if is_paused(events, now, policy.declines):
        blocked.append(R.SUPPRESSED_PAUSE)
    if offer_suppressed(events, offer_id, now, policy.declines):
        blocked.append(R.SUPPRESSED_DECLINED)
    if category is not None and category_suppressed(events, category, now, policy.declines):
        blocked.append(R.SUPPRESSED_CATEGORY)
    return (not blocked, blocked)
