"""Revenue against the sticky holdout, and cross-sell conversion.

The comparison is intent-to-treat over the exposed customers: everyone who
had a decision in the period, buyer or not, in the arm their decisions record.
Only complete windows count: a customer is in the N-day comparison when N days
of orders after their first decision have been read (docs/analytics.md,
"Holdout comparison").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from tactful.analytics.arms import Exposure
from tactful.analytics.conversations import Conversation
from tactful.analytics.intervals import (
    NO_INTERVAL,
    Interval,
    bootstrap_differences,
    difference_of_means,
    relative_lift_pct,
)
from tactful.analytics.measures import ratio
from tactful.analytics.rows import CENT
from tactful.analytics.sales import Sales, shift
from tactful.store.kinds import ACCEPTED

WINDOWS = (30, 90)
CROSS_SELL_DAYS = 30
METHOD = (
    "intent-to-treat: every customer with a decision in the period, buyers or not, in the arm their"
    " decisions record (else the holdout hash); only customers whose first decision is at least"
    " {days} days before the end of the orders read, each with revenue of paid orders for exactly"
    " {days} days from it; 95 % percentile bootstrap, {resamples} resamples per arm, seed {seed}"
)


def money(value: Decimal) -> float:
    """Money in the report: a float rounded to cents."""
    return float(value.quantize(CENT))


def holdout_comparison(
    exposed: Mapping[str, Exposure],
    sales: Sales,
    follow_up_until: datetime,
    days: int,
    seed: int,
    resamples: int,
) -> dict[str, Any]:
    # Later first decisions have not had ``days`` days of orders yet: left out, not cut short.
    cutoff = shift(follow_up_until, -days)
    revenue: dict[bool, list[Decimal]] = {True: [], False: []}
    orders: dict[bool, int] = {True: 0, False: 0}
    for customer, exposure in sorted(exposed.items()):
        if exposure.first > cutoff:
            continue
        end = shift(exposure.first, days)
        window = [s for s in sales.by_customer.get(customer, ()) if exposure.first <= s.placed_at < end]
        revenue[exposure.held_out].append(sum((sale.amount for sale in window), Decimal("0")))
        orders[exposure.held_out] += len({sale.order_id for sale in window})
    treated, control = revenue[False], revenue[True]
    lift, pct = bootstrap_differences(
        [float(v) for v in treated],
        [float(v) for v in control],
        (difference_of_means, relative_lift_pct),
        seed=seed,
        resamples=resamples,
    )
    return {
        "days": days,
        "treated": _arm(treated, orders[False]),
        "holdout": _arm(control, orders[True]),
        "incremental_revenue_per_customer": lift.as_dict(2),
        "incremental_revenue": _scaled(lift, len(treated)).as_dict(2),
        "incremental_sales_pct": pct.as_dict(2),
        "incremental_sales_pct_undefined_resamples": round(pct.undefined_share, 4),
        "cohort": {
            "exposed": len(exposed),
            "complete_windows": len(treated) + len(control),
            "first_decision_by": cutoff.isoformat(timespec="seconds"),
            "follow_up_until": follow_up_until.isoformat(timespec="seconds"),
        },
        "method": METHOD.format(days=days, resamples=resamples, seed=seed),
    }


def _arm(revenues: list[Decimal], orders: int) -> dict[str, Any]:
    total = sum(revenues, Decimal("0"))
    customers = len(revenues)
    return {
        "customers": customers,
        "buyers": sum(1 for value in revenues if value > 0),
        "orders": orders,
        "revenue": money(total),
        "revenue_per_customer": money(total / customers) if customers else None,
        "average_order_value": money(total / orders) if orders else None,
    }


def _scaled(interval: Interval, factor: int) -> Interval:
    """Incremental revenue in total: the per-customer lift times the treated customers."""
    if interval.estimate is None or not factor:
        return NO_INTERVAL
    low = interval.low * factor if interval.low is not None else None
    high = interval.high * factor if interval.high is not None else None
    return Interval(interval.estimate * factor, low, high)


def cross_sell(
    conversations: Iterable[Conversation], sales: Sales, follow_up_until: datetime
) -> dict[str, Any]:
    """Verified accepts with 30 days of orders read that end in a paid order of the offered product."""
    accepted = paid = unverified = incomplete = 0
    per_offer: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for conversation in conversations:
        if not conversation.counted:
            continue
        for mark in conversation.responses.get(ACCEPTED, ()):
            customer = mark.customer_id or conversation.customer_id
            end = shift(mark.at, CROSS_SELL_DAYS)
            if customer is None:
                # Nobody to follow: such an accept can never convert, so it would only lower the rate.
                unverified += 1
                continue
            if end > follow_up_until:
                incomplete += 1
                continue
            times = sales.bought.get((customer, mark.target_sku or ""), ())
            converted = any(mark.at <= placed < end for placed in times)
            accepted += 1
            paid += int(converted)
            counts = per_offer[mark.offer_id or "?"]
            counts[0] += 1
            counts[1] += int(converted)
    return {
        "accepted": accepted,
        "paid": paid,
        "conversion": ratio(paid, accepted),
        "days": CROSS_SELL_DAYS,
        "unverified": unverified,
        "follow_up_incomplete": incomplete,
        "follow_up_until": follow_up_until.isoformat(timespec="seconds"),
        "by_offer": [
            {"offer": offer, "accepted": a, "paid": p, "conversion": ratio(p, a)}
            for offer, (a, p) in sorted(per_offer.items())
        ],
    }
