from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime
from operator import itemgetter

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from tactful.store.models import Order, OrderLine, Product


class OrderRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def recent_for_customer(self, customer_id: str, limit: int = 3) -> Sequence[Order]:
        orders: Sequence[Order] = self._session.scalars(
            select(Order)
            .where(Order.customer_id == customer_id)
            .order_by(Order.placed_at.desc(), Order.id.desc())
            .limit(limit)
        ).all()
        return orders

    def get_for_customer(self, order_id: str, customer_id: str) -> Order | None:
        order: Order | None = self._session.scalars(
            select(Order).where(Order.id == order_id).where(Order.customer_id == customer_id)
        ).first()
        return order

    def purchases_for_customer(self, customer_id: str, since: datetime | None = None) -> Sequence[Row]:
        """(sku, placed_at, status, quantity) rows for the offer engine."""
        query = (
            select(OrderLine.sku, Order.placed_at, Order.status, OrderLine.quantity)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.customer_id == customer_id)
        )
        if since is not None:
            query = query.where(Order.placed_at >= since)
        rows: Sequence[Row] = self._session.execute(query).all()
        return rows

    def offerable_baskets(self) -> list[list[str]]:
        """Every order's offerable SKUs (orders without a customer included),
        the input of co-purchase mining."""
        rows = self._session.execute(
            select(OrderLine.order_id, OrderLine.sku)
            .join(Product, Product.sku == OrderLine.sku)
            .where(Product.offerable.is_(True))
        )
        baskets: dict[str, list[str]] = defaultdict(list)
        for order_id, sku in rows:
            baskets[order_id].append(sku)
        return list(baskets.values())

    def stream_offerable_baskets(self) -> Iterator[list[str]]:
        """offerable_baskets one at a time, for stores too big to hold in memory.

        Ordered by order id, so each basket's lines arrive together (the
        covering index on order lines serves the order); a server-side cursor
        keeps only a batch of rows in memory.
        """
        rows = (
            self._session.connection()
            .execution_options(stream_results=True, yield_per=20_000)
            .execute(
                select(OrderLine.order_id, OrderLine.sku)
                .join(Product, Product.sku == OrderLine.sku)
                .where(Product.offerable.is_(True))
                .order_by(OrderLine.order_id)
            )
        )
        for _order_id, lines in itertools.groupby(rows, key=itemgetter(0)):
            yield [sku for _, sku in lines]
