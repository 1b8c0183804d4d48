"""The reads behind one offer decision, kept to a few indexed statements.

A decision runs on every resolved request, so these use prebuilt Core
statements returning plain rows (no ORM identity map): two round trips, the
first of which takes the per-customer lock.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Integer, String, bindparam, cast, exists, literal, null, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

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
_NO_TEXT = cast(null(), String)
_NO_NUMBER = cast(null(), Integer)
_PURCHASE_ROWS = (
    select(
        literal("p", String).label("tag"),
        OrderLine.sku.label("a"),
        Order.status.label("b"),
        _NO_TEXT.label("c"),
        _NO_TEXT.label("d"),
        _NO_TEXT.label("e"),
        _NO_TEXT.label("f"),
        Order.placed_at.label("at"),
        OrderLine.quantity.label("quantity"),
        _NO_NUMBER.label("id"),
    )
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
# conversation, and the newest consent choice however old. Three selects, each
# on its own index, rather than one OR that planners may answer with a scan;
# an event found twice is deduplicated by id.
def _event_rows(condition: ColumnElement) -> Select:
    return select(
        literal("e", String),
        OfferEventRow.kind,
        OfferEventRow.offer_id,
        OfferEventRow.variant_id,
        OfferEventRow.category,
        OfferEventRow.conversation_id,
        OfferEventRow.channel,
        OfferEventRow.at,
        _NO_NUMBER,
        OfferEventRow.id,
    ).where(condition)


_IS_CUSTOMERS = (OfferEventRow.customer_id == bindparam("customer_id")) & (OfferEventRow.kind != "decision")
_WINDOW_EVENTS = _event_rows(_IS_CUSTOMERS & (OfferEventRow.at >= bindparam("since")))
_CONVERSATION_EVENTS = _event_rows(
    (OfferEventRow.conversation_id == bindparam("conversation_id")) & _IS_CUSTOMERS
)
_CONSENT_EVENT = _event_rows(OfferEventRow.id == _LATEST_CONSENT_ID)
# One round trip for both: on a busy network every trip counts.
_HISTORY = union_all(_PURCHASE_ROWS, _WINDOW_EVENTS, _CONVERSATION_EVENTS, _CONSENT_EVENT)


class PurchaseRow(NamedTuple):
    sku: str
    placed_at: datetime
    status: str
    quantity: int


class EventRow(NamedTuple):
    id: int
    kind: str
    offer_id: str | None
    variant_id: str | None
    category: str | None
    at: datetime
    conversation_id: str | None
    channel: str | None


class History(NamedTuple):
    purchases: list[PurchaseRow]
    events: list[EventRow]


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

    def history(self, customer_id: str, since: datetime, conversation_id: str | None) -> History:
        """The customer's order lines and the offer events a decision needs."""
        rows = (
            self._connection()
            .execute(
                _HISTORY, {"customer_id": customer_id, "since": since, "conversation_id": conversation_id}
            )
            .all()
        )
        purchases = [PurchaseRow(r.a, r.at, r.b, r.quantity) for r in rows if r.tag == "p"]
        events = {r.id: EventRow(r.id, r.a, r.b, r.c, r.d, r.at, r.e, r.f) for r in rows if r.tag == "e"}
        return History(purchases, sorted(events.values(), key=lambda event: (event.at, event.id)))

    def _connection(self) -> Connection:
        # Core execution on the session's connection: same transaction, less overhead.
        return self._session.connection()
