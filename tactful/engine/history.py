"""Questions about a customer's offer event history, with explicit time windows.

Every window is half-open: an event counts if it happened less than ``days``
before ``now`` (``now - at < days``). An impression exactly 7 days old no longer
counts toward a 7-day cap. Events from the future (clock skew between servers)
count as if they happened now, which errs toward fewer offers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from tactful.engine.model import OfferEvent
from tactful.engine.policy_model import Policy

# Margin on top of the longest policy window, so a query that is a little late
# (clock skew, a slow request) still sees everything that matters.
_HISTORY_MARGIN_DAYS = 30


def required_history_days(policy: Policy) -> int:
    """How many days of offer events the store must load for ``decide``.

    The longest window in the policy plus a margin: 120 days with the defaults.
    """
    caps, declines = policy.caps, policy.declines
    longest = max(
        caps.per_customer_window.days,
        caps.same_offer_days,
        declines.offer_suppression_days,
        declines.category_suppression_days,
        declines.pause_window_days + declines.pause_days,
    )
    return longest + _HISTORY_MARGIN_DAYS


def within(event: OfferEvent, now: datetime, days: int) -> bool:
    return now - event.at < timedelta(days=days)


def of_kind(events: Iterable[OfferEvent], kind: str) -> list[OfferEvent]:
    return [e for e in events if e.kind == kind]


def recent(events: Iterable[OfferEvent], kind: str, now: datetime, days: int) -> list[OfferEvent]:
    return [e for e in events if e.kind == kind and within(e, now, days)]
