"""Read the purchase history the replay walks through, one customer at a time.

Rows stream from the database ordered by customer (a server-side cursor on
PostgreSQL), so memory holds one customer's orders, never the whole history:
the imported UCI files and a shop's full order table work alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from tactful.engine.codes import is_non_product
from tactful.engine.model import CartLine
from tactful.store.models import Order, OrderLine

STREAM_BATCH = 5_000


@dataclass(frozen=True)
class PastLine:
    sku: str
    quantity: int


@dataclass(frozen=True)
class PastOrder:
    order_id: str
    placed_at: datetime
    status: str
    region: str | None
    lines: tuple[PastLine, ...]
    # False for orders before the replayed period: they only make what the customer owns.
    replayed: bool = True

    @property
    def cart(self) -> tuple[CartLine, ...]:
        """What was in the cart at checkout: the bought products (no returns, no fees)."""
        return tuple(
            CartLine(line.sku, line.quantity)
            for line in self.lines
            if line.quantity > 0 and not is_non_product(line.sku)
        )


@dataclass(frozen=True)
class CustomerHistory:
    customer_id: str
    orders: tuple[PastOrder, ...]


def customer_histories(
    session: Session,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[CustomerHistory]:
    """Every customer's orders before ``until`` in time order (orders without a
    customer are skipped); those before ``since`` are history, not replayed."""
    query = (
        select(
            Order.customer_id,
            Order.id,
            Order.placed_at,
            Order.status,
            Order.region,
            OrderLine.sku,
            OrderLine.quantity,
        )
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(Order.customer_id.isnot(None))
        .order_by(Order.customer_id, Order.placed_at, Order.id, OrderLine.id)
    )
    if until is not None:
        query = query.where(Order.placed_at < until)
    rows = session.execute(query.execution_options(stream_results=True, yield_per=STREAM_BATCH))
    for customer_id, customer_rows in groupby(rows, key=lambda row: row[0]):
        orders = []
        for (order_id, placed_at, status, region), lines in groupby(
            customer_rows, key=lambda row: (row[1], row[2], row[3], row[4])
        ):
            orders.append(
                PastOrder(
                    order_id=order_id,
                    placed_at=placed_at,
                    status=status,
                    region=region,
                    lines=tuple(PastLine(row[5], int(row[6])) for row in lines),
                    replayed=since is None or placed_at >= since,
                )
            )
        yield CustomerHistory(customer_id, tuple(orders))
