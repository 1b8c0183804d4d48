"""Offer analytics against real databases: rates, variants, holdout revenue."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from tactful.engine.holdout import in_holdout
from tactful.services.analytics import format_report, offer_report
from tactful.store.models import Customer, OfferEventRow, Order, OrderLine
from tactful.store.unit_of_work import uow_for
from tests.support.policies import DEMO_HOLDOUT, build_policy

# Only the holdout group matters to the report.
POLICY = build_policy(holdout=DEMO_HOLDOUT)
NOW = datetime(2026, 5, 1, 12, 0)


def _ids(in_group: bool, count: int) -> list[str]:
    found = []
    for n in range(10_000):
        cid = f"K{n}"
        if in_holdout(cid, POLICY.holdout.salt, POLICY.holdout.share) == in_group:
            found.append(cid)
            if len(found) == count:
                return found
    raise AssertionError("not enough ids")


def _seed(url: str) -> tuple[list[str], list[str]]:
    treated, held = _ids(False, 2), _ids(True, 1)
    with uow_for(url) as work:
        for cid in treated + held:
            work.session.add(Customer(id=cid, created_at=NOW))
        work.session.flush()
        orders = [
            (treated[0], "o1", "100.00", 2),
            (treated[1], "o2", "50.00", 1),
            (held[0], "o3", "40.00", 1),
        ]
        for cid, order_id, price, quantity in orders:
            work.session.add(
                Order(id=order_id, customer_id=cid, status="delivered", placed_at=NOW - timedelta(days=3))
            )
            work.session.flush()
            work.session.add(
                OrderLine(
                    order_id=order_id, line_key="1", sku="X", quantity=quantity, unit_price=Decimal(price)
                )
            )
        work.session.add(
            Order(id="o4", customer_id=treated[0], status="returned", placed_at=NOW - timedelta(days=2))
        )
        events = [
            (treated[0], "decision", None, "c1"),
            (treated[0], "impression", "a", "c1"),
            (treated[0], "accepted", "a", "c1"),
            (treated[1], "decision", None, "c2"),
            (treated[1], "impression", "b", "c2"),
            (treated[1], "declined", "b", "c2"),
            (treated[1], "opted_out", None, "c2"),
            (treated[1], "decision", None, "c3"),
            (held[0], "decision", None, "c4"),
        ]
        for cid, kind, offer_id, conversation in events:
            work.session.add(
                OfferEventRow(
                    customer_id=cid,
                    kind=kind,
                    offer_id=offer_id,
                    variant_id="v1" if offer_id else None,
                    conversation_id=conversation,
                    at=NOW - timedelta(days=1),
                )
            )
        work.commit()
    return treated, held


def test_rates_variants_and_holdout_revenue(db_url: str) -> None:
    _seed(db_url)
    report = offer_report(lambda: uow_for(db_url), POLICY, NOW - timedelta(days=30), NOW)
    assert (report.conversations_decided, report.conversations_offered, report.impressions) == (4, 2, 2)
    assert report.offer_rate == 0.5
    assert report.rate("accepted") == 0.5 and report.rate("declined") == 0.5
    assert (report.opted_out_customers, report.offered_customers) == (1, 2)
    assert report.by_variant[("a", "v1")]["accepted"] == 1
    assert (report.treatment.customers, report.treatment.orders, report.treatment.revenue) == (
        2,
        2,
        Decimal("250.00"),
    )
    assert report.treatment.average_order_value == Decimal("125.00")
    assert (report.holdout.customers, report.holdout.revenue) == (1, Decimal("40.00"))
    # (125 - 40) per customer x 2 treated customers
    assert report.incremental_revenue == Decimal("170.00")
    assert "incremental revenue (vs holdout)  170.00" in format_report(report)


def test_an_empty_period_reports_zeros(db_url: str) -> None:
    report = offer_report(lambda: uow_for(db_url), POLICY, NOW - timedelta(days=30), NOW)
    assert report.impressions == 0 and report.offer_rate == 0.0 and report.incremental_revenue == 0
