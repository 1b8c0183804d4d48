"""Plain-object builders for engine tests: the demo catalog, a policy, contexts, events.

The policy and its numbers come from tests/support/policies.py and the catalog
from tactful/demo/catalog.py, so editing the shop's policy.yml moves no test.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from tactful.demo.catalog import PRODUCTS, DemoProduct
from tactful.engine.decide import decide
from tactful.engine.model import (
    ArmStats,
    CartLine,
    ConversationContext,
    CoPurchaseRule,
    CustomerSnapshot,
    Decision,
    OfferEvent,
    Product,
    Purchase,
)
from tactful.engine.policy import Policy
from tests.support.policies import build_policy

# A Wednesday noon, so "last week" / "this week" wording is predictable.
NOW = datetime(2024, 5, 15, 12, 0, 0)


def _optional(values: tuple[str, ...] | None) -> frozenset[str] | None:
    return frozenset(values) if values is not None else None


def engine_product(p: DemoProduct) -> Product:
    """A demo product as the store hands it to the engine."""
    return Product(
        sku=p.sku,
        name=p.name,
        category=p.category,
        price=p.price,
        margin_rate=p.margin_rate,
        stock=p.stock,
        upgrade_to=p.upgrade_to,
        tier=p.tier,
        need_group=p.need_group,
        compatible_with=frozenset(p.compatible_with),
        offer_regions=_optional(p.offer_regions),
        offer_channels=_optional(p.offer_channels),
        offerable=True,
        is_subscription=p.is_subscription,
    )


def demo_catalog() -> dict[str, Product]:
    """The demo catalog of docs/architecture.md (a fresh dict: tests change it)."""
    return {p.sku: engine_product(p) for p in PRODUCTS}


@lru_cache(maxsize=1)
def _test_policy() -> Policy:
    return build_policy()


def default_policy(**changes: Any) -> Policy:
    """The test policy (tests/support/policies.py): every demo rule, nobody held out."""
    policy = _test_policy()
    return replace(policy, **changes) if changes else policy


def ctx(**changes: Any) -> ConversationContext:
    """A verified support chat at a resolved request: the moment is right."""
    base = ConversationContext(
        customer_id="C001",
        conversation_id="conv-1",
        channel="socketio",
        stage="support",
        user_turns=3,
        moment="resolved_request",
        open_issues=frozenset(),
        frustrated=False,
        consecutive_fallbacks=0,
        handoff=False,
        cart=(),
        region="UK",
    )
    return replace(base, **changes)


def checkout_ctx(*skus: str, **changes: Any) -> ConversationContext:
    fields: dict[str, Any] = {"stage": "checkout", "moment": "cart_question"}
    fields.update(changes)
    return ctx(cart=tuple(CartLine(s, 1) for s in skus), **fields)


def bought(
    sku: str, days_ago: float, status: str = "delivered", catalog: dict[str, Product] | None = None
) -> Purchase:
    category = (catalog or demo_catalog())[sku].category
    return Purchase(sku=sku, category=category, at=NOW - timedelta(days=days_ago), status=status, quantity=1)


def customer(
    *purchases: Purchase, events: tuple[OfferEvent, ...] = (), cid: str = "C001"
) -> CustomerSnapshot:
    return CustomerSnapshot(customer_id=cid, region="UK", purchases=tuple(purchases), events=events)


def event(
    kind: str,
    days_ago: float,
    offer_id: str | None = "camera-memory-card",
    *,
    category: str | None = "memory_card",
    conversation_id: str | None = "older-conv",
    variant_id: str | None = "plain",
) -> OfferEvent:
    return OfferEvent(
        kind=kind,
        offer_id=offer_id,
        variant_id=variant_id,
        category=category,
        at=NOW - timedelta(days=days_ago),
        conversation_id=conversation_id,
        channel="socketio",
    )


def run(
    context: ConversationContext,
    snapshot: CustomerSnapshot | None,
    *,
    policy: Policy | None = None,
    catalog: dict[str, Product] | None = None,
    arm_stats: dict[tuple[str, str], ArmStats] | None = None,
    mined: tuple[CoPurchaseRule, ...] = (),
    now: datetime = NOW,
    seed: int = 7,
) -> Decision:
    return decide(
        context,
        snapshot,
        catalog if catalog is not None else demo_catalog(),
        policy if policy is not None else default_policy(),
        arm_stats or {},
        mined,
        now,
        random.Random(seed),
    )


def only_rules(policy: Policy, *ids: str) -> Policy:
    """The policy restricted to some offer rules (isolates one rule in a test)."""
    return replace(policy, offers=tuple(r for r in policy.offers if r.id in ids))
