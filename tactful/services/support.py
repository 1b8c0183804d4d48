"""Support and checkout use cases: orders, returns, cancellations, catalog, cart.

Every function takes the verified customer id from the caller; none of them
accepts identity from conversation data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from tactful.services.views import CartLineView, CartView, OrderView, ProductView
from tactful.store.kinds import CASE_OPEN, CASE_RESOLVED
from tactful.store.models import Order, Product, SupportCase
from tactful.store.unit_of_work import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
RETURN_WINDOW_DAYS = 30
OPEN_PROBLEM_KINDS = frozenset({"complaint", "return", "refund", "cancellation", "delivery", "payment"})


# A trailing qualifier such as "(monthly)" reads as a stutter mid-sentence,
# worse still inside the parentheses an order line is written in.
_TRAILING_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")
DELIVERABLE = frozenset({"placed", "shipped", "delivered"})
DELIVERY_PROBLEMS: frozenset[str] = frozenset({"late", "not_received", "damaged", "missing", "wrong_item"})


def sentence_name(name: str, short_name: str | None = None) -> str:
    """How a product is named inside a sentence: its short name, else its name without a qualifier."""
    if short_name and short_name.strip():
        return short_name.strip()
    return _TRAILING_QUALIFIER.sub("", name).strip() or name.strip()


@dataclass(frozen=True)
class OrderDetails(OrderView):
    """An order as the assistant words it.

    ``items`` keeps the names the order was placed with (the handoff summary
    shows those to the agent); ``short_items`` are the names for sentences.
    A subscription is "delivered" when it starts, which no customer would call
    a delivery.
    """

    short_items: tuple[tuple[str, int], ...] = ()
    subscription: bool = False


def _is_late(order: Order, now: datetime) -> bool:
    return (
        order.status in ("placed", "shipped")
        and order.expected_delivery is not None
        and order.expected_delivery < now
    )


def order_details(work: UnitOfWork, order: Order, now: datetime) -> OrderDetails:
    items: list[tuple[str, int]] = []
    short_items: list[tuple[str, int]] = []
    subscription = bool(order.lines)
    for line in order.lines:
        name = line.description or line.sku
        product = work.products.get(line.sku)
        items.append((name, abs(line.quantity)))
        short_items.append((sentence_name(name, product.short_name if product else None), abs(line.quantity)))
        subscription = subscription and bool(product and product.is_subscription)
    total = sum((line.unit_price * abs(line.quantity) for line in order.lines), Decimal("0"))
    return OrderDetails(
        id=order.id,
        status=order.status,
        placed_at=order.placed_at,
        shipped_at=order.shipped_at,
        delivered_at=order.delivered_at,
        expected_delivery=order.expected_delivery,
        items=tuple(items),
        total=total,
        late=_is_late(order, now),
        short_items=tuple(short_items),
        subscription=subscription,
    )


def product_view(product: Product, compatible: frozenset[str] = frozenset()) -> ProductView:
    return ProductView(
        sku=product.sku,
        name=product.name,
        category=product.category,
        price=product.price,
        stock=product.stock,
        description=product.description,
        includes=product.includes,
        upgrade_to=product.upgrade_to_sku,
        compatible_with=compatible,
    )


def recent_orders(uow: UowFactory, customer_id: str, now: datetime, limit: int = 3) -> list[OrderDetails]:
    with uow() as work:
        return [order_details(work, o, now) for o in work.orders.recent_for_customer(customer_id, limit)]


def order_for_customer(
    uow: UowFactory, customer_id: str, order_id: str, now: datetime
) -> OrderDetails | None:
    with uow() as work:
        order = work.orders.get_for_customer(order_id, customer_id)
        return order_details(work, order, now) if order else None


CancelOutcome = Literal["cancelled", "not_cancellable", "not_found"]


def cancellable_order(
    uow: UowFactory, customer_id: str, order_id: str | None, now: datetime
) -> OrderDetails | None:
    """The order a cancel request refers to: the named one, else the newest unshipped."""
    with uow() as work:
        if order_id:
            order = work.orders.get_for_customer(order_id, customer_id)
            return order_details(work, order, now) if order else None
        for order in work.orders.recent_for_customer(customer_id, limit=10):
            if order.status == "placed":
                return order_details(work, order, now)
        return None


def cancel_order(uow: UowFactory, customer_id: str, order_id: str, now: datetime) -> CancelOutcome:
    with uow() as work:
        order = work.orders.get_for_customer(order_id, customer_id)
        if order is None:
            return "not_found"
        if order.status != "placed":
            return "not_cancellable"
        order.status = "cancelled"
        work.cases.add(
            SupportCase(
                customer_id=customer_id,
                kind="cancellation",
                order_id=order.id,
                status=CASE_RESOLVED,
                created_at=now,
                resolved_at=now,
            )
        )
        work.commit()
        return "cancelled"


DeliveryOutcome = Literal["opened", "already_open", "not_found", "not_deliverable", "no_problem"]


def report_delivery_problem(
    uow: UowFactory,
    customer_id: str,
    order_id: str,
    problem: str,
    detail: str,
    conversation_id: str,
    now: datetime,
) -> DeliveryOutcome:
    """Open a delivery case for one of the customer's orders, with what went wrong.

    The checks repeat the assistant's own: a case needs a known problem and an
    order of this customer with something to deliver (placed, shipped or
    delivered, not a subscription), and one open delivery case per order is
    enough.
    """
    if problem not in DELIVERY_PROBLEMS:
        return "no_problem"
    with uow() as work:
        order = work.orders.get_for_customer(order_id, customer_id)
        if order is None:
            return "not_found"
        if order.status not in DELIVERABLE or order_details(work, order, now).subscription:
            return "not_deliverable"
        if any(
            case.kind == "delivery" and case.order_id == order.id
            for case in work.cases.open_for_customer(customer_id)
        ):
            return "already_open"
        work.cases.add(
            SupportCase(
                customer_id=customer_id,
                conversation_id=conversation_id,
                kind="delivery",
                order_id=order.id,
                detail=f"{problem}: {detail}"[:2000],
                status=CASE_OPEN,
                created_at=now,
            )
        )
        work.commit()
        return "opened"


def open_problems(uow: UowFactory, customer_id: str, now: datetime) -> frozenset[str]:
    """Kinds of unresolved problems: open cases plus late deliveries."""
    with uow() as work:
        kinds = {case.kind for case in work.cases.open_for_customer(customer_id)}
        for order in work.orders.recent_for_customer(customer_id, limit=10):
            if _is_late(order, now):
                kinds.add("delivery")
        return frozenset(kinds & OPEN_PROBLEM_KINDS)


def catalog_products(uow: UowFactory) -> list[ProductView]:
    with uow() as work:
        compat: dict[str, set[str]] = {}
        for sku, other in work.products.compatibility_pairs():
            compat.setdefault(sku, set()).add(other)
            compat.setdefault(other, set()).add(sku)
        return [product_view(p, frozenset(compat.get(p.sku, ()))) for p in work.products.offerable()]


def owned_skus(uow: UowFactory, customer_id: str) -> set[str]:
    with uow() as work:
        return {
            row[0]
            for row in work.orders.purchases_for_customer(customer_id)
            if row[2] not in ("cancelled", "returned")
        }


def cart_for(uow: UowFactory, customer_id: str, cart_id: str | None = None) -> CartView:
    """The verified customer's cart; prices always come from the catalog."""
    with uow() as work:
        cart = work.carts.get(cart_id) if cart_id else None
        if cart is None or cart.customer_id != customer_id:
            cart = work.carts.for_customer(customer_id)
        if cart is None:
            return CartView(None, ())
        lines = []
        for item in cart.items:
            product = work.products.get(item.sku)
            if product is None:
                continue
            lines.append(CartLineView(product.sku, product.name, item.quantity, product.price))
        return CartView(cart.id, tuple(lines))


def add_to_cart(uow: UowFactory, customer_id: str, sku: str, quantity: int, now: datetime) -> CartView:
    with uow() as work:
        put_in_cart(work, customer_id, sku, quantity, now)
        work.commit()
    return cart_for(uow, customer_id)


def put_in_cart(work: UnitOfWork, customer_id: str, sku: str, quantity: int, now: datetime) -> None:
    """Add ``quantity`` of ``sku`` inside the caller's unit of work; the caller commits."""
    if work.products.get(sku) is None:
        raise ValueError(f"unknown product {sku!r}")
    cart = work.carts.get_or_create_for_customer(customer_id, now)
    existing = next((item.quantity for item in cart.items if item.sku == sku), 0)
    work.carts.set_quantity(cart, sku, existing + quantity, now)
