"""Writing a batch: insert what is new, then refresh every touched product."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from tactful.engine.codes import is_non_product
from tactful.importer import bulk
from tactful.importer.report import FileReport
from tactful.importer.uci.batch import UciBatch
from tactful.importer.uci.parse import UciLine
from tactful.store.models import Customer, Order, OrderLine, Product

STATUS_SALE = "delivered"  # historic orders: long since delivered
STATUS_CANCELLED = "returned"
SOURCE = "uci"


def write_batch(conn: Connection, batch: UciBatch, report: FileReport) -> None:
    tables = {
        "customers": Customer.__table__,
        "products": Product.__table__,
        "orders": Order.__table__,
        "order lines": OrderLine.__table__,
    }
    before = {name: bulk.count(conn, table) for name, table in tables.items()}
    now = datetime.utcnow()
    bulk.insert_ignore(
        conn,
        Customer.__table__,
        [
            {"id": cid, "name": None, "email": None, "region": region, "created_at": now}
            for cid, region in batch.customers.items()
        ],
    )
    bulk.insert_ignore(conn, Product.__table__, [_product_row(line) for line in batch.latest.values()])
    bulk.insert_ignore(
        conn,
        Order.__table__,
        [
            {
                "id": order_id,
                "customer_id": invoice.customer_id,
                "status": STATUS_CANCELLED if invoice.cancelled else STATUS_SALE,
                "placed_at": invoice.placed_at,
                "region": invoice.country,
                "source": SOURCE,
            }
            for order_id, invoice in batch.invoices.items()
        ],
    )
    bulk.insert_ignore(conn, OrderLine.__table__, batch.lines)
    refresh_products(conn, sorted(batch.latest))
    report.imported += len(batch.lines)
    for name, table in tables.items():
        report.new[name] = bulk.count(conn, table) - before[name]


def _product_row(line: UciLine) -> dict[str, object]:
    return {
        "sku": line.code,
        "name": line.description or line.code,
        "category": "general",
        "price": line.unit_price,
        "margin_rate": None,
        "stock": 0,
        "offerable": not is_non_product(line.code),
        "is_subscription": False,
    }


def refresh_products(conn: Connection, skus: list[str]) -> None:
    """Price and name from the latest line in the whole database.

    Derived from stored lines rather than from this file, so importing files
    in any order, or twice, ends with the same product rows.
    """
    products = Product.__table__
    lines = OrderLine.__table__
    orders = Order.__table__
    newest_first = (orders.c.placed_at.desc(), orders.c.id.desc(), lines.c.line_key.desc())
    joined = lines.join(orders, orders.c.id == lines.c.order_id)
    latest_price = (
        select(lines.c.unit_price)
        .select_from(joined)
        .where(lines.c.sku == products.c.sku)
        .order_by(*newest_first)
        .limit(1)
        .scalar_subquery()
    )
    latest_name = (
        select(lines.c.description)
        .select_from(joined)
        .where(lines.c.sku == products.c.sku)
        .where(lines.c.description.is_not(None))
        .order_by(*newest_first)
        .limit(1)
        .scalar_subquery()
    )
    for chunk in bulk.chunks(skus, 500):
        conn.execute(
            update(products)
            .where(products.c.sku.in_(list(chunk)))
            .values(
                price=func.coalesce(latest_price, products.c.price),
                name=func.coalesce(latest_name, products.c.name),
            )
        )
    # Non-product codes are never offerable, even if a row existed already.
    blocked = [sku for sku in skus if is_non_product(sku)]
    if blocked:
        conn.execute(update(products).where(products.c.sku.in_(blocked)).values(offerable=False))
