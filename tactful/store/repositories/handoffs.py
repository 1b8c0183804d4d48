from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tactful.store.kinds import FROM_CUSTOMER, HANDOFF_ACTIVE, HANDOFF_PENDING, OPEN_HANDOFF_STATUSES
from tactful.store.models import Handoff, HandoffMessage


class HandoffRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, handoff: Handoff) -> Handoff:
        self._session.add(handoff)
        self._session.flush()
        return handoff

    def active_for_conversation(self, conversation_id: str) -> Handoff | None:
        handoff: Handoff | None = self._session.scalars(
            select(Handoff)
            .where(Handoff.conversation_id == conversation_id)
            .where(Handoff.status.in_(OPEN_HANDOFF_STATUSES))
            .order_by(Handoff.id.desc())
        ).first()
        return handoff

    def add_message(self, message: HandoffMessage) -> None:
        self._session.add(message)

    def undelivered_messages(self, handoff_id: int, direction: str | None = None) -> Sequence[HandoffMessage]:
        query = (
            select(HandoffMessage)
            .where(HandoffMessage.handoff_id == handoff_id)
            .where(HandoffMessage.delivered.is_(False))
        )
        if direction is not None:
            query = query.where(HandoffMessage.direction == direction)
        messages: Sequence[HandoffMessage] = self._session.scalars(query.order_by(HandoffMessage.id)).all()
        return messages

    def get(self, handoff_id: int) -> Handoff | None:
        handoff: Handoff | None = self._session.get(Handoff, handoff_id)
        return handoff

    def get_message(self, message_id: int) -> HandoffMessage | None:
        message: HandoffMessage | None = self._session.get(HandoffMessage, message_id)
        return message

    def latest_for_conversation(self, conversation_id: str) -> Handoff | None:
        handoff: Handoff | None = self._session.scalars(
            select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id.desc())
        ).first()
        return handoff

    def needing_delivery(self, limit: int = 20) -> Sequence[Handoff]:
        """Open handoffs the helpdesk has not fully received: the handoff itself or a customer message."""
        unsent = (
            select(HandoffMessage.id)
            .where(HandoffMessage.handoff_id == Handoff.id)
            .where(HandoffMessage.direction == FROM_CUSTOMER)
            .where(HandoffMessage.delivered.is_(False))
            .exists()
        )
        handoffs: Sequence[Handoff] = self._session.scalars(
            select(Handoff)
            .where((Handoff.status == HANDOFF_PENDING) | ((Handoff.status == HANDOFF_ACTIVE) & unsent))
            .order_by(Handoff.id)
            .limit(limit)
        ).all()
        return handoffs

    def undelivered_to_customer(self, conversation_id: str) -> Sequence[HandoffMessage]:
        """Agent replies and notices waiting for a channel that cannot push (REST)."""
        messages: Sequence[HandoffMessage] = self._session.scalars(
            select(HandoffMessage)
            .join(Handoff, Handoff.id == HandoffMessage.handoff_id)
            .where(Handoff.conversation_id == conversation_id)
            .where(HandoffMessage.direction != FROM_CUSTOMER)
            .where(HandoffMessage.delivered.is_(False))
            .order_by(HandoffMessage.id)
        ).all()
        return messages
