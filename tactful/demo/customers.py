"""The eleven demo customers and the history that makes each story true.

Everything is a function of ``now`` (naive UTC, like every timestamp in the
shop database), so the stories hold on whatever day the demo is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tactful.demo.catalog import BY_SKU


@dataclass(frozen=True)
class DemoCustomer:
    id: str
    name: str
    email: str
    region: str
    story: str


CUSTOMERS: tuple[DemoCustomer, ...] = (
    DemoCustomer("C001", "Alice Archer", "alice@example.com", "United Kingdom",
                 "bought CAM-X100 6 days ago (delivered), no memory card: SD card add-on after a resolved question"),
    DemoCustomer("C002", "Bob Baker", "bob@example.com", "United Kingdom",
                 "on PLAN-BUSINESS (top plan): no plan upgrade"),
    DemoCustomer("C003", "Carol Chen", "carol@example.com", "Germany",
                 "bought CAM-X100 40 days ago, returned SD-64: no SD-64 offer"),
    DemoCustomer("C004", "Dan Diaz", "dan@example.com", "Germany",
                 "order shipped 12 days ago, expected 5 days ago, not delivered (late delivery)"),
    DemoCustomer("C005", "Eve Evans", "eve@example.com", "France", "brand-new, no orders"),
    DemoCustomer("C006", "Frank Fischer", "frank@example.com", "United Kingdom",
                 "PLAN-BASIC for 60 days: upgrade to PLAN-PRO"),
    DemoCustomer("C007", "Grace Green", "grace@example.com", "United Kingdom",
                 "in the holdout group (never gets offers) though her history invites one"),
    DemoCustomer("C008", "Heidi Hall", "heidi@example.com", "Germany", "opted out of offers"),
    DemoCustomer("C009", "Ivan Ivanov", "ivan@example.com", "Netherlands",
                 "declined two offers in the last 30 days: all offers paused"),
    DemoCustomer("C010", "Judy Jones", "judy@example.com", "United Kingdom",
                 "checkout: cart holds CAM-X200, memory card add-on on a cart question"),
    DemoCustomer("C011", "Ken Kim", "ken@example.com", "Ireland",
                 "order placed today, not shipped (can cancel)"),
)  # fmt: skip

CUSTOMER_IDS = tuple(customer.id for customer in CUSTOMERS)
REGIONS = {customer.id: customer.region for customer in CUSTOMERS}


@dataclass(frozen=True)
class DemoOrder:
    id: str
    customer_id: str
    status: str
    placed_at: datetime
    skus: tuple[str, ...]
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    expected_delivery: datetime | None = None

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "customer_id": self.customer_id,
            "status": self.status,
            "placed_at": self.placed_at,
            "shipped_at": self.shipped_at,
            "delivered_at": self.delivered_at,
            "expected_delivery": self.expected_delivery,
            "region": REGIONS[self.customer_id],
            "source": "demo",
        }

    def line_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "order_id": self.id,
                "line_key": f"{sku}:1",
                "sku": sku,
                "description": BY_SKU[sku].name,
                "quantity": 1,
                "unit_price": BY_SKU[sku].price,
            }
            for sku in self.skus
        ]


def _ago(now: datetime, days: float) -> datetime:
    return now - timedelta(days=days)


def earlier_today(now: datetime, minutes: int = 20) -> datetime:
    """A few minutes ago, but never before midnight: "placed today" must hold."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(midnight, now - timedelta(minutes=minutes))


def orders(now: datetime) -> list[DemoOrder]:
    def delivered(
        order_id: str, cid: str, days: float, skus: tuple[str, ...], status: str = "delivered"
    ) -> DemoOrder:
        return DemoOrder(
            order_id,
            cid,
            status,
            placed_at=_ago(now, days),
            skus=skus,
            shipped_at=_ago(now, days - 1),
            delivered_at=_ago(now, days - 3),
            expected_delivery=_ago(now, days - 3),
        )

    def subscribed(order_id: str, cid: str, days: float, sku: str) -> DemoOrder:
        # A plan is "delivered" the moment it is activated.
        at = _ago(now, days)
        return DemoOrder(order_id, cid, "delivered", at, (sku,), delivered_at=at)

    return [
        delivered("D-C001-1", "C001", 6, ("CAM-X100",)),
        subscribed("D-C002-1", "C002", 120, "PLAN-BUSINESS"),
        delivered("D-C003-1", "C003", 40, ("CAM-X100",)),
        # A separate order, so the returned card does not mark the camera returned.
        delivered("D-C003-2", "C003", 40, ("SD-64",), status="returned"),
        DemoOrder(
            "D-C004-1",
            "C004",
            "shipped",
            placed_at=_ago(now, 13),
            skus=("HP-100",),
            shipped_at=_ago(now, 12),
            expected_delivery=_ago(now, 5),
        ),
        subscribed("D-C006-1", "C006", 60, "PLAN-BASIC"),
        delivered("D-C007-1", "C007", 6, ("CAM-X100",)),
        delivered("D-C008-1", "C008", 8, ("CAM-X100",)),
        delivered("D-C009-1", "C009", 25, ("CAM-X100",)),
        subscribed("D-C009-2", "C009", 25, "PLAN-BASIC"),
        DemoOrder(
            "D-C011-1",
            "C011",
            "placed",
            placed_at=earlier_today(now),
            skus=("BAG-CAM", "SD-128"),
            expected_delivery=now + timedelta(days=4),
        ),
    ]


def offer_events(now: datetime) -> list[dict[str, Any]]:
    """C008's opt-out and C009's two recent declines (each after its impression)."""

    def event(
        cid: str, kind: str, at: datetime, offer_id: str | None = None, target: str | None = None
    ) -> dict[str, Any]:
        product = BY_SKU[target] if target else None
        return {
            "customer_id": cid,
            "kind": kind,
            "offer_id": offer_id,
            "variant_id": "default" if offer_id else None,
            "category": product.category if product else None,
            "target_sku": target,
            "channel": "web",
            "conversation_id": f"demo-{cid}-{at:%Y%m%d}",
            "reasons": ["demo_seed"],
            "price": product.price if product else None,
            "source": "bot",
            "at": at,
        }

    battery_shown = _ago(now, 20)
    plan_shown = _ago(now, 9)
    return [
        event("C008", "opted_out", _ago(now, 15)),
        event("C009", "impression", battery_shown, "camera-battery", "BAT-X"),
        event("C009", "declined", battery_shown + timedelta(minutes=1), "camera-battery", "BAT-X"),
        event("C009", "impression", plan_shown, "plan-upgrade", "PLAN-PRO"),
        event("C009", "declined", plan_shown + timedelta(minutes=1), "plan-upgrade", "PLAN-PRO"),
    ]


CARTS: dict[str, tuple[str, ...]] = {"C010": ("CAM-X200",)}


def cart_id(customer_id: str) -> str:
    """The id CartRepository.get_or_create_for_customer would give."""
    return f"cart-{customer_id}"
