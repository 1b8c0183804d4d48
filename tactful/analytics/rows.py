"""What the offer report reads from the shop database: three plain queries.

Each reads one time range of one table once (offer events, handoffs, paid
order lines) and is streamed in batches, so the caller folds the rows as they
arrive instead of holding the whole period twice (docs/analytics.md, "Cost").
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from tactful.store.models import Handoff, OfferEventRow, Order, OrderLine

# Cancelled and returned orders earned nothing; every other status is a sale.
UNPAID_STATUSES = ("cancelled", "returned")
CENT = Decimal("0.01")
# Rows fetched per round trip; PostgreSQL uses a server-side cursor.
STREAM_BATCH = 1_000


class EventRow(NamedTuple):
    id: int
    kind: str
    customer_id: str | None
    offer_id: str | None
    variant_id: str | None
    target_sku: str | None
    channel: str | None
    conversation_id: str | None
    reasons: list[str] | None
    at: datetime


class HandoffRow(NamedTuple):
    conversation_id: str
    at: datetime


class SaleRow(NamedTuple):
    """One line of a paid order."""

    order_id: str
    customer_id: str
    placed_at: datetime
    sku: str
    amount: Decimal


def _stream(session: Session, statement: Select) -> Iterator[Row]:
    result = session.execute(statement.execution_options(yield_per=STREAM_BATCH))
    yield from result


def stream_events(session: Session, since: datetime, until: datetime) -> Iterator[EventRow]:
    """Offer events in [since, until), in (at, id) order."""
    statement = (
        select(
            OfferEventRow.id,
            OfferEventRow.kind,
            OfferEventRow.customer_id,
            OfferEventRow.offer_id,
            OfferEventRow.variant_id,
            OfferEventRow.target_sku,
            OfferEventRow.channel,
            OfferEventRow.conversation_id,
            OfferEventRow.reasons,
            OfferEventRow.at,
        )
        .where(OfferEventRow.at >= since)
        .where(OfferEventRow.at < until)
        .order_by(OfferEventRow.at, OfferEventRow.id)
    )
    for row in _stream(session, statement):
        yield EventRow(*row)


def stream_handoffs(session: Session, since: datetime, until: datetime) -> Iterator[HandoffRow]:
    statement = (
        select(Handoff.conversation_id, Handoff.created_at)
        .where(Handoff.created_at >= since)
        .where(Handoff.created_at < until)
    )
    for row in _stream(session, statement):
        yield HandoffRow(*row)


def stream_sales(session: Session, since: datetime, until: datetime) -> Iterator[SaleRow]:
    """Lines of paid orders of known customers placed in [since, until)."""
    statement = (
        select(
            Order.id,
            Order.customer_id,
            Order.placed_at,
            OrderLine.sku,
            OrderLine.unit_price * OrderLine.quantity,
        )
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(Order.customer_id.is_not(None))
        .where(Order.placed_at >= since)
        .where(Order.placed_at < until)
        .where(Order.status.not_in(UNPAID_STATUSES))
    )
    for row in _stream(session, statement):
        yield SaleRow(row[0], row[1], row[2], row[3], _money(row[4]))


def _money(value: object) -> Decimal:
    # SQLite may hand back a float for a product of Numeric columns.
    return Decimal(str(value or 0)).quantize(CENT)
