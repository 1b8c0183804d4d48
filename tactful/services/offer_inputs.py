"""Build the offer engine's plain inputs from the store.

The catalog, arm statistics and mined co-purchase rules change slowly, so they
are cached per database for a short time; the customer's own history is read
fresh inside the locked unit of work.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Generic, TypeVar

from tactful.engine.mining import CoPurchaseRule, mine_copurchase
from tactful.engine.model import ArmStats, CustomerSnapshot, OfferEvent, Product, Purchase
from tactful.engine.policy_model import Policy
from tactful.store.models import OfferEventRow
from tactful.store.unit_of_work import UnitOfWork

T = TypeVar("T")
HISTORY_DAYS = 120


class TtlCache(Generic[T]):
    """One value, recomputed when older than ``ttl_seconds``."""

    def __init__(self, ttl_seconds: float) -> None:
        self._ttl = ttl_seconds
        self._lock = threading.Lock()
        self._value: T | None = None
        self._loaded_at = 0.0

    def get(self, load: Callable[[], T]) -> T:
        with self._lock:
            if self._value is None or time.monotonic() - self._loaded_at > self._ttl:
                self._value = load()
                self._loaded_at = time.monotonic()
            return self._value

    def clear(self) -> None:
        with self._lock:
            self._value = None


def load_catalog(work: UnitOfWork) -> dict[str, Product]:
    compatible: dict[str, set[str]] = defaultdict(set)
    for sku, other in work.products.compatibility_pairs():
        compatible[sku].add(other)
        compatible[other].add(sku)
    catalog: dict[str, Product] = {}
    for row in work.products.all():
        catalog[row.sku] = Product(
            sku=row.sku,
            name=row.name,
            category=row.category,
            price=Decimal(row.price),
            margin_rate=Decimal(row.margin_rate) if row.margin_rate is not None else None,
            stock=row.stock,
            upgrade_to=row.upgrade_to_sku,
            tier=row.tier,
            need_group=row.need_group,
            compatible_with=frozenset(compatible.get(row.sku, ())),
            offer_regions=frozenset(row.offer_regions) if row.offer_regions else None,
            offer_channels=frozenset(row.offer_channels) if row.offer_channels else None,
            offerable=bool(row.offerable),
            is_subscription=bool(row.is_subscription),
        )
    return catalog


def load_arm_stats(work: UnitOfWork) -> dict[tuple[str, str], ArmStats]:
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for offer_id, variant_id, kind, count in work.offer_events.arm_counts():
        if offer_id is None:
            continue
        counts[(offer_id, variant_id or "default")][0 if kind == "accepted" else 1] += count
    return {arm: ArmStats(accepts=a, declines=d) for arm, (a, d) in counts.items()}


def load_baskets(work: UnitOfWork) -> list[list[str]]:
    """Every order's offerable SKUs, including orders without a customer."""
    from sqlalchemy import select

    from tactful.store.models import OrderLine
    from tactful.store.models import Product as ProductRow

    rows = work.session.execute(
        select(OrderLine.order_id, OrderLine.sku)
        .join(ProductRow, ProductRow.sku == OrderLine.sku)
        .where(ProductRow.offerable.is_(True))
    )
    baskets: dict[str, list[str]] = defaultdict(list)
    for order_id, sku in rows:
        baskets[order_id].append(sku)
    return list(baskets.values())


def mine_rules(work: UnitOfWork, policy: Policy) -> list[CoPurchaseRule]:
    mining = policy.mining
    if not mining.enabled:
        return []
    return mine_copurchase(
        load_baskets(work),
        min_support=mining.min_support,
        min_confidence=mining.min_confidence,
        min_lift=mining.min_lift,
    )


def to_engine_event(row: OfferEventRow) -> OfferEvent:
    return OfferEvent(
        kind=row.kind,
        offer_id=row.offer_id,
        variant_id=row.variant_id,
        category=row.category,
        at=row.at,
        conversation_id=row.conversation_id,
        channel=row.channel,
    )


def load_snapshot(
    work: UnitOfWork, customer_id: str, region: str | None, catalog: Mapping[str, Product], now: datetime
) -> CustomerSnapshot:
    purchases: Sequence[Purchase] = tuple(
        Purchase(
            sku=sku,
            category=catalog[sku].category if sku in catalog else "general",
            at=placed_at,
            status=status,
            quantity=abs(int(quantity)),
        )
        for sku, placed_at, status, quantity in work.orders.purchases_for_customer(customer_id)
    )
    events = tuple(
        to_engine_event(row)
        for row in work.offer_events.for_customer(customer_id, now - timedelta(days=HISTORY_DAYS))
    )
    return CustomerSnapshot(customer_id=customer_id, region=region, purchases=tuple(purchases), events=events)
