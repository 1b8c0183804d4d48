"""Read the real shop database in tests (no fakes of our own store)."""

from __future__ import annotations

from sqlalchemy import select

from tactful.store.models import OfferEventRow, Order
from tactful.store.unit_of_work import uow_for


def order_ids_of(db_url: str, customer_id: str) -> list[str]:
    with uow_for(db_url) as work:
        return list(
            work.session.scalars(
                select(Order.id).where(Order.customer_id == customer_id).order_by(Order.placed_at.desc())
            )
        )


def offer_events(db_url: str, customer_id: str, kind: str | None = None) -> list[OfferEventRow]:
    with uow_for(db_url) as work:
        query = select(OfferEventRow).where(OfferEventRow.customer_id == customer_id)
        if kind:
            query = query.where(OfferEventRow.kind == kind)
        return list(work.session.scalars(query.order_by(OfferEventRow.id)))
