"""The reads behind one offer decision, kept to a few indexed statements.

A decision runs on every resolved request, so these use prebuilt Core
statements returning plain rows (no ORM identity map): the per-customer lock
and every read in one round trip (lock_and_read).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    DateTime,
    Integer,
    String,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.engine import Connection, Dialect, Row
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from tactful.store.models import Customer, Handoff, OfferEventRow, Order, OrderLine

CONSENT_KINDS = ("opted_out", "opted_in")


class CustomerFacts(NamedTuple):
    region: str | None
    handed_off: bool


# Decisions for one customer are serialised by a transaction-level advisory
# lock on PostgreSQL, keyed by the customer id. Unlike SELECT ... FOR UPDATE on
# the customer's row it writes nothing: no transaction id, no dirtied page and
# no WAL record on the read path of every decision. It uses the two-key form,
# a key space apart from the one-key locks of scheduled jobs and handoff claims
# (PostgreSQL's "Advisory Locks"). SQLite has no such locks; there every
# transaction starts with BEGIN IMMEDIATE (see database.py), which serialises
# writers for the whole database.
CUSTOMER_LOCK_NAMESPACE = 0x54414354  # "TACT"
LOCK_CUSTOMER = select(
    func.pg_advisory_xact_lock(
        literal_column(str(CUSTOMER_LOCK_NAMESPACE)), bindparam("lock_key", type_=Integer)
    )
)
_CUSTOMER_ID = select(Customer.id).where(Customer.id == bindparam("customer_id")).scalar_subquery()
_LOCK_AND_FIND_CUSTOMER = select(LOCK_CUSTOMER.selected_columns[0], _CUSTOMER_ID)
_FIND_CUSTOMER = select(_CUSTOMER_ID)


def customer_lock_key(customer_id: str) -> int:
    """A stable signed 32-bit key; two customers sharing one merely wait for each other."""
    digest = hashlib.blake2b(customer_id.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_customer(connection: Connection, customer_id: str) -> bool:
    """Hold the customer's offer lock until the transaction ends; False when there is no such customer."""
    postgres = connection.dialect.name == "postgresql"
    statement = _LOCK_AND_FIND_CUSTOMER if postgres else _FIND_CUSTOMER
    params = {"customer_id": customer_id, "lock_key": customer_lock_key(customer_id)}
    return connection.execute(statement, params).one()[-1] is not None


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
    # Constants, not an expanding parameter, so the statement compiles once to plain SQL.
    .where(OfferEventRow.kind.in_([literal_column(f"'{kind}'") for kind in CONSENT_KINDS]))
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
# The gate's facts (CustomerFacts), as one more row of the history read.
_FACTS_ROW = select(
    literal("f", String),
    Customer.region,
    case((exists().where(Handoff.conversation_id == bindparam("conversation_id")), "y"), else_="n"),
    _NO_TEXT,
    _NO_TEXT,
    _NO_TEXT,
    _NO_TEXT,
    cast(null(), DateTime),
    _NO_NUMBER,
    _NO_NUMBER,
).where(Customer.id == bindparam("customer_id"))
_DECISION_READS = union_all(_PURCHASE_ROWS, _WINDOW_EVENTS, _CONVERSATION_EVENTS, _CONSENT_EVENT, _FACTS_ROW)


class PreparedReads(NamedTuple):
    """The lock and the reads as server-side prepared statements (PostgreSQL).

    Planning the union of reads costs about as much as running it (roughly
    0.5 ms a decision, bench/bench_decision.py), so each pooled connection
    prepares both statements once and then only executes them. ``name`` carries
    a hash of the SQL, so a connection never runs a statement another version
    of this code prepared.
    """

    name: str
    prepare: str
    execute: str
    constants: dict[str, Any]


