"""Decline suppressions (docs/architecture.md, "Declines").

- a declined offer is off for ``offer_suppression_days`` (90);
- its category is off for ``category_suppression_days`` (14);
- ``pause_after`` (2) declines of any offers within ``pause_window_days`` (30)
  pause all offers for ``pause_days`` (30), counted from the decline that
  completed the run.

Only explicit declines count here; an ignored offer counts as shown (caps) but is
not a "no".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from tactful.engine.history import recent
from tactful.engine.model import OfferEvent
from tactful.engine.policy_model import Declines


def pause_end(events: Iterable[OfferEvent], declines: Declines) -> datetime | None:
    """When the latest decline pause ends (None if declines never triggered one)."""
    times = sorted(e.at for e in events if e.kind == "declined")
    run = declines.pause_after
    window = timedelta(days=declines.pause_window_days)
    end: datetime | None = None
    for i in range(run - 1, len(times)):
        if times[i] - times[i - run + 1] < window:
            candidate = times[i] + timedelta(days=declines.pause_days)
            end = candidate if end is None or candidate > end else end
    return end


def is_paused(events: Iterable[OfferEvent], now: datetime, declines: Declines) -> bool:
    end = pause_end(events, declines)
    return end is not None and now < end


def offer_suppressed(events: Iterable[OfferEvent], offer_id: str, now: datetime, declines: Declines) -> bool:
    return any(
        e.offer_id == offer_id for e in recent(events, "declined", now, declines.offer_suppression_days)
    )


def category_suppressed(
    events: Iterable[OfferEvent], category: str, now: datetime, declines: Declines
) -> bool:
    return any(
        e.category == category for e in recent(events, "declined", now, declines.category_suppression_days)
    )
