"""Choose one offer: Thompson sampling on expected margin (docs/architecture.md, "Choice").

Each (offer, variant) is an arm with a Beta(1 + accepts, 1 + declines) posterior
on P(accept). One draw per arm, times the arm's margin, gives a sampled expected
value; the best draw wins. Arms with little data have wide posteriors and so
still win now and then: that is the exploration, and it makes the shop's A/B
tests of variants run themselves inside the caps.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from tactful.engine.candidates import Candidate
from tactful.engine.model import ArmStats


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    sampled_p: float
    margin: Decimal
    value: float


def arm_margin(candidate: Candidate, default_margin_rate: Decimal) -> Decimal:
    rate = candidate.target.margin_rate
    return candidate.final_price * (rate if rate is not None else default_margin_rate)


def rank(
    candidates: Sequence[Candidate],
    arm_stats: Mapping[tuple[str, str], ArmStats],
    default_margin_rate: Decimal,
    rng: random.Random,
) -> list[Scored]:
    """Scored arms, best first. Draw order is fixed so a seeded rng repeats."""
    ordered = sorted(candidates, key=lambda c: (c.offer_id, c.variant_id))
    scored: list[Scored] = []
    for candidate in ordered:
        stats = arm_stats.get((candidate.offer_id, candidate.variant_id), ArmStats())
        p = rng.betavariate(1 + max(stats.accepts, 0), 1 + max(stats.declines, 0))
        margin = arm_margin(candidate, default_margin_rate)
        scored.append(Scored(candidate, p, margin, p * float(margin)))
    scored.sort(key=lambda s: s.value, reverse=True)
    return scored
