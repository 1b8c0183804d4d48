"""Build the offer engine's plain inputs from the store.

The catalog, arm statistics and stored co-purchase rules change slowly, so
they are cached per process for a short time; the customer's own history is
read fresh inside the locked unit of work.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Generic, TypeVar

from tactful.engine.history import required_history_days
from tactful.engine.model import ArmStats, CoPurchaseRule, CustomerSnapshot, OfferEvent, Product, Purchase
from tactful.engine.policy_model import Policy
from tactful.services.support import sentence_name
from tactful.store.kinds import ACCEPTED
from tactful.store.offer_history import EventRow, History
from tactful.store.unit_of_work import UnitOfWork

T = TypeVar("T")
logger = logging.getLogger(__name__)


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

    def put(self, value: T) -> None:
        with self._lock:
            self._value = value
            self._loaded_at = time.monotonic()

    def cached(self) -> T | None:
        """The value held now, without loading one."""
        with self._lock:
            return self._value

    def update(self, change: Callable[[T], T]) -> None:
        """Change the cached value in place (its age unchanged); nothing if none is cached."""
        with self._lock:
            if self._value is not None:
                self._value = change(self._value)

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
            # Offers put the name inside a sentence: the short, natural one.
            name=sentence_name(row.name, row.short_name),
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
        counts[(offer_id, variant_id or "default")][0 if kind == ACCEPTED else 1] += count
    return {arm: ArmStats(accepts=a, declines=d) for arm, (a, d) in counts.items()}


def to_engine_event(row: EventRow, now: datetime) -> OfferEvent:
    """The engine's view of a stored event.

    A racing decision may have committed an event stamped a little after our
    ``now`` (its clock was read later, but it took the lock first). It did
    happen before this decision, so it counts as "now" rather than "future".
    """
    return OfferEvent(
        kind=row.kind,
        offer_id=row.offer_id,
        variant_id=row.variant_id,
        category=row.category,
        at=min(row.at, now),
        conversation_id=row.conversation_id,
        channel=row.channel,
    )


def load_snapshot(
    work: UnitOfWork,
    customer_id: str,
    region: str | None,
    catalog: Mapping[str, Product],
    now: datetime,
    policy: Policy,
    conversation_id: str | None = None,
) -> CustomerSnapshot:
    """The customer's purchases and every offer event ``decide`` needs.

    That is: events inside the policy's longest window, all events of the
    current conversation however old, and the latest consent choice however
    old (an opt-out must never expire by falling out of a window).
    """
    history = work.offer_history.history(customer_id, history_since(policy, now), conversation_id)
    return to_snapshot(history, customer_id, region, catalog, now)


def history_since(policy: Policy, now: datetime) -> datetime:
    # Only the window the policy can look at: older events cannot change a decision.
    return now - timedelta(days=required_history_days(policy))


def to_snapshot(
    history: History, customer_id: str, region: str | None, catalog: Mapping[str, Product], now: datetime
) -> CustomerSnapshot:
    purchases = tuple(
        Purchase(
            sku=row.sku,
            category=catalog[row.sku].category if row.sku in catalog else "general",
            at=row.placed_at,
            status=row.status,
            quantity=abs(int(row.quantity)),
        )
        for row in history.purchases
    )
    events = tuple(to_engine_event(row, now) for row in history.events)
    return CustomerSnapshot(customer_id=customer_id, region=region, purchases=purchases, events=events)


class OfferInputs:
    """The slowly changing engine inputs, cached once per process and shared
    by the bot's decisions and the agents' offers.

    Mined co-purchase rules are read from the store (written by the scheduled
    `tactful mine` job), never mined here. The ranking counts survive an
    answer: this process's own accepts and declines are added in place, and
    the full reload brings in other replicas' answers. Caps, cooldowns,
    declines and consent never come from here: they are the customer's own
    history, read fresh under the customer lock (load_snapshot).
    """

    def __init__(self, rules_ttl_seconds: float = 300) -> None:
        self.catalog = TtlCache[dict[str, Product]](60)
        self.arms = TtlCache[dict[tuple[str, str], ArmStats]](120)
        self.mined = TtlCache[list[CoPurchaseRule]](rules_ttl_seconds)
        self._warned_no_rules = False

    def load(
        self, work: UnitOfWork, policy: Policy
    ) -> tuple[dict[str, Product], dict[tuple[str, str], ArmStats], list[CoPurchaseRule]]:
        catalog = self.catalog.get(lambda: load_catalog(work))
        arms = self.arms.get(lambda: load_arm_stats(work))
        mined = self.mined.get(lambda: self._stored_rules(work)) if policy.mining.enabled else []
        return catalog, arms, mined

    def count_answer(self, offer_id: str | None, variant_id: str | None, kind: str) -> None:
        """Add one committed accept or decline to the cached ranking counts."""
        if offer_id is None:
            return
        arm = (offer_id, variant_id or "default")

        def bump(arms: dict[tuple[str, str], ArmStats]) -> dict[tuple[str, str], ArmStats]:
            old = arms.get(arm, ArmStats())
            new = (
                ArmStats(old.accepts + 1, old.declines)
                if kind == ACCEPTED
                else ArmStats(old.accepts, old.declines + 1)
            )
            # A new dict: a decision ranking right now keeps the one it has.
            return {**arms, arm: new}

        self.arms.update(bump)

    def _stored_rules(self, work: UnitOfWork) -> list[CoPurchaseRule]:
        stored = work.mined_rules.current()
        if stored is None:
            if not self._warned_no_rules:
                self._warned_no_rules = True
                logger.warning(
                    "no co-purchase rules are stored yet, so offers use the policy's rules only; "
                    "run `python -m tactful mine` (hourly or daily, see README 'Scheduled jobs')"
                )
            return []
        self._warned_no_rules = False
        return stored.rules
