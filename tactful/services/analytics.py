"""Offer analytics from the recorded events, against the sticky holdout group.

Rates come from the offer events; revenue and average order value compare
customers in the holdout group (never offered anything) with everyone else,
so the difference estimates what the offers add rather than what they merely
coincide with.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from tactful.engine.holdout import in_holdout
from tactful.engine.policy_model import Policy
from tactful.store.kinds import ACCEPTED, DECISION, DECLINED, IGNORED, IMPRESSION, OPTED_OUT, OfferEventKind
from tactful.store.models import OfferEventRow, Order, OrderLine
from tactful.store.unit_of_work import UnitOfWork

ZERO = Decimal("0")


@dataclass(frozen=True)
class GroupRevenue:
    customers: int
    orders: int
    revenue: Decimal

    @property
    def average_order_value(self) -> Decimal:
        return (self.revenue / self.orders).quantize(Decimal("0.01")) if self.orders else ZERO

    @property
    def revenue_per_customer(self) -> Decimal:
        return (self.revenue / self.customers).quantize(Decimal("0.01")) if self.customers else ZERO


@dataclass(frozen=True)
class OfferReport:
    since: datetime
    until: datetime
    conversations_decided: int
    conversations_offered: int
    impressions: int
    responses: Counter[str]
    opted_out_customers: int
    offered_customers: int
    by_variant: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    treatment: GroupRevenue = GroupRevenue(0, 0, ZERO)
    holdout: GroupRevenue = GroupRevenue(0, 0, ZERO)

    def rate(self, kind: OfferEventKind) -> float:
        return self.responses[kind] / self.impressions if self.impressions else 0.0

    @property
    def offer_rate(self) -> float:
        """Share of conversations with a decision that were shown an offer."""
        if not self.conversations_decided:
            return 0.0
        return self.conversations_offered / self.conversations_decided

    @property
    def opt_out_rate(self) -> float:
        return self.opted_out_customers / self.offered_customers if self.offered_customers else 0.0

    @property
    def incremental_revenue(self) -> Decimal:
        """(revenue per treated customer − per holdout customer) × treated customers."""
        lift = self.treatment.revenue_per_customer - self.holdout.revenue_per_customer
        return (lift * self.treatment.customers).quantize(Decimal("0.01"))


def offer_report(
    uow: Callable[[], UnitOfWork], policy: Policy, since: datetime, until: datetime
) -> OfferReport:
    with uow() as work:
        session = work.session
        period = (OfferEventRow.at >= since) & (OfferEventRow.at < until)
        kinds = Counter(
            {
                kind: int(count)
                for kind, count in session.execute(
                    select(OfferEventRow.kind, func.count()).where(period).group_by(OfferEventRow.kind)
                )
            }
        )
        decided = _distinct(session, OfferEventRow.conversation_id, period, (DECISION, IMPRESSION))
        offered_conversations = _distinct(session, OfferEventRow.conversation_id, period, (IMPRESSION,))
        by_variant: dict[tuple[str, str], Counter[str]] = {}
        for offer_id, variant_id, kind, count in session.execute(
            select(OfferEventRow.offer_id, OfferEventRow.variant_id, OfferEventRow.kind, func.count())
            .where(period)
            .where(OfferEventRow.kind.in_((IMPRESSION, ACCEPTED, DECLINED, IGNORED)))
            .group_by(OfferEventRow.offer_id, OfferEventRow.variant_id, OfferEventRow.kind)
        ):
            by_variant.setdefault((offer_id or "?", variant_id or "default"), Counter())[kind] += int(count)
        offered = _distinct(session, OfferEventRow.customer_id, period, (IMPRESSION,))
        opted_out = _distinct(session, OfferEventRow.customer_id, period, (OPTED_OUT,))
        treatment, holdout = _revenue_by_group(session, policy, since, until)
    return OfferReport(
        since=since,
        until=until,
        conversations_decided=decided,
        conversations_offered=offered_conversations,
        impressions=kinds[IMPRESSION],
        responses=kinds,
        opted_out_customers=opted_out,
        offered_customers=offered,
        by_variant=by_variant,
        treatment=treatment,
        holdout=holdout,
    )


def _distinct(
    session: Session, column: ColumnElement, period: ColumnElement, kinds: tuple[OfferEventKind, ...]
) -> int:
    return int(
        session.execute(
            select(func.count(func.distinct(column))).where(period).where(OfferEventRow.kind.in_(kinds))
        ).scalar_one()
    )


def _revenue_by_group(
    session: Session, policy: Policy, since: datetime, until: datetime
) -> tuple[GroupRevenue, GroupRevenue]:
    """Orders placed in the period (cancelled and returned excluded), per group."""
    rows = session.execute(
        select(
            Order.customer_id,
            func.count(func.distinct(Order.id)),
            func.sum(OrderLine.unit_price * OrderLine.quantity),
        )
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(Order.customer_id.is_not(None))
        .where(Order.placed_at >= since)
        .where(Order.placed_at < until)
        .where(Order.status.not_in(("cancelled", "returned")))
        .group_by(Order.customer_id)
    )
    # Keyed by "held out": True is the holdout group, False the treatment group.
    customers = {True: 0, False: 0}
    order_counts = {True: 0, False: 0}
    revenues = {True: ZERO, False: ZERO}
    for customer_id, orders, revenue in rows:
        held_out = in_holdout(customer_id, policy.holdout.salt, policy.holdout.share)
        customers[held_out] += 1
        order_counts[held_out] += int(orders)
        revenues[held_out] += Decimal(revenue or 0)
    return (
        GroupRevenue(customers[False], order_counts[False], revenues[False]),
        GroupRevenue(customers[True], order_counts[True], revenues[True]),
    )


def format_report(report: OfferReport) -> str:
    lines = [
        f"Offers from {report.since:%Y-%m-%d} to {report.until:%Y-%m-%d}",
        f"  conversations with a decision  {report.conversations_decided}",
        f"  impressions                    {report.impressions}  (offer rate {report.offer_rate:.1%})",
        f"  accepted                       {report.responses[ACCEPTED]}  ({report.rate(ACCEPTED):.1%})",
        f"  declined                       {report.responses[DECLINED]}  ({report.rate(DECLINED):.1%})",
        f"  ignored                        {report.responses[IGNORED]}  ({report.rate(IGNORED):.1%})",
        f"  opted out                      {report.opted_out_customers} of {report.offered_customers}"
        f" offered customers ({report.opt_out_rate:.1%})",
        "  by offer/variant (impressions, accepted, accept rate):",
    ]
    for (offer_id, variant_id), counts in sorted(report.by_variant.items()):
        shown = counts[IMPRESSION]
        rate = counts[ACCEPTED] / shown if shown else 0.0
        lines.append(f"    {offer_id + '/' + variant_id:<36} {shown:>6} {counts[ACCEPTED]:>6}  {rate:.1%}")
    for name, group in (("treatment", report.treatment), ("holdout", report.holdout)):
        lines.append(
            f"  {name:<10} customers {group.customers:>6}  orders {group.orders:>6}"
            f"  AOV {group.average_order_value}  revenue/customer {group.revenue_per_customer}"
        )
    lines.append(f"  incremental revenue (vs holdout)  {report.incremental_revenue}")
    return "\n".join(lines)
