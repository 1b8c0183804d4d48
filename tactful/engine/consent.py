"""Consent: has the customer asked for no offers?

The latest opted_out / opted_in event wins, on any channel (docs/architecture.md, "Consent").
Events with equal timestamps keep their given order, so the one recorded last
wins; the store returns events in insertion order.
"""

from __future__ import annotations

from collections.abc import Iterable

from tactful.engine.model import OfferEvent

_CONSENT_KINDS = frozenset({"opted_out", "opted_in"})


def is_opted_out(events: Iterable[OfferEvent]) -> bool:
    latest: OfferEvent | None = None
    for event in events:
        if event.kind in _CONSENT_KINDS and (latest is None or event.at >= latest.at):
            latest = event
    return latest is not None and latest.kind == "opted_out"
