"""A small fixed event log whose every measure is worked out by hand in test_report.py.

Period: [2026-01-01, 2026-05-01). Treated customers T1, T2, T3 and holdout
customers H1, H2 (ids chosen by the real holdout hash); U1 never talks to the
assistant. T3 and H2 buy nothing in their windows (non-buyers in both arms).

conv channel   stage    customer  what happens (times 2026)
c0   web       support  T1   decision + impression sd/a on 2025-12-31 (before the period: ignored)
c1   web       support  T1   04-20 10:00 decision + impression sd/a (SD-64); 10:01 accepted
c2   web       support  T2   02-02 10:00 decision + impression sd/b; 10:00:30 ignored; 10:01 declined;
                             10:02 opted out; 10:03 frustrated
c3   telegram  checkout T2   02-03 10:00 decision, no offer (cap:weekly); 10:01 fallback
c4   web       support  H1   04-20 09:00 decision, no offer (gate:holdout); 09:05 handoff (a row in
                             the handoffs table and a handoff signal: counted once)
c5   web       support  H2   04-22 10:00 decision, no offer (gate:holdout, gate:first_turn)
c6   telegram  checkout T3   04-27 10:00 decision + impression bat/a (BAT-X); 10:05 accepted
c7   telegram  support  T3   04-28 09:59 fallback (before the decision: not harm); 10:00 decision,
                             no offer (none:no_candidates)

Paid orders (o2 is returned, so it earned nothing):
o1 T1 04-20 12:00 SD-64 2 x 20.00 = 40.00   o2 T1 04-21 returned 100.00
o3 T2 02-10 60.00 (8 days after T2's first decision)   o4 T2 03-20 30.00 (46 days after)
o5 T3 04-01 30.00 (before T3's first decision)          o6 H1 04-23 50.00
o7 U1 04-10 500.00 (U1 had no decision: not in either arm)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from tactful.engine.holdout import in_holdout
from tactful.engine.policy_model import Policy
from tactful.store.models import Customer, Handoff, OfferEventRow, Order, OrderLine
from tactful.store.unit_of_work import uow_for
from tests.support.policies import DEMO_HOLDOUT, build_policy

POLICY: Policy = build_policy(holdout=DEMO_HOLDOUT)
SINCE = datetime(2026, 1, 1)
UNTIL = datetime(2026, 5, 1)


def ids(in_group: bool, count: int, prefix: str) -> list[str]:
    found = []
    for n in range(10_000):
        customer = f"{prefix}{n}"
        if in_holdout(customer, POLICY.holdout.salt, POLICY.holdout.share) == in_group:
            found.append(customer)
            if len(found) == count:
                return found
    raise AssertionError("not enough ids")


T1, T2, T3 = ids(False, 3, "T")
H1, H2 = ids(True, 2, "H")
U1 = "U1"


def at(month: int, day: int, hour: int, minute: int = 0, second: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, second)


# (conversation, channel, customer, kind, offer, variant, target, reasons, at)
EVENTS = [
    (
        "c0",
        "web",
        T1,
        "decision",
        "sd",
        "a",
        None,
        ["offer:sd/a", "stage:support"],
        at(12, 31, 10, year=2025),
    ),
    ("c0", "web", T1, "impression", "sd", "a", "SD-64", None, at(12, 31, 10, year=2025)),
    ("c1", "web", T1, "decision", "sd", "a", None, ["offer:sd/a", "stage:support"], at(4, 20, 10)),
    ("c1", "web", T1, "impression", "sd", "a", "SD-64", None, at(4, 20, 10)),
    ("c1", "web", T1, "accepted", "sd", "a", "SD-64", None, at(4, 20, 10, 1)),
    ("c2", "web", T2, "decision", "sd", "b", None, ["offer:sd/b", "stage:support"], at(2, 2, 10)),
    ("c2", "web", T2, "impression", "sd", "b", "SD-64", None, at(2, 2, 10)),
    ("c2", "web", T2, "ignored", "sd", "b", "SD-64", None, at(2, 2, 10, 0, 30)),
    ("c2", "web", T2, "declined", "sd", "b", "SD-64", None, at(2, 2, 10, 1)),
    ("c2", "web", T2, "opted_out", None, None, None, None, at(2, 2, 10, 2)),
    ("c2", "web", None, "frustrated", None, None, None, None, at(2, 2, 10, 3)),
    ("c3", "telegram", T2, "decision", None, None, None, ["cap:weekly", "stage:checkout"], at(2, 3, 10)),
    ("c3", "telegram", None, "fallback", None, None, None, None, at(2, 3, 10, 1)),
    ("c4", "web", H1, "decision", None, None, None, ["gate:holdout", "stage:support"], at(4, 20, 9)),
    ("c4", "web", None, "handoff", None, None, None, None, at(4, 20, 9, 5)),
    (
        "c5",
        "web",
        H2,
        "decision",
        None,
        None,
        None,
        ["gate:holdout", "gate:first_turn", "stage:support"],
        at(4, 22, 10),
    ),
    ("c6", "telegram", T3, "decision", "bat", "a", None, ["offer:bat/a", "stage:checkout"], at(4, 27, 10)),
    ("c6", "telegram", T3, "impression", "bat", "a", "BAT-X", None, at(4, 27, 10)),
    ("c6", "telegram", T3, "accepted", "bat", "a", "BAT-X", None, at(4, 27, 10, 5)),
    ("c7", "telegram", None, "fallback", None, None, None, None, at(4, 28, 9, 59)),
    (
        "c7",
        "telegram",
        T3,
        "decision",
        None,
        None,
        None,
        ["none:no_candidates", "stage:support"],
        at(4, 28, 10),
    ),
]

# (order, customer, status, placed, sku, quantity, unit price)
ORDERS = [
    ("o1", T1, "delivered", at(4, 20, 12), "SD-64", 2, "20.00"),
    ("o2", T1, "returned", at(4, 21, 12), "CAM-X100", 1, "100.00"),
    ("o3", T2, "delivered", at(2, 10, 12), "HP-100", 1, "60.00"),
    ("o4", T2, "shipped", at(3, 20, 12), "SLV-13", 1, "30.00"),
    ("o5", T3, "delivered", at(4, 1, 12), "HUB-C", 1, "30.00"),
    ("o6", H1, "placed", at(4, 23, 12), "TRIPOD-T1", 1, "50.00"),
    ("o7", U1, "delivered", at(4, 10, 12), "LAP-13", 1, "500.00"),
]


def add_customers_and_events(
    session: Session, customers: Iterable[str], created_at: datetime, events: Iterable[tuple[Any, ...]]
) -> None:
    """The customers, then one offer event per ``EVENTS``-shaped tuple."""
    for customer in customers:
        session.add(Customer(id=customer, created_at=created_at))
    session.flush()
    for conversation, channel, customer, kind, offer, variant, target, reasons, moment in events:
        session.add(
            OfferEventRow(
                customer_id=customer,
                kind=kind,
                offer_id=offer,
                variant_id=variant,
                target_sku=target,
                channel=channel,
                conversation_id=conversation,
                reasons=reasons,
                at=moment,
            )
        )


def add_order(
    session: Session,
    order_id: str,
    customer: str,
    status: str,
    placed: datetime,
    sku: str,
    quantity: int,
    price: str,
) -> None:
    """An order of one line."""
    session.add(Order(id=order_id, customer_id=customer, status=status, placed_at=placed))
    session.flush()
    session.add(
        OrderLine(order_id=order_id, line_key="1", sku=sku, quantity=quantity, unit_price=Decimal(price))
    )


def seed(url: str) -> None:
    with uow_for(url) as work:
        add_customers_and_events(work.session, (T1, T2, T3, H1, H2, U1), SINCE, EVENTS)
        work.session.add(
            Handoff(
                conversation_id="c4",
                channel="web",
                customer_id=H1,
                status="closed",
                reason="requested",
                summary={},
                created_at=at(4, 20, 9, 5),
            )
        )
        for order_id, customer, status, placed, sku, quantity, price in ORDERS:
            add_order(work.session, order_id, customer, status, placed, sku, quantity, price)
        work.commit()
