"""Who owns each conversation, kept beside Rasa's events in the tracker database.

A conversation belongs to its first verified customer (docs/security.md). Finding
that customer in the events means reading every session the conversation ever
had; this table keeps the answer in one row per conversation, so the check
costs a primary-key lookup whatever the conversation's length
(docs/architecture.md, "One tracker load per message").

Every conversation the channels see gets its row on its first message, with no
customer while nobody verified has written. The first verified message fills
it in, once: ``UPDATE ... WHERE customer_id IS NULL`` and the primary key keep
two racing first messages, even on two replicas, from both winning. A
conversation stored before this table existed gets its row from its own user
events the first time it is seen, so upgrading never hands one to a new owner.

All functions are synchronous and take an open SQLAlchemy session: they run in
the tracker store's worker thread, inside its error handling.
"""

from __future__ import annotations

import json
import time

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tactful.channels.lru import BoundedLRU
from tactful.identity import first_verified_customer

metadata = sa.MetaData()

owners = sa.Table(
    "tactful_conversation_owners",
    metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    # NULL: nobody verified has written in this conversation yet.
    sa.Column("customer_id", sa.String(255), nullable=True),
)


def _stored(session: Session, sender_id: str) -> tuple[bool, str | None]:
    row = session.execute(sa.select(owners.c.customer_id).where(owners.c.sender_id == sender_id)).first()
    return (False, None) if row is None else (True, row[0])


class KnownOwners:
    """Owners this process has seen, the most recently used kept.

    An owner, once set, never changes (the module docstring), so a kept one is
    never stale; a conversation without one is not kept, and is read again.
    """

    def __init__(self, size: int) -> None:
        self._owners: BoundedLRU[str, str] = BoundedLRU(size)

    def get(self, sender_id: str) -> str | None:
        return self._owners.get(sender_id)

    def add(self, sender_id: str, owner: str | None) -> None:
        if owner is not None:
            self._owners.put(sender_id, owner)


def known_owner(session: Session, sender_id: str) -> str | None:
    """The owner stored for the conversation; None when it has none yet or no row."""
    return _stored(session, sender_id)[1]


def _from_events(session: Session, events: sa.Table, sender_id: str) -> str | None:
    """The first verified customer among the conversation's stored user messages (all sessions)."""
    rows = session.execute(
        sa.select(events.c.data)
        .where(events.c.sender_id == sender_id, events.c.type_name == "user")
        .order_by(events.c.id)
    )
    # No secret: only identities the channels stored count, never a raw token.
    return first_verified_customer(((json.loads(data) or {}).get("metadata") for (data,) in rows), None)


def owner_for_message(
    session: Session, events: sa.Table, sender_id: str, customer: str | None, has_events: bool
) -> str | None:
    """The conversation's owner once this message is counted.

    ``customer`` is the message's verified customer (None when anonymous); it
    becomes the owner only if the conversation has none yet. ``has_events``
    says whether Rasa already stored anything for this conversation, which
    tells a conversation from before this table from a new one.
    """
    found, owner = _stored(session, sender_id)
    if not found:
        owner = (_from_events(session, events, sender_id) if has_events else None) or customer
        try:
            session.execute(sa.insert(owners).values(sender_id=sender_id, customer_id=owner))
            session.commit()
            return owner
        except IntegrityError:
            # Another replica's first message won the insert; go on from its row.
            session.rollback()
            found, owner = _stored(session, sender_id)
    if owner is not None or customer is None:
        return owner
    claimed = session.execute(
        sa.update(owners)
        .where(owners.c.sender_id == sender_id, owners.c.customer_id.is_(None))
        .values(customer_id=customer)
    )
    session.commit()
    if claimed.rowcount == 1:
        return customer
    return _stored(session, sender_id)[1]


def create_table(engine: sa.engine.Engine, attempts: int = 3) -> None:
    """Create the owner table if it is missing.

    Replicas starting together on a new database race to create it: the loser
    gets a duplicate-table error, and looking again finds the table there (as
    Rasa's own tracker store does for its events table).
    """
    for attempt in range(1, attempts + 1):
        try:
            metadata.create_all(engine)
            return
        except (sa.exc.IntegrityError, sa.exc.ProgrammingError):
            if attempt == attempts:
                raise
            time.sleep(0.2 * attempt)
