"""Counts of one replay, per policy, and what changed between two policies."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from tactful.whatif.simulate import Arm, ShownOffer, Step

# Reason codes a shop tunes in the policy: caps, decline suppressions, consent, holdout.
LIMIT_PREFIXES = ("cap:", "suppressed:", "consent:", "gate:holdout")
NO_OFFER = "(no offer)"


@dataclass
class PolicyTally:
    customers: int = 0
    checkouts: int = 0
    offers: int = 0
    offers_per_customer: Counter[int] = field(default_factory=Counter)
    no_offer_reasons: Counter[str] = field(default_factory=Counter)
    answers: Counter[str] = field(default_factory=Counter)
    arm_offers: Counter[Arm] = field(default_factory=Counter)
    # Sum of the offered prices per arm: expected revenue is p(arm) times this.
    arm_value: dict[Arm, Decimal] = field(default_factory=dict)

    def add_customer(self, steps: Sequence[Step]) -> None:
        self.customers += 1
        shown = 0
        for step in steps:
            self.checkouts += 1
            offer = step.offer
            if offer is None:
                self.no_offer_reasons.update(step.reasons)
                continue
            shown += 1
            self.answers[offer.answer] += 1
            self.arm_offers[offer.arm] += 1
            self.arm_value[offer.arm] = self.arm_value.get(offer.arm, Decimal("0")) + offer.final_price
        self.offers += shown
        self.offers_per_customer[shown] += 1

    def limits_hit(self) -> dict[str, int]:
        return {
            code: count
            for code, count in sorted(self.no_offer_reasons.items())
            if code.startswith(LIMIT_PREFIXES)
        }

    def merge(self, other: PolicyTally) -> None:
        self.customers += other.customers
        self.checkouts += other.checkouts
        self.offers += other.offers
        self.offers_per_customer.update(other.offers_per_customer)
        self.no_offer_reasons.update(other.no_offer_reasons)
        self.answers.update(other.answers)
        self.arm_offers.update(other.arm_offers)
        for arm, value in other.arm_value.items():
            self.arm_value[arm] = self.arm_value.get(arm, Decimal("0")) + value


def label(offer: ShownOffer | None) -> str:
    return NO_OFFER if offer is None else f"{offer.offer_id}/{offer.variant_id}"


@dataclass
class Changes:
    """Checkouts whose offer differs between the old and the new policy."""

    checkouts: int = 0
    customers: int = 0
    transitions: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add_customer(self, old: Sequence[Step], new: Sequence[Step]) -> None:
        changed = 0
        # Both replays walk the same orders, so the steps pair up one to one.
        for before, after in zip(old, new, strict=True):
            was, becomes = label(before.offer), label(after.offer)
            if was != becomes:
                changed += 1
                self.transitions[(was, becomes)] += 1
        self.checkouts += changed
        self.customers += 1 if changed else 0

    def merge(self, other: Changes) -> None:
        self.checkouts += other.checkouts
        self.customers += other.customers
        self.transitions.update(other.transitions)
