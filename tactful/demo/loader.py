"""Load (or refresh) the demo store in one transaction.

Catalog rows are upserted. The demo customers' own history (orders, carts,
offer events, support cases, return requests) is deleted and written again
with dates relative to ``now``, so a re-run refreshes the stories instead of
duplicating them, and a demo played yesterday does not cap today's offers.
Other customers' rows (e.g. imported UCI data) are never touched.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Connection

from tactful.demo import catalog, customers
from tactful.importer import bulk
from tactful.store.database import get_engine
from tactful.store.models import (
    Cart,
    CartItem,
    Customer,
    OfferEventRow,
    Order,
    OrderLine,
    Product,
    ProductCompatibility,
    ReturnRequest,
    SupportCase,
)


def _load_catalog(conn: Connection) -> None:
    products = Product.__table__
    rows = [
        {
            "sku": p.sku,
            "name": p.name,
            "short_name": p.short_name or None,
            "category": p.category,
            "price": p.price,
            "margin_rate": p.margin_rate,
            "stock": p.stock,
            "tier": p.tier,
            "upgrade_to_sku": None,
            "need_group": p.need_group,
            "description": p.description,
            "includes": p.includes,
            "offer_regions": list(p.offer_regions) if p.offer_regions else None,
            "offer_channels": list(p.offer_channels) if p.offer_channels else None,
            "offerable": True,
            "is_subscription": p.is_subscription,
        }
        for p in catalog.PRODUCTS
    ]
    bulk.upsert(conn, products, rows, key=["sku"], update=[c for c in rows[0] if c != "sku"])
    # Links after all rows exist: the foreign key is checked per statement.
    conn.execute(
        update(products).where(products.c.sku == bindparam("b_sku")).values(upgrade_to_sku=bindparam("b_to")),
        [{"b_sku": p.sku, "b_to": p.upgrade_to} for p in catalog.PRODUCTS],
    )
    compatibility = ProductCompatibility.__table__
    conn.execute(delete(compatibility).where(compatibility.c.sku.in_(list(catalog.BY_SKU))))
    bulk.insert_ignore(
        conn,
        compatibility,
        [{"sku": p.sku, "compatible_sku": other} for p in catalog.PRODUCTS for other in p.compatible_with],
    )


def _load_customers(conn: Connection, now: datetime) -> None:
    bulk.upsert(
        conn,
        Customer.__table__,
        [
            {
                "id": c.id,
                "name": c.name,
                "email": c.email,
                "region": c.region,
                "created_at": now,
            }
            for c in customers.CUSTOMERS
        ],
        key=["id"],
        update=["name", "email", "region"],
    )


def _clear_history(conn: Connection) -> None:
    ids = list(customers.CUSTOMER_IDS)
    carts = select(Cart.__table__.c.id).where(Cart.__table__.c.customer_id.in_(ids))
    orders = select(Order.__table__.c.id).where(Order.__table__.c.customer_id.in_(ids))
    # Children before parents: SQLite enforces foreign keys here too.
    conn.execute(delete(CartItem.__table__).where(CartItem.__table__.c.cart_id.in_(carts)))
    conn.execute(delete(Cart.__table__).where(Cart.__table__.c.customer_id.in_(ids)))
    conn.execute(
        delete(ReturnRequest.__table__).where(
            ReturnRequest.__table__.c.customer_id.in_(ids) | ReturnRequest.__table__.c.order_id.in_(orders)
        )
    )
    conn.execute(delete(OrderLine.__table__).where(OrderLine.__table__.c.order_id.in_(orders)))
    conn.execute(delete(Order.__table__).where(Order.__table__.c.customer_id.in_(ids)))
    conn.execute(delete(OfferEventRow.__table__).where(OfferEventRow.__table__.c.customer_id.in_(ids)))
    conn.execute(delete(SupportCase.__table__).where(SupportCase.__table__.c.customer_id.in_(ids)))


def _load_history(conn: Connection, now: datetime) -> tuple[int, int, int]:
    orders = customers.orders(now)
    bulk.insert_ignore(conn, Order.__table__, [order.row() for order in orders])
    bulk.insert_ignore(conn, OrderLine.__table__, [line for order in orders for line in order.line_rows()])
    events = customers.offer_events(now)
    conn.execute(OfferEventRow.__table__.insert(), events)
    for cid, skus in customers.CARTS.items():
        conn.execute(
            Cart.__table__.insert(), {"id": customers.cart_id(cid), "customer_id": cid, "updated_at": now}
        )
        conn.execute(
            CartItem.__table__.insert(),
            [{"cart_id": customers.cart_id(cid), "sku": sku, "quantity": 1} for sku in skus],
        )
    return len(orders), len(events), len(customers.CARTS)


def load_demo(url: str, now: datetime | None = None) -> str:
    """Load the demo into the (migrated) database at ``url``; return a summary."""
    moment = (now or datetime.utcnow()).replace(microsecond=0)
    with get_engine(url).begin() as conn:
        _load_catalog(conn)
        _load_customers(conn, moment)
        _clear_history(conn)
        order_count, event_count, cart_count = _load_history(conn, moment)
    return (
        f"demo store loaded: {len(catalog.PRODUCTS)} products, {len(customers.CUSTOMERS)} customers, "
        f"{order_count} orders, {cart_count} cart, {event_count} offer events "
        f"(dates relative to {moment:%Y-%m-%d %H:%M} UTC)"
    )
