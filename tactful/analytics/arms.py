"""Who was exposed in the period, when, where, and in which arm of the holdout.

The arm is read from the stored decisions first: every verified customer's
decision records ``gate:holdout`` when the holdout kept the offer away, so the
decisions say which arm a customer was really in, whatever the policy says now.
The hash of the current salt and share is only the fallback, and the report
counts where the two disagree (docs/analytics.md, "Holdout comparison").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from tactful.analytics.conversations import Conversation
from tactful.engine.holdout import in_holdout
from tactful.engine.reasons import GATE_HOLDOUT


@dataclass(frozen=True)
class Exposure:
    """A customer's first decision in the period and their arm."""

    first: datetime
    channel: str
    held_out: bool


@dataclass
class _Evidence:
    first: datetime
    channel: str
    held: bool = False
    passed: bool = False


def exposures(
    conversations: Iterable[Conversation], salt: str, share: float
) -> tuple[dict[str, Exposure], dict[str, int]]:
    """Each verified customer with a decision, and how their arms were decided."""
    seen: dict[str, _Evidence] = {}
    for conversation in conversations:
        for mark, reasons in conversation.decisions:
            customer = mark.customer_id or conversation.customer_id
            if customer is None:
                continue
            evidence = seen.get(customer)
            if evidence is None:
                evidence = seen[customer] = _Evidence(mark.at, conversation.channel)
            elif mark.at < evidence.first:
                evidence.first, evidence.channel = mark.at, conversation.channel
            if GATE_HOLDOUT in reasons:
                evidence.held = True
            elif mark.offer_id is not None or reasons:
                # A decision without gate:holdout passed the holdout gate (every
                # failing gate is recorded); one with no reasons at all predates them.
                evidence.passed = True
    found: dict[str, Exposure] = {}
    counts: Counter[str] = Counter(from_decisions=0, from_hash=0, mixed=0, disagree_with_hash=0)
    for customer, evidence in sorted(seen.items()):
        hashed = in_holdout(customer, salt, share)
        if evidence.held != evidence.passed:
            held_out = evidence.held
            counts["from_decisions"] += 1
            counts["disagree_with_hash"] += int(held_out != hashed)
        else:
            # Both kinds (the salt changed mid-period) or neither: the hash decides.
            held_out = hashed
            counts["from_hash"] += 1
            counts["mixed"] += int(evidence.held)
        found[customer] = Exposure(evidence.first, evidence.channel, held_out)
    return found, dict(counts)
