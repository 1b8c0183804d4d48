from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.util import AliasedClass
from sqlalchemy.sql import ColumnElement

from tactful.store.kinds import ANSWER_KINDS, DECISION, IMPRESSION
from tactful.store.models import OfferEventRow
from tactful.store.offer_history import CONSENT_KINDS


class OfferEventRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, event: OfferEventRow) -> None:
        self._session.add(event)

    def add_all(self, events: Iterable[OfferEventRow]) -> None:
        self._session.add_all(list(events))

    def for_customer(self, customer_id: str, since: datetime) -> Sequence[OfferEventRow]:
        events: Sequence[OfferEventRow] = self._session.scalars(
            select(OfferEventRow)
            .where(OfferEventRow.customer_id == customer_id)
            .where(OfferEventRow.at >= since)
            .where(OfferEventRow.kind != DECISION)
            .order_by(OfferEventRow.at, OfferEventRow.id)
        ).all()
        return events

    def latest_consent_event(self, customer_id: str) -> OfferEventRow | None:
        """The newest opted_out / opted_in event, however old."""
        event: OfferEventRow | None = self._session.scalars(
            select(OfferEventRow)
            .where(OfferEventRow.customer_id == customer_id)
            .where(OfferEventRow.kind.in_(CONSENT_KINDS))
            .order_by(OfferEventRow.at.desc(), OfferEventRow.id.desc())
            .limit(1)
        ).first()
        return event

    def latest_consent(self, customer_id: str) -> str | None:
        """'opted_out' or 'opted_in' (whichever is newest), or None."""
        row = self.latest_consent_event(customer_id)
        return row.kind if row is not None else None

    def in_conversation(self, conversation_id: str) -> Sequence[OfferEventRow]:
        events: Sequence[OfferEventRow] = self._session.scalars(
            select(OfferEventRow)
            .where(OfferEventRow.conversation_id == conversation_id)
            .where(OfferEventRow.kind != DECISION)
            .order_by(OfferEventRow.at, OfferEventRow.id)
        ).all()
        return events

    def unanswered_impression(
        self, customer_id: str, conversation_id: str, offer_id: str, variant_id: str | None
    ) -> OfferEventRow | None:
        """The newest impression of this offer shown to this customer in this
        conversation, unless they already accepted or declined it there."""
        answer = aliased(OfferEventRow)
        answered = (
            select(answer.id)
            .where(_same_offer(answer, customer_id, conversation_id, offer_id, variant_id))
            .where(answer.kind.in_(ANSWER_KINDS))
            .exists()
        )
        impression: OfferEventRow | None = self._session.scalars(
            select(OfferEventRow)
            .where(_same_offer(OfferEventRow, customer_id, conversation_id, offer_id, variant_id))
            .where(OfferEventRow.kind == IMPRESSION)
            .where(~answered)
            .order_by(OfferEventRow.id.desc())
            .limit(1)
        ).first()
        return impression

    def arm_counts(self) -> Sequence[tuple[str, str, str, int]]:
        """(offer_id, variant_id, kind, count) for accepted and declined events."""
        rows = self._session.execute(
            select(
                OfferEventRow.offer_id,
                OfferEventRow.variant_id,
                OfferEventRow.kind,
                func.count(),
            )
            .where(OfferEventRow.kind.in_(ANSWER_KINDS))
            .group_by(OfferEventRow.offer_id, OfferEventRow.variant_id, OfferEventRow.kind)
        ).all()
        return [(r[0], r[1], r[2], int(r[3])) for r in rows]


def _same_offer(
    row: type[OfferEventRow] | AliasedClass,
    customer_id: str,
    conversation_id: str,
    offer_id: str,
    variant_id: str | None,
) -> ColumnElement:
    # Without a variant any variant of the offer matches.
    condition = (
        (row.customer_id == customer_id)
        & (row.conversation_id == conversation_id)
        & (row.offer_id == offer_id)
    )
    return condition & (row.variant_id == variant_id) if variant_id is not None else condition
