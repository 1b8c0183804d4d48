"""Returns: which delivered order a request is about, and starting one.

Asked to "return my headphones" without an order number, the assistant must
not start a return on whatever order came last. ``choose_return_order`` picks
the newest delivered order holding a product the customer named (or, with
none named, the newest delivered order), says so when no order holds it, and
the action asks before anything starts (actions/returns.py). ``start_return``
starts the return of a named order: one the message gave, or one confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from tactful.services.matching import find_mentioned
from tactful.services.support import RETURN_WINDOW_DAYS, OrderDetails, UowFactory, order_details, product_view
from tactful.store.kinds import CASE_OPEN
from tactful.store.models import Order, SupportCase
from tactful.store.unit_of_work import UnitOfWork

Blocker = Literal["already_open", "not_eligible"]
ReturnOutcome = Literal["started", "not_found"] | Blocker
RECENT_ORDERS = 10


@dataclass(frozen=True)
class ReturnResult:
    outcome: ReturnOutcome
    order: OrderDetails | None


@dataclass(frozen=True)
class ReturnChoice:
    """``confirm``: ask before starting a return on ``order``; otherwise why there is none to ask about."""

    outcome: Literal["confirm", "not_on_orders", "no_orders"] | Blocker
    order: OrderDetails | None = None
    # The product the customer named that none of their delivered orders holds.
    named: str | None = None


def _blocker(work: UnitOfWork, order: Order, now: datetime) -> Blocker | None:
    """Why a return of ``order`` cannot start now, if it cannot."""
    delivered_at = order.delivered_at or order.placed_at
    if order.status != "delivered" or delivered_at < now - timedelta(days=RETURN_WINDOW_DAYS):
        return "not_eligible"
    if work.returns.open_for_order(order.id) is not None:
        return "already_open"
    return None


def choose_return_order(uow: UowFactory, customer_id: str, text: str, now: datetime) -> ReturnChoice:
    """The delivered order a return request without an order number is about; nothing is written."""
    with uow() as work:
        recent = work.orders.recent_for_customer(customer_id, RECENT_ORDERS)
        delivered = [order for order in recent if order.status == "delivered"]
        if not delivered:
            return ReturnChoice("no_orders")
        named = find_mentioned(text, [product_view(p) for p in work.products.all()], limit=3)
        if named:
            skus = {product.sku for product in named}
            delivered = [o for o in delivered if skus & {line.sku for line in o.lines}]
            if not delivered:
                return ReturnChoice("not_on_orders", named=named[0].name)
        order = delivered[0]
        blocker = _blocker(work, order, now)
        return ReturnChoice(blocker or "confirm", order_details(work, order, now))


def start_return(
    uow: UowFactory, customer_id: str, order_id: str, reason: str | None, now: datetime
) -> ReturnResult:
    """Open a return for the customer's delivered order ``order_id`` inside the return window."""
    with uow() as work:
        order = work.orders.get_for_customer(order_id, customer_id)
        if order is None:
            return ReturnResult("not_found", None)
        view = order_details(work, order, now)
        blocker = _blocker(work, order, now)
        if blocker is not None:
            return ReturnResult(blocker, view)
        work.returns.add(order.id, customer_id, reason, now)
        work.cases.add(
            SupportCase(
                customer_id=customer_id, kind="return", order_id=order.id, status=CASE_OPEN, created_at=now
            )
        )
        work.commit()
        return ReturnResult("started", view)
