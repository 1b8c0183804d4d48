"""The reads behind one offer decision, kept to a few indexed statements.

A decision runs on every resolved request, so these use prebuilt Core
statements returning plain rows (no ORM identity map): three round trips,
the first of which takes the per-customer lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.orm import Session

from tactful.store.models import Customer, Handoff, OfferEventRow, Order, OrderLine

CONSENT_KINDS = ("opted_out", "opted_in")


class CustomerFacts(NamedTuple):
    region: str | None
    handed_off: bool


# Decisions for one customer are serialised by locking the customer's row for
# the rest of the unit of work: SELECT ... FOR UPDATE on PostgreSQL. SQLite has
# no row locks; there every transaction starts with BEGIN IMMEDIATE (see
# database.py), which serialises writers for the whole database.
LOCK_CUSTOMER = (
    select(Customer.id).where(Customer.id == bindparam("customer_id")).with_for_update(of=Customer)
)
_LOCKED_FACTS = (
    select(
        Customer.region,
        exists().where(Handoff.conversation_id == bindparam("conversation_id")),
    )
    .where(Customer.id == bindparam("customer_id"))
    .with_for_update(of=Customer)
)
_PURCHASES = (
    select(OrderLine.sku, Order.placed_at, Order.status, OrderLine.quantity)
    .join(Order, Order.id == OrderLine.order_id)
    .where(Order.customer_id == bindparam("customer_id"))
)
_LATEST_CONSENT_ID = (
    select(OfferEventRow.id)
    .where(OfferEventRow.customer_id == bindparam("customer_id"))
    .where(OfferEventRow.kind.in_(CONSENT_KINDS))
    .order_by(OfferEventRow.at.desc(), OfferEventRow.id.desc())
    .limit(1)
    .scalar_subquery()
)
# Everything the engine needs: the policy's longest window, the whole current
# conversation, and the newest consent choice however old.
_EVENTS = (
    select(
        OfferEventRow.id,
        OfferEventRow.kind,
        OfferEventRow.offer_id,
        OfferEventRow.variant_id,
        OfferEventRow.category,
        OfferEventRow.at,
        OfferEventRow.conversation_id,
        OfferEventRow.channel,
    )
    .where(OfferEventRow.customer_id == bindparam("customer_id"))
    .where(OfferEventRow.kind != "decision")
    .where(
        or_(
            OfferEventRow.at >= bindparam("since"),
            OfferEventRow.conversation_id == bindparam("conversation_id"),
            OfferEventRow.id == _LATEST_CONSENT_ID,
        )
    )
    .order_by(OfferEventRow.at, OfferEventRow.id)
)


class OfferHistoryRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def lock_and_read_facts(self, customer_id: str, conversation_id: str) -> CustomerFacts | None:
        """Lock the customer for this unit of work and read what the gate needs.

        Must come before the history reads, so they see every impression
        committed by a decision that held the lock before us. None when the
        customer does not exist.
        """
        row = (
            self._connection()
            .execute(_LOCKED_FACTS, {"customer_id": customer_id, "conversation_id": conversation_id})
            .first()
        )
        return CustomerFacts(row[0], bool(row[1])) if row is not None else None

    def purchases(self, customer_id: str) -> Sequence[Row]:
        """(sku, placed_at, status, quantity) of every order line of the customer."""
        return self._connection().execute(_PURCHASES, {"customer_id": customer_id}).all()

    def events(self, customer_id: str, since: datetime, conversation_id: str | None) -> Sequence[Row]:
        """(id, kind, offer_id, variant_id, category, at, conversation_id, channel) rows."""
        return (
            self._connection()
            .execute(
                _EVENTS, {"customer_id": customer_id, "since": since, "conversation_id": conversation_id}
            )
            .all()
        )

    def _connection(self) -> Connection:
        # Core execution on the session's connection: same transaction, less overhead.
        return self._session.connection()
