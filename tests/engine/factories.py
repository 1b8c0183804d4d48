"""Plain-object builders for engine tests: the demo catalog, contexts, events."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

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
from tactful.engine.policy import Holdout, Policy, load_policy

REPO = Path(__file__).resolve().parents[2]
POLICY_FILE = REPO / "policy.yml"
# A Wednesday noon, so "last week" / "this week" wording is predictable.
NOW = datetime(2024, 5, 15, 12, 0, 0)

_CAMERAS = frozenset({"CAM-X100", "CAM-X200"})


def _p(
    sku: str,
    name: str,
    category: str,
    price: str,
    need: str,
    *,
    tier: int | None = None,
    upgrade_to: str | None = None,
    compatible: frozenset[str] = frozenset(),
    stock: int = 25,
    subscription: bool = False,
) -> Product:
    return Product(
        sku=sku,
        name=name,
        category=category,
        price=Decimal(price),
        margin_rate=None,
        stock=stock,
        upgrade_to=upgrade_to,
        tier=tier,
        need_group=need,
        compatible_with=compatible,
        offer_regions=None,
        offer_channels=None,
        offerable=True,
        is_subscription=subscription,
    )


def demo_catalog() -> dict[str, Product]:
    """The demo catalog of docs/architecture.md."""
    products = [
        _p("CAM-X100", "Aurora X100 camera", "camera", "499.00", "camera", tier=1, upgrade_to="CAM-X200"),
        _p("CAM-X200", "Aurora X200 camera", "camera", "749.00", "camera", tier=2),
        _p("SD-64", "64 GB SD memory card", "memory_card", "24.99", "memory_card", compatible=_CAMERAS),
        _p("SD-128", "128 GB SD memory card", "memory_card", "39.99", "memory_card", compatible=_CAMERAS),
        _p("BAT-X", "X-series spare battery", "battery", "29.99", "camera_battery", compatible=_CAMERAS),
        _p("BAG-CAM", "Padded camera bag", "bag", "34.99", "camera_bag", compatible=_CAMERAS),
        _p("TRIPOD-T1", "Travel tripod", "tripod", "59.00", "tripod", compatible=_CAMERAS),
        _p("HP-100", "Studio headphones", "headphones", "129.00", "headphones", tier=1, upgrade_to="HP-200"),
        _p("HP-200", "Studio headphones Pro", "headphones", "199.00", "headphones", tier=2),
        _p("LAP-13", "Nimbus 13 laptop", "laptop", "999.00", "laptop"),
        _p(
            "SLV-13",
            "13-inch laptop sleeve",
            "sleeve",
            "29.00",
            "laptop_sleeve",
            compatible=frozenset({"LAP-13"}),
        ),
        _p("HUB-C", "USB-C hub", "hub", "49.00", "usb_hub", compatible=frozenset({"LAP-13"})),
        _p(
            "PLAN-BASIC",
            "PhotoCloud Basic plan (monthly)",
            "subscription",
            "5.00",
            "photo_plan",
            tier=1,
            upgrade_to="PLAN-PRO",
            stock=0,
            subscription=True,
        ),
        _p(
            "PLAN-PRO",
            "PhotoCloud Pro plan (monthly)",
            "subscription",
            "12.00",
            "photo_plan",
            tier=2,
            upgrade_to="PLAN-BUSINESS",
            stock=0,
            subscription=True,
        ),
        _p(
            "PLAN-BUSINESS",
            "PhotoCloud Business plan (monthly)",
            "subscription",
            "25.00",
            "photo_plan",
            tier=3,
            stock=0,
            subscription=True,
        ),
    ]
    return {p.sku: p for p in products}


@lru_cache(maxsize=1)
def _repo_policy() -> Policy:
    return load_policy(POLICY_FILE)


def default_policy(**changes: Any) -> Policy:
    """policy.yml with the holdout switched off, so test customers always qualify."""
    policy = _repo_policy()
    policy = replace(policy, holdout=Holdout(share=0.0, salt=policy.holdout.salt))
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
