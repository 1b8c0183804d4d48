"""A second small event log, for the review findings of issue 11 (test_review_fixes.py).

Period [2026-03-01, 2026-04-01), report generated 2026-08-01, so orders are read up to
until + 90 days = 2026-06-30. Treated customers TA, TB, TC and holdout customer HA by the hash;
XS is treated by the hash but its stored decision says gate:holdout (the salt changed).

conv channel   stage     customer  what happens (2026)
d1   web       support   TA   03-02 10:00 decision, no offer (gate:first_turn); 10:01 frustrated;
                              10:02 decision + impression sd/a (SD-64); 10:03 accepted; 10:03:30
                              accepted again (a double click: dropped)
d2   web       support   TB   02-28 impression sd/a (before the period: not read); 03-03 09:00
                              accepted sd/a (its impression is not in the period: dropped);
                              10:00 decision, no offer (gate:moment); 10:05 fallback
d3   telegram  checkout  -    03-04 10:00 decision + impression bat/a (BAT-X); 10:01 accepted
                              (nobody verified: cross-sell "unverified")
d4   web       support   HA   03-05 10:00 decision, no offer (gate:holdout); 10:01 handoff
d5   web       support   XS   03-06 10:00 decision, no offer (gate:holdout)
d6   telegram  checkout  TC   03-07 10:00 decision + impression sd/b; 10:05 decision + impression
                              sd/b again; 10:06 accepted

Paid orders: TA 03-10 SD-64 2 x 10.00; TA 04-20 CAM 100.00 (after the period, 49 days after
TA's first decision: in the 90-day window only); HA 03-20 50.00; XS 03-07 30.00.
"""

from __future__ import annotations

from datetime import datetime

from tactful.store.unit_of_work import uow_for
from tests.analytics.event_log import add_customers_and_events, add_order, ids

SINCE = datetime(2026, 3, 1)
UNTIL = datetime(2026, 4, 1)
GENERATED = datetime(2026, 8, 1)
TA, TB, TC, XS = ids(False, 4, "R")
(HA,) = ids(True, 1, "RH")


def at(month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second)


SUPPORT, CHECKOUT = "stage:support", "stage:checkout"
# (conversation, channel, customer, kind, offer, variant, target, reasons, at)
EVENTS = [
    ("d1", "web", TA, "decision", None, None, None, ["gate:first_turn", SUPPORT], at(3, 2, 10)),
    ("d1", "web", None, "frustrated", None, None, None, None, at(3, 2, 10, 1)),
    ("d1", "web", TA, "decision", "sd", "a", None, ["offer:sd/a", SUPPORT], at(3, 2, 10, 2)),
    ("d1", "web", TA, "impression", "sd", "a", "SD-64", None, at(3, 2, 10, 2)),
    ("d1", "web", TA, "accepted", "sd", "a", "SD-64", None, at(3, 2, 10, 3)),
    ("d1", "web", TA, "accepted", "sd", "a", "SD-64", None, at(3, 2, 10, 3, 30)),
    ("d2", "web", TB, "impression", "sd", "a", "SD-64", None, at(2, 28, 10)),
    ("d2", "web", TB, "accepted", "sd", "a", "SD-64", None, at(3, 3, 9)),
    ("d2", "web", TB, "decision", None, None, None, ["gate:moment", SUPPORT], at(3, 3, 10)),
    ("d2", "web", None, "fallback", None, None, None, None, at(3, 3, 10, 5)),
    ("d3", "telegram", None, "decision", "bat", "a", None, ["offer:bat/a", CHECKOUT], at(3, 4, 10)),
    ("d3", "telegram", None, "impression", "bat", "a", "BAT-X", None, at(3, 4, 10)),
    ("d3", "telegram", None, "accepted", "bat", "a", "BAT-X", None, at(3, 4, 10, 1)),
    ("d4", "web", HA, "decision", None, None, None, ["gate:holdout", SUPPORT], at(3, 5, 10)),
    ("d4", "web", None, "handoff", None, None, None, None, at(3, 5, 10, 1)),
    ("d5", "web", XS, "decision", None, None, None, ["gate:holdout", SUPPORT], at(3, 6, 10)),
    ("d6", "telegram", TC, "decision", "sd", "b", None, ["offer:sd/b", CHECKOUT], at(3, 7, 10)),
    ("d6", "telegram", TC, "impression", "sd", "b", "SD-64", None, at(3, 7, 10)),
    ("d6", "telegram", TC, "decision", "sd", "b", None, ["offer:sd/b", CHECKOUT], at(3, 7, 10, 5)),
    ("d6", "telegram", TC, "impression", "sd", "b", "SD-64", None, at(3, 7, 10, 5)),
    ("d6", "telegram", TC, "accepted", "sd", "b", "SD-64", None, at(3, 7, 10, 6)),
]
# (order, customer, placed, sku, quantity, unit price); all paid.
ORDERS = [
    ("r1", TA, at(3, 10, 12), "SD-64", 2, "10.00"),
    ("r2", TA, at(4, 20, 12), "CAM-X100", 1, "100.00"),
    ("r3", HA, at(3, 20, 12), "TRIPOD-T1", 1, "50.00"),
    ("r4", XS, at(3, 7, 12), "HUB-C", 1, "30.00"),
]


def seed(url: str) -> None:
    with uow_for(url) as work:
        add_customers_and_events(work.session, (TA, TB, TC, XS, HA), SINCE, EVENTS)
        for order_id, customer, placed, sku, quantity, price in ORDERS:
            add_order(work.session, order_id, customer, "delivered", placed, sku, quantity, price)
        work.commit()
