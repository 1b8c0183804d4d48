"""A running assistant's stores as tests/security see them: a tracker store made to
fail every read and write, and direct reads of the shop (a customer's cart, the
names of what they bought, a product's name as offers word it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

from tactful.services.support import sentence_name
from tactful.store.models import Cart, CartItem, Order, OrderLine, Product
from tactful.store.unit_of_work import uow_for


@contextmanager
def tracker_store_down(tracker_db: str) -> Iterator[None]:
    """Rasa's ``events`` table renamed away until the block ends: every read and write of
    the running tracker store fails (``tracker_db``: a SQLite path or a SQLAlchemy URL)."""
    engine = create_engine(
        tracker_db if "://" in tracker_db else f"sqlite:///{tracker_db}", poolclass=NullPool
    )
    try:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE events RENAME TO events_unavailable"))
        try:
            yield
        finally:
            with engine.begin() as conn:
                conn.execute(text("ALTER TABLE events_unavailable RENAME TO events"))
    finally:
        engine.dispose()


# -- shop reads ---------------------------------------------------------------------------


def cart_items(db_url: str, customer_id: str) -> list[tuple[str, int]]:
    with uow_for(db_url) as work:
        rows = work.session.execute(
            select(CartItem.sku, CartItem.quantity)
            .join(Cart, Cart.id == CartItem.cart_id)
            .where(Cart.customer_id == customer_id)
            .order_by(CartItem.sku)
        )
        return [(sku, quantity) for sku, quantity in rows]


def purchased_product_names(db_url: str, customer_id: str) -> list[str]:
    """Every name of what the customer bought: full names and the short ones sentences use."""
    with uow_for(db_url) as work:
        rows = work.session.execute(
            select(Product.name, Product.short_name)
            .join(OrderLine, OrderLine.sku == Product.sku)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.customer_id == customer_id)
            .distinct()
        ).all()
    return sorted({name for row in rows for name in (row.name, sentence_name(row.name, row.short_name))})


def product_name(db_url: str, sku: str) -> str:
    """The product's name as offers word it (its short name when it has one)."""
    with uow_for(db_url) as work:
        row = work.session.execute(
            select(Product.name, Product.short_name).where(Product.sku == sku)
        ).one_or_none()
    assert row, f"no product {sku}"
    return sentence_name(row.name, row.short_name)
