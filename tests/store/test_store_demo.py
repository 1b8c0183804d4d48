"""The demo store: every story holds, on both databases, whenever it is loaded."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from tactful.demo import catalog, customers
from tactful.demo.loader import load_demo
from tactful.engine.holdout import in_holdout
from tactful.store import models
from tactful.store.unit_of_work import uow_for
from tests.support.policies import DEMO_HOLDOUT

TABLES = [table for table in models.metadata.sorted_tables]


def _counts(url: str) -> dict[str, int]:
    with uow_for(url) as uow:
        return {t.name: uow.session.execute(select(func.count()).select_from(t)).scalar_one() for t in TABLES}


def _days_ago(moment: datetime, now: datetime) -> float:
    return (now - moment).total_seconds() / 86400


# --------------------------------------------------------------------------- holdout


def test_c007_is_the_only_demo_customer_in_the_demo_holdout_group() -> None:
    salt, share = DEMO_HOLDOUT["salt"], DEMO_HOLDOUT["share"]
    held_out = [cid for cid in customers.CUSTOMER_IDS if in_holdout(cid, salt, share)]
    assert held_out == ["C007"]


# --------------------------------------------------------------------------- loading


def test_load_is_idempotent_and_refreshes_dates(db_url: str) -> None:
    then = datetime(2025, 1, 10, 9, 30)
    load_demo(db_url, now=then)
    first = _counts(db_url)
    load_demo(db_url)
    assert _counts(db_url) == first
    now = datetime.utcnow()
    with uow_for(db_url) as uow:
        alice = uow.orders.recent_for_customer("C001")[0]
        # Refreshed to the new "now", not left at the first load's dates.
        assert abs(_days_ago(alice.placed_at, now) - 6) < 0.01


def test_load_leaves_other_customers_alone(db_url: str) -> None:
    with uow_for(db_url) as uow:
        uow.session.add(models.Customer(id="12345", created_at=datetime.utcnow()))
        uow.session.add(models.OfferEventRow(customer_id="12345", kind="opted_out", at=datetime.utcnow()))
        uow.commit()
    load_demo(db_url)
    load_demo(db_url)
    with uow_for(db_url) as uow:
        assert uow.offer_events.latest_consent("12345") == "opted_out"


def test_catalog(demo_db_url: str) -> None:
    with uow_for(demo_db_url) as uow:
        products = {p.sku: p for p in uow.products.all()}
        assert set(products) == {p.sku for p in catalog.PRODUCTS}
        assert len(products) == 15
        assert products["TRIPOD-T1"].stock == 0
        assert all(p.stock > 0 for sku, p in products.items() if sku != "TRIPOD-T1")
        assert products["CAM-X100"].upgrade_to_sku == "CAM-X200"
        assert products["HP-100"].upgrade_to_sku == "HP-200"
        assert products["PLAN-BASIC"].upgrade_to_sku == "PLAN-PRO"
        assert products["PLAN-PRO"].upgrade_to_sku == "PLAN-BUSINESS"
        assert products["PLAN-BUSINESS"].upgrade_to_sku is None and products["PLAN-BUSINESS"].tier == 3
        assert products["PLAN-PRO"].is_subscription and not products["CAM-X100"].is_subscription
        assert str(products["CAM-X200"].price) == "749.00"
        assert products["SD-64"].need_group == "memory_card"
        assert products["HUB-C"].offer_regions == ["United Kingdom", "Ireland"]
        assert products["SD-64"].offer_regions is None
        assert all(p.description and p.includes and p.offerable for p in products.values())
        pairs = set(uow.products.compatibility_pairs())
        for accessory in ("SD-64", "SD-128", "BAT-X", "BAG-CAM", "TRIPOD-T1"):
            assert {(accessory, "CAM-X100"), (accessory, "CAM-X200")} <= pairs
        assert {("SLV-13", "LAP-13"), ("HUB-C", "LAP-13")} <= pairs
        assert len(pairs) == 12


def test_customers(demo_db_url: str) -> None:
    with uow_for(demo_db_url) as uow:
        rows = {c.id: c for c in uow.session.scalars(select(models.Customer))}
        assert set(rows) == {f"C{n:03d}" for n in range(1, 12)}
        assert rows["C001"].name == "Alice Archer" and rows["C001"].region == "United Kingdom"
        assert rows["C003"].region == "Germany"
        assert all(c.email and c.email.endswith("@example.com") for c in rows.values())


def _skus(uow, customer_id: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return sorted((row[0], row[2]) for row in uow.orders.purchases_for_customer(customer_id))


def test_stories(demo_db_url: str) -> None:
    now = datetime.utcnow()
    with uow_for(demo_db_url) as uow:
        # C001: camera 6 days ago, delivered, no memory card.
        (alice,) = uow.orders.recent_for_customer("C001")
        assert alice.status == "delivered" and [line.sku for line in alice.lines] == ["CAM-X100"]
        assert abs(_days_ago(alice.placed_at, now) - 6) < 0.01
        assert not any(sku.startswith("SD-") for sku, _ in _skus(uow, "C001"))
        # C002: top plan.
        assert _skus(uow, "C002") == [("PLAN-BUSINESS", "delivered")]
        # C003: camera 40 days ago kept, SD-64 returned.
        assert _skus(uow, "C003") == [("CAM-X100", "delivered"), ("SD-64", "returned")]
        assert all(
            abs(_days_ago(o.placed_at, now) - 40) < 0.01 for o in uow.orders.recent_for_customer("C003")
        )
        # C004: shipped 12 days ago, expected 5 days ago, not delivered.
        (dan,) = uow.orders.recent_for_customer("C004")
        assert dan.status == "shipped" and dan.delivered_at is None
        assert abs(_days_ago(dan.shipped_at, now) - 12) < 0.01
        assert abs(_days_ago(dan.expected_delivery, now) - 5) < 0.01
        # C005: brand new.
        assert uow.orders.recent_for_customer("C005") == []
        assert uow.offer_events.for_customer("C005", now - timedelta(days=365)) == []
        # C006: basic plan for 60 days.
        (frank,) = uow.orders.recent_for_customer("C006")
        assert [line.sku for line in frank.lines] == ["PLAN-BASIC"]
        assert abs(_days_ago(frank.placed_at, now) - 60) < 0.01
        # C007: history that would invite an offer, but held out.
        assert _skus(uow, "C007") == [("CAM-X100", "delivered")]
        # C008: opted out.
        assert uow.offer_events.latest_consent("C008") == "opted_out"
        # C009: two declines of different offers in the last 30 days.
        declines = [
            e for e in uow.offer_events.for_customer("C009", now - timedelta(days=30)) if e.kind == "declined"
        ]
        assert sorted(e.offer_id for e in declines) == ["camera-battery", "plan-upgrade"]
        shown = [
            e
            for e in uow.offer_events.for_customer("C009", now - timedelta(days=30))
            if e.kind == "impression"
        ]
        assert len(shown) == 2
        assert uow.offer_events.latest_consent("C009") is None
        # C010: cart with the X200.
        cart = uow.carts.for_customer("C010")
        assert cart is not None and cart.id == "cart-C010"
        assert [(i.sku, i.quantity) for i in cart.items] == [("CAM-X200", 1)]
        assert uow.orders.recent_for_customer("C010") == []
        # C011: placed today, not shipped.
        (ken,) = uow.orders.recent_for_customer("C011")
        assert ken.status == "placed" and ken.shipped_at is None
        assert ken.placed_at.date() == now.date() and ken.placed_at <= now


def test_placed_today_holds_just_after_midnight() -> None:
    just_after = datetime(2026, 5, 1, 0, 5)
    assert customers.earlier_today(just_after) == datetime(2026, 5, 1, 0, 0)
    assert customers.earlier_today(datetime(2026, 5, 1, 15, 0)) == datetime(2026, 5, 1, 14, 40)
