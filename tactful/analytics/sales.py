"""Paid order lines, folded as they stream in into what the revenue measures need.

Only the exposed customers' lines (for the holdout comparison) and the lines
of a product a customer accepted an offer of (for cross-sell) are kept, so
memory follows the customers in the report, not the shop's order book.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tactful.analytics.conversations import Conversation
from tactful.analytics.rows import SaleRow
from tactful.store.kinds import ACCEPTED


@dataclass
class Sales:
    by_customer: dict[str, list[SaleRow]] = field(default_factory=lambda: defaultdict(list))
    bought: dict[tuple[str, str], list[datetime]] = field(default_factory=lambda: defaultdict(list))
    # Lines of any customer placed inside the period itself (for "empty").
    in_period: int = 0


def accepted_targets(conversations: Iterable[Conversation]) -> set[tuple[str, str]]:
    """(customer, offered SKU) of every accept: the purchases cross-sell looks for."""
    targets = set()
    for conversation in conversations:
        for mark in conversation.responses.get(ACCEPTED, ()):
            customer = mark.customer_id or conversation.customer_id
            if customer and mark.target_sku:
                targets.add((customer, mark.target_sku))
    return targets


def collect_sales(
    rows: Iterable[SaleRow], customers: Collection[str], targets: Collection[tuple[str, str]], until: datetime
) -> Sales:
    sales = Sales()
    for sale in rows:
        sales.in_period += int(sale.placed_at < until)
        if sale.customer_id in customers:
            sales.by_customer[sale.customer_id].append(sale)
        if (sale.customer_id, sale.sku) in targets:
            sales.bought[(sale.customer_id, sale.sku)].append(sale.placed_at)
    return sales


def shift(moment: datetime, days: int) -> datetime:
    """``moment`` plus ``days`` (may be negative), held at the ends of the calendar instead of overflowing."""
    try:
        return moment + timedelta(days=days)
    except OverflowError:
        return datetime.max if days > 0 else datetime.min


def follow_up_end(until: datetime, now: datetime, days: int) -> datetime:
    """How far orders are read: ``days`` past the period for the windows that start late in it, never past now."""
    return min(shift(until, days), now)
