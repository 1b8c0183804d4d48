"""Run a what-if: both policies over the same history, then the side-by-side result.

Everything is read in one unit of work on the shop database: the catalog, the
answers stored so far (the response model), the baskets for co-purchase
mining, and the history streamed customer by customer (``history``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from tactful.engine.mining import NON_PRODUCT_CODES, basket_matrix, mine_matrix
from tactful.engine.model import CoPurchaseRule
from tactful.engine.policy_model import Policy
from tactful.services.offer_inputs import load_arm_stats, load_catalog
from tactful.store.kinds import ACCEPTED, IMPRESSION
from tactful.store.models import OfferEventRow
from tactful.store.unit_of_work import UnitOfWork
from tactful.whatif.history import customer_histories
from tactful.whatif.revenue import expected_revenue
from tactful.whatif.simulate import Arm, ReplayInputs, ResponseModel, replay_customer
from tactful.whatif.tally import Changes, PolicyTally

TOP_CHANGES = 15


@dataclass(frozen=True)
class WhatIfOptions:
    since: datetime | None = None
    until: datetime | None = None
    # "mine": mine each policy's rules from the stored baskets; "stored": the
    # rules `python -m tactful mine` stored (for histories too big to mine here).
    rules: str = "mine"
    seed: int = 1
    draws: int = 4_000
    channel: str = "socketio"
    prior_accepts: float = 1.0
    prior_declines: float = 9.0
    decline_share: float = 0.5


@dataclass
class WhatIfResult:
    old: PolicyTally
    new: PolicyTally
    changes: Changes
    responses: ResponseModel
    options: WhatIfOptions
    labels: tuple[str, str]

    def to_dict(self) -> dict[str, Any]:
        old_revenue, new_revenue, difference = expected_revenue(
            self.old.arm_value, self.new.arm_value, self.responses, self.options.draws, self.options.seed
        )
        return {
            "policies": {"old": self.labels[0], "new": self.labels[1]},
            "history": {
                "since": _iso(self.options.since),
                "until": _iso(self.options.until),
                "rules": self.options.rules,
                "customers": self.old.customers,
                "checkouts": self.old.checkouts,
            },
            "simulation": {
                "seed": self.options.seed,
                "draws": self.options.draws,
                "channel": self.options.channel,
                "accept_prior": [self.options.prior_accepts, self.options.prior_declines],
                "decline_share": self.options.decline_share,
            },
            "old": _side(self.old, old_revenue.as_dict()),
            "new": _side(self.new, new_revenue.as_dict()),
            "revenue_difference": difference.as_dict(),
            "changes": {
                "checkouts": self.changes.checkouts,
                "customers": self.changes.customers,
                "top": [
                    {"old": was, "new": becomes, "checkouts": count}
                    for (was, becomes), count in self.changes.transitions.most_common(TOP_CHANGES)
                ],
            },
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _side(tally: PolicyTally, revenue: dict[str, float]) -> dict[str, Any]:
    customers = tally.customers or 1
    return {
        "offers": tally.offers,
        "offers_per_customer": round(tally.offers / customers, 3),
        "customers_by_offers": {str(k): v for k, v in sorted(tally.offers_per_customer.items())},
        "answers": dict(sorted(tally.answers.items())),
        "limits_hit": tally.limits_hit(),
        "no_offer_reasons": dict(tally.no_offer_reasons.most_common()),
        "offers_by_arm": {f"{o}/{v}": n for (o, v), n in tally.arm_offers.most_common()},
        "expected_revenue": revenue,
    }


def _shown_and_accepted(work: UnitOfWork) -> dict[Arm, tuple[int, int]]:
    """Per offer arm, the stored impressions and accepts (the what-if's answer history)."""
    rows = work.session.execute(
        select(OfferEventRow.offer_id, OfferEventRow.variant_id, OfferEventRow.kind, func.count())
        .where(OfferEventRow.kind.in_((IMPRESSION, ACCEPTED)), OfferEventRow.offer_id.isnot(None))
        .group_by(OfferEventRow.offer_id, OfferEventRow.variant_id, OfferEventRow.kind)
    )
    counts: dict[Arm, list[int]] = {}
    for offer_id, variant_id, kind, count in rows:
        arm = (str(offer_id), str(variant_id or "default"))
        counts.setdefault(arm, [0, 0])[0 if kind == IMPRESSION else 1] += int(count)
    return {arm: (shown, accepted) for arm, (shown, accepted) in counts.items()}


def _rules(work: UnitOfWork, policies: tuple[Policy, Policy], source: str) -> list[list[CoPurchaseRule]]:
    if source == "stored":
        stored = work.mined_rules.current()
        if stored is None:
            raise LookupError("no stored co-purchase rules: run `python -m tactful mine` first")
        # The engine applies each policy's own thresholds to the stored rules.
        return [stored.rules if policy.mining.enabled else [] for policy in policies]
    # Mined from every stored basket as the scheduled job does (streamed into
    # one matrix), once for each policy's thresholds.
    matrix, items = basket_matrix(work.orders.stream_offerable_baskets(), NON_PRODUCT_CODES)
    return [
        mine_matrix(matrix, items, p.mining.min_support, p.mining.min_confidence, p.mining.min_lift)
        if p.mining.enabled
        else []
        for p in policies
    ]


def run_whatif(
    new_uow: Callable[[], UnitOfWork],
    old: Policy,
    new: Policy,
    options: WhatIfOptions,
    labels: tuple[str, str] = ("old", "new"),
) -> WhatIfResult:
    with new_uow() as work:
        catalog = load_catalog(work)
        responses = ResponseModel(
            load_arm_stats(work),
            _shown_and_accepted(work),
            options.prior_accepts,
            options.prior_declines,
            options.decline_share,
        )
        rules = _rules(work, (old, new), options.rules)
        sides = [
            ReplayInputs(policy, catalog, mined, responses, options.channel, options.seed)
            for policy, mined in zip((old, new), rules, strict=True)
        ]
        result = WhatIfResult(PolicyTally(), PolicyTally(), Changes(), responses, options, labels)
        for history in customer_histories(work.session, options.since, options.until):
            before = replay_customer(history, sides[0])
            after = replay_customer(history, sides[1])
            result.old.add_customer(before)
            result.new.add_customer(after)
            result.changes.add_customer(before, after)
    return result
