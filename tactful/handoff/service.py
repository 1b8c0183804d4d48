"""Handoff use cases: start one, forward the customer's messages, hold the
agent's replies for channels that cannot push, close it, and retry deliveries.

Helpdesk calls never run inside a unit of work: a slow helpdesk must not hold a
database lock (SQLite takes its write lock when a transaction begins).
Delivery is at least once and in order: the handoff first, then each customer
message; a failure stops the queue until the next retry.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from tactful.engine.decide import AgentAdvice
from tactful.handoff.adapters import HelpdeskAdapter
from tactful.handoff.events import created_event, message_event
from tactful.handoff.retry import Backoff
from tactful.handoff.summary import (
    CustomerFacts,
    ShownOffer,
    SummaryInput,
    TranscriptLine,
    build_summary,
)
from tactful.services import support
from tactful.services.clock import utcnow
from tactful.services.views import OrderView
from tactful.store.models import Handoff, HandoffMessage, OfferEventRow
from tactful.store.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

UowFactory = Callable[[], UnitOfWork]
Forwarded = Literal["delivered", "queued", "no_handoff"]
OFFER_HISTORY_DAYS = 90
# The action server makes the first attempt; the retry loop leaves a new
# handoff alone this long so the two do not send it twice.
FIRST_ATTEMPT_GRACE = timedelta(seconds=30)
MAX_ERROR_CHARS = 2000
_STRIPES = 64


@dataclass(frozen=True)
class HandoffRequest:
    conversation_id: str
    channel: str
    customer_id: str | None
    reason: str
    topic: str | None
    intents: tuple[str, ...]
    messages: tuple[TranscriptLine, ...]
    open_issues: tuple[str, ...]
    mentioned_orders: tuple[str, ...]
    stage: str
    # Asked by the caller, with its own timeout: a slow engine must not delay the handoff.
    advice: AgentAdvice | None


@dataclass(frozen=True)
class HandoffInfo:
    id: int
    conversation_id: str
    status: str
    channel: str | None
    customer_id: str | None
    stage: str

    @property
    def is_open(self) -> bool:
        return self.status in ("pending", "active")


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


def _shown(row: OfferEventRow) -> ShownOffer:
    return ShownOffer(
        kind=row.kind,
        offer_id=row.offer_id,
        variant_id=row.variant_id,
        category=row.category,
        target_sku=row.target_sku,
        price=row.price,
        at=row.at,
        conversation_id=row.conversation_id,
        source=row.source or "bot",
    )


class HandoffService:
    def __init__(
        self,
        uow: UowFactory,
        adapter: HelpdeskAdapter,
        backoff: Backoff,
        wait_seconds: float = 15.0,
    ) -> None:
        self._uow = uow
        self._adapter = adapter
        self._backoff = backoff
        self._wait_seconds = wait_seconds
        # Striped locks: one process never delivers the same handoff twice at once.
        self._locks = [threading.Lock() for _ in range(_STRIPES)]

    # ------------------------------------------------------------------ start

    def create(self, request: HandoffRequest, now: datetime) -> int:
        """Persist a pending handoff with its summary; return its id.

        Each read is its own unit of work: on SQLite every transaction takes the
        write lock, so units of work must never nest.
        """
        with self._uow() as work:
            customer, offers = self._customer_facts(work, request, now)
        summary = build_summary(
            SummaryInput(
                conversation_id=request.conversation_id,
                channel=request.channel,
                reason=request.reason,
                stage=request.stage,
                requested_at=now,
                customer=customer,
                topic=request.topic,
                intents=request.intents,
                order=self._order(request, now) if customer else None,
                open_issues=request.open_issues,
                messages=request.messages,
                offers=offers,
                advice=request.advice,
            )
        )
        with self._uow() as work:
            handoff = work.handoffs.add(
                Handoff(
                    conversation_id=request.conversation_id,
                    channel=request.channel,
                    customer_id=customer.id if customer else None,
                    status="pending",
                    reason=request.reason,
                    summary=summary,
                    attempts=0,
                    created_at=now,
                )
            )
            work.commit()
            return int(handoff.id)

    def _customer_facts(
        self, work: UnitOfWork, request: HandoffRequest, now: datetime
    ) -> tuple[CustomerFacts | None, tuple[ShownOffer, ...]]:
        rows = {row.id: row for row in work.offer_events.in_conversation(request.conversation_id)}
        customer = work.customers.get(request.customer_id) if request.customer_id else None
        if customer is None:
            return None, tuple(_shown(row) for row in rows.values())
        since = now - timedelta(days=OFFER_HISTORY_DAYS)
        rows.update({row.id: row for row in work.offer_events.for_customer(customer.id, since)})
        ordered = sorted(rows.values(), key=lambda row: (row.at, row.id))
        facts = CustomerFacts(customer.id, customer.name, customer.email, customer.region)
        return facts, tuple(_shown(row) for row in ordered)

    def _order(self, request: HandoffRequest, now: datetime) -> OrderView | None:
        """The order the customer mentioned (newest mention first), else their latest."""
        if request.customer_id is None:
            return None
        for reference in request.mentioned_orders:
            order = support.order_for_customer(self._uow, request.customer_id, reference, now)
            if order is not None:
                return order
        latest = support.recent_orders(self._uow, request.customer_id, now, limit=1)
        return latest[0] if latest else None

    # --------------------------------------------------------------- delivery

    def deliver(self, handoff_id: int, wait: bool = True) -> bool:
        """Send what the helpdesk has not received yet; True when nothing is left."""
        lock = self._locks[handoff_id % _STRIPES]
        if not lock.acquire(timeout=self._wait_seconds if wait else 0):
            return False
        try:
            return self._deliver_locked(handoff_id)
        finally:
            lock.release()

    def _deliver_locked(self, handoff_id: int) -> bool:
        with self._uow() as work:
            handoff = work.handoffs.get(handoff_id)
            if handoff is None or handoff.status not in ("pending", "active"):
                return True
            pending = handoff.status == "pending"
            created = created_event(handoff.id, handoff.conversation_id, handoff.summary, handoff.created_at)
            messages = [
                (m.id, message_event(handoff.id, handoff.conversation_id, m.id, m.text, m.created_at))
                for m in work.handoffs.undelivered_messages(handoff.id, direction="customer")
            ]
        if pending:
            if not self._send(handoff_id, created):
                return False
            self._update(handoff_id, mark_active=True)
        for message_id, event in messages:
            if not self._send(handoff_id, event):
                return False
            with self._uow() as work:
                message = work.handoffs.get_message(message_id)
                if message is not None:
                    message.delivered = True
                work.commit()
        self._backoff.succeeded(handoff_id)
        return True

    def _send(self, handoff_id: int, event: dict[str, Any]) -> bool:
        try:
            self._adapter.deliver(event)
            return True
        except Exception as error:  # noqa: BLE001 - any adapter failure keeps the event queued
            delay = self._backoff.failed(handoff_id)
            logger.warning(
                "helpdesk delivery of %s failed (retry in %.1fs): %s", event.get("id"), delay, error
            )
            self._update(handoff_id, error=str(error) or type(error).__name__)
            return False

    def _update(self, handoff_id: int, mark_active: bool = False, error: str | None = None) -> None:
        with self._uow() as work:
            handoff = work.handoffs.get(handoff_id)
            if handoff is None:
                return
            handoff.attempts = (handoff.attempts or 0) + 1
            handoff.last_error = error[:MAX_ERROR_CHARS] if error else None
            if mark_active and handoff.status == "pending":
                handoff.status = "active"
                handoff.delivered_at = utcnow()
            work.commit()

    def retry_pending(self, now: datetime, limit: int = 50) -> int:
        """Deliver what is due; return how many handoffs are now fully delivered."""
        with self._uow() as work:
            due = [(h.id, h.attempts or 0, h.created_at) for h in work.handoffs.needing_delivery(limit)]
        delivered = 0
        for handoff_id, attempts, created_at in due:
            if attempts == 0 and created_at > now - FIRST_ATTEMPT_GRACE:
                continue
            if self._backoff.is_due(handoff_id) and self.deliver(handoff_id, wait=False):
                delivered += 1
        return delivered

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
                HandoffMessage(handoff_id=handoff.id, direction="customer", text=text, created_at=now)
            )
            handoff_id = int(handoff.id)
            work.commit()
        return "delivered" if self.deliver(handoff_id) else "queued"

    def mark_received(self, handoff_id: int, now: datetime) -> None:
        """An agent acted on the handoff, so the helpdesk has it even if our attempt looked failed."""
        with self._uow() as work:
            handoff = work.handoffs.get(handoff_id)
            if handoff is not None and handoff.status == "pending":
                handoff.status = "active"
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
            if handoff is not None and handoff.status != "closed":
                handoff.status = "closed"
                handoff.closed_at = now
                work.commit()
