"""Blocking store calls for the page (run them through run_blocking).

The cart lives in the shop database, not in the widget's customData, so the
offer engine sees what the visitor adds while the chat is open. Prices always
come from the catalog.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from tactful.services import support
from tactful.services.views import CartView, ProductView
from tactful.store.unit_of_work import UnitOfWork

UowFactory = Callable[[], UnitOfWork]

# The demo customers of docs/architecture.md; an imported data set may hold
# thousands more, and the picker must not list (or let anyone pick) them.
DEMO_CUSTOMER_IDS = tuple(f"C{number:03d}" for number in range(1, 12))
MAX_QUANTITY = 20


@dataclass(frozen=True)
class DemoCustomer:
    id: str
    name: str


class CartError(ValueError):
    """The cart change cannot be made; the message says why, for the visitor."""


def demo_customers(uow: UowFactory) -> list[DemoCustomer]:
    with uow() as work:
        found = []
        for customer_id in DEMO_CUSTOMER_IDS:
            customer = work.customers.get(customer_id)
            if customer is not None:
                found.append(DemoCustomer(customer.id, customer.name or customer.id))
        return found


def demo_customer(uow: UowFactory, customer_id: str) -> DemoCustomer | None:
    if customer_id not in DEMO_CUSTOMER_IDS:
        return None
    with uow() as work:
        customer = work.customers.get(customer_id)
        return DemoCustomer(customer.id, customer.name or customer.id) if customer else None


def products(uow: UowFactory) -> list[ProductView]:
    return sorted(support.catalog_products(uow), key=lambda product: (product.category, product.sku))


def cart(uow: UowFactory, customer_id: str) -> CartView:
    return support.cart_for(uow, customer_id)


def set_cart_quantity(uow: UowFactory, customer_id: str, sku: str, quantity: int, now: datetime) -> CartView:
    """Set one line to ``quantity`` (0 removes it), in one transaction."""
    if not 0 <= quantity <= MAX_QUANTITY:
        raise CartError(f"quantity must be between 0 and {MAX_QUANTITY}")
    with uow() as work:
        product = work.products.get(sku)
        if product is None or not product.offerable:
            raise CartError(f"unknown product {sku!r}")
        if quantity > 0 and not product.is_subscription and product.stock < quantity:
            raise CartError(f"only {product.stock} of {product.name} in stock")
        if quantity > 0 and product.is_subscription and quantity > 1:
            raise CartError(f"{product.name} is a subscription; the quantity can only be 1")
        shop_cart = work.carts.get_or_create_for_customer(customer_id, now)
        work.carts.set_quantity(shop_cart, sku, quantity, now)
        work.commit()
    return support.cart_for(uow, customer_id)


def product_json(product: ProductView) -> dict[str, Any]:
    return {
        "sku": product.sku,
        "name": product.name,
        "category": product.category,
        "price": str(product.price),
        "in_stock": product.stock > 0,
        "description": product.description,
    }


def cart_json(view: CartView) -> dict[str, Any]:
    return {
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "line_total": str(line.line_total),
            }
            for line in view.lines
        ],
        "total": str(view.total.quantize(Decimal("0.01"))),
    }