_PREPARED_KEY = "tactful_prepared_reads"
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _numbered(sql: str) -> tuple[str, list[str]]:
    """``sql`` with its ``%(name)s`` placeholders as ``$1, $2 ...``, and the names in order."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    return _PLACEHOLDER.sub(number, sql), names


@functools.lru_cache(maxsize=4)
def _prepared_reads(dialect: Dialect) -> PreparedReads:
    sql, constants = _locked_reads_sql(dialect)
    lock, reads = sql.split("; ", 1)
    name = "tactful_reads_" + hashlib.sha256(sql.encode()).hexdigest()[:12]
    prepare, execute = [], []
    for suffix, statement in (("lock", lock), ("rows", reads)):
        numbered, names = _numbered(statement)
        prepare.append(f"PREPARE {name}_{suffix} AS {numbered}")
        execute.append(f"EXECUTE {name}_{suffix}({', '.join(f'%({n})s' for n in names)})")
    # DEALLOCATE first: a connection whose bookkeeping was lost may still hold them.
    return PreparedReads(name, "; ".join(["DEALLOCATE ALL", *prepare]), "; ".join(execute), constants)


def _run_prepared(connection: Connection, params: dict[str, Any]) -> Sequence[Row]:
    prepared = _prepared_reads(connection.dialect)
    # Per DBAPI connection: a replaced (reconnected) connection starts empty.
    info = connection.connection.info
    if info.get(_PREPARED_KEY) != prepared.name:
        connection.exec_driver_sql(prepared.prepare)
        info[_PREPARED_KEY] = prepared.name
    rows: Sequence[Row] = connection.exec_driver_sql(prepared.execute, {**prepared.constants, **params}).all()
    return rows


@functools.lru_cache(maxsize=4)
def _locked_reads_sql(dialect: Dialect) -> tuple[str, dict[str, Any]]:
    """The lock and the reads as one PostgreSQL query string, and its constant parameters.

    Sent as one simple-protocol query, the two statements cost one round trip,
    yet each still takes its own snapshot (READ COMMITTED): the reads start
    only once the lock is held, so they see every impression committed by
    the decision that held it before us (docs/architecture.md, "The customer lock").
    """
    lock = LOCK_CUSTOMER.compile(dialect=dialect)
    reads = _DECISION_READS.compile(dialect=dialect)
    runtime = dict.fromkeys(("customer_id", "conversation_id", "since", "lock_key"))
    constants = {**lock.construct_params(runtime), **reads.construct_params(runtime)}
    return f"{lock}; {reads}", {key: value for key, value in constants.items() if key not in runtime}


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

    def lock_and_read(
        self, customer_id: str, conversation_id: str, since: datetime
    ) -> tuple[CustomerFacts | None, History]:
        """Lock the customer for this unit of work, then read the gate's facts and
        the history, in one round trip on PostgreSQL.

        The reads start only once the lock is held, so they see every
        impression committed by a decision that held it before us. Facts are
        None when the customer does not exist. On SQLite the unit of work's BEGIN IMMEDIATE already holds the
        database's write lock before the first read, so the reads need no
        statement of their own to lock.
        """
        params = {"customer_id": customer_id, "conversation_id": conversation_id, "since": since}
        connection = self._connection()
        if connection.dialect.name == "postgresql":
            rows = _run_prepared(connection, {**params, "lock_key": customer_lock_key(customer_id)})
        else:
            rows = connection.execute(_DECISION_READS, params).all()
        facts = next((CustomerFacts(r.a, r.b == "y") for r in rows if r.tag == "f"), None)
        return facts, _history(rows)

    def history(self, customer_id: str, since: datetime, conversation_id: str | None) -> History:
        """The customer's order lines and the offer events a decision needs."""
        rows = (
            self._connection()
            .execute(
                _HISTORY, {"customer_id": customer_id, "since": since, "conversation_id": conversation_id}
            )
            .all()
        )
        return _history(rows)

    def _connection(self) -> Connection:
        # Core execution on the session's connection: same transaction, less overhead.
        return self._session.connection()


def _history(rows: Sequence[Row]) -> History:
    purchases = [PurchaseRow(r.a, r.at, r.b, r.quantity) for r in rows if r.tag == "p"]
    events = {r.id: EventRow(r.id, r.a, r.b, r.c, r.d, r.at, r.e, r.f) for r in rows if r.tag == "e"}
    return History(purchases, sorted(events.values(), key=lambda event: (event.at, event.id)))
