"""Handoff use cases: start one, forward the customer's messages, hold the
agent's replies for channels that cannot push, close it, and retry deliveries.

Starting lives in ``intake`` and sending to the helpdesk in ``delivery``; this
module is the one service the channels, actions and composition root use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from tactful.handoff.adapters import HelpdeskAdapter
from tactful.handoff.claims import Claims
from tactful.handoff.delivery import HandoffDelivery
from tactful.handoff.intake import HandoffRequest, create_handoff
from tactful.handoff.retry import Backoff
from tactful.store.kinds import (
    FROM_CUSTOMER,
    HANDOFF_ACTIVE,
    HANDOFF_CLOSED,
    HANDOFF_PENDING,
    OPEN_HANDOFF_STATUSES,
    HandoffStatus,
)
from tactful.store.models import Handoff, HandoffMessage
from tactful.store.unit_of_work import UnitOfWork

__all__ = ["Forwarded", "HandoffInfo", "HandoffRequest", "HandoffService"]

UowFactory = Callable[[], UnitOfWork]
Forwarded = Literal["delivered", "queued", "no_handoff"]


@dataclass(frozen=True)
class HandoffInfo:
    id: int
    conversation_id: str
    status: HandoffStatus
    channel: str | None
    customer_id: str | None
    stage: str

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_HANDOFF_STATUSES


def _info(row: Handoff) -> HandoffInfo:
    summary: dict[str, Any] = row.summary or {}
    return HandoffInfo(
        id=row.id,
        conversation_id=row.conversation_id,
        status=row.status,
        channel=row.channel,
        customer_id=row.customer_id,
        stage=str(summary.get("stage") or "support"),
    )


class HandoffService:
    def __init__(
        self,
        uow: UowFactory,
        adapter: HelpdeskAdapter,
        backoff: Backoff,
        wait_seconds: float = 15.0,
        claims: Claims | None = None,
    ) -> None:
        self._uow = uow
        self._delivery = HandoffDelivery(uow, adapter, backoff, wait_seconds, claims)

    def create(self, request: HandoffRequest, now: datetime) -> int:
        """Persist a pending handoff with its summary; return its id."""
        return create_handoff(self._uow, request, now)

    def deliver(self, handoff_id: int, wait: bool = True) -> bool:
        """Send what the helpdesk has not received yet; True when nothing is left."""
        return self._delivery.deliver(handoff_id, wait)

    def retry_pending(self, now: datetime, limit: int = 50) -> int:
        """Deliver what is due; return how many handoffs are now fully delivered."""
        return self._delivery.retry_pending(now, limit)

    # ------------------------------------------------------- while handed over

    def find(self, conversation_id: str) -> HandoffInfo | None:
        """The conversation's latest handoff, open or closed."""
        with self._uow() as work:
            row = work.handoffs.latest_for_conversation(conversation_id)
            return _info(row) if row is not None else None

    def forward(self, conversation_id: str, text: str, now: datetime) -> Forwarded:
        """Queue a paused conversation's customer message for the helpdesk, then try to send it."""
        with self._uow() as work:
            handoff = work.handoffs.active_for_conversation(conversation_id)
            if handoff is None:
                return "no_handoff"
            work.handoffs.add_message(
                HandoffMessage(handoff_id=handoff.id, direction=FROM_CUSTOMER, text=text, created_at=now)
            )
            handoff_id = int(handoff.id)
            work.commit()
        return "delivered" if self.deliver(handoff_id) else "queued"

    def mark_received(self, handoff_id: int, now: datetime) -> None:
        """An agent acted on the handoff, so the helpdesk has it even if our attempt looked failed."""
        with self._uow() as work:
            handoff = work.handoffs.get(handoff_id)
            if handoff is not None and handoff.status == HANDOFF_PENDING:
                handoff.status = HANDOFF_ACTIVE
                handoff.delivered_at = now
                work.commit()

    def add_for_customer(
        self, handoff_id: int, text: str, author: str, delivered: bool, now: datetime
    ) -> None:
        """Keep an agent reply or notice; undelivered ones wait for the customer's next message."""
        with self._uow() as work:
            work.handoffs.add_message(
                HandoffMessage(
                    handoff_id=handoff_id, direction=author, text=text, delivered=delivered, created_at=now
                )
            )
            work.commit()

    def take_for_customer(self, conversation_id: str) -> list[str]:
        """Waiting replies for a channel that cannot push, oldest first; marked delivered."""
        with self._uow() as work:
            messages = list(work.handoffs.undelivered_to_customer(conversation_id))
            for message in messages:
                message.delivered = True
            texts = [message.text for message in messages]
            if messages:
                work.commit()
            return texts

    def close(self, handoff_id: int, now: datetime) -> None:
        with self._uow() as work:
            handoff = work.handoffs.get(handoff_id)
            if handoff is not None and handoff.status != HANDOFF_CLOSED:
                handoff.status = HANDOFF_CLOSED
                handoff.closed_at = now
                work.commit()
