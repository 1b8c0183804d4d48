"""Getting a handoff and its customer messages to the helpdesk.

Helpdesk calls never run inside a unit of work: a slow helpdesk must not hold a
database lock (SQLite takes its write lock when a transaction begins).
Delivery is at least once and in order: the handoff first, then each customer
message; a failure stops the queue until the next retry. Across replicas a
claim (``claims``) lets one process at a time work a handoff, and one run
the retry pass.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from tactful.handoff.adapters import HelpdeskAdapter
from tactful.handoff.claims import Claim, Claims, LocalClaims
from tactful.handoff.events import created_event, message_event
from tactful.handoff.retry import Backoff
from tactful.services.clock import utcnow
from tactful.store.kinds import FROM_CUSTOMER, HANDOFF_ACTIVE, HANDOFF_PENDING, OPEN_HANDOFF_STATUSES
from tactful.store.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

UowFactory = Callable[[], UnitOfWork]
# The action server makes the first attempt; the retry loop leaves a new
# handoff alone this long so the two do not send it twice.
FIRST_ATTEMPT_GRACE = timedelta(seconds=30)
MAX_ERROR_CHARS = 2000
_STRIPES = 64


class HandoffDelivery:
    def __init__(
        self,
        uow: UowFactory,
        adapter: HelpdeskAdapter,
        backoff: Backoff,
        wait_seconds: float = 15.0,
        claims: Claims | None = None,
    ) -> None:
        self._uow = uow
        self._adapter = adapter
        self._backoff = backoff
        self._wait_seconds = wait_seconds
        self._claims = claims or LocalClaims()
        # Striped locks: one process never delivers the same handoff twice at once.
        self._locks = [threading.Lock() for _ in range(_STRIPES)]

    def deliver(self, handoff_id: int, wait: bool = True) -> bool:
        """Send what the helpdesk has not received yet; True when nothing is left."""
        lock = self._locks[handoff_id % _STRIPES]
        wait_seconds = self._wait_seconds if wait else 0
        if not lock.acquire(timeout=wait_seconds):
            return False
        try:
            with self._claims.claim(f"handoff:{handoff_id}", wait_seconds) as claim:
                # Another replica holds it: it sends what is left.
                return bool(claim) and self._deliver_locked(handoff_id, claim)
        finally:
            lock.release()

    def _deliver_locked(self, handoff_id: int, claim: Claim) -> bool:
        with self._uow() as work:
            handoff = work.handoffs.get(handoff_id)
            if handoff is None or handoff.status not in OPEN_HANDOFF_STATUSES:
                return True
            pending = handoff.status == HANDOFF_PENDING
            created = created_event(handoff.id, handoff.conversation_id, handoff.summary, handoff.created_at)
            messages = [
                (m.id, message_event(handoff.id, handoff.conversation_id, m.id, m.text, m.created_at))
                for m in work.handoffs.undelivered_messages(handoff.id, direction=FROM_CUSTOMER)
            ]
        if pending:
            if not self._send(handoff_id, created):
                return False
            self._update(handoff_id, mark_active=True)
            claim.renew()
        for message_id, event in messages:
            if not self._send(handoff_id, event):
                return False
            claim.renew()
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
            if mark_active and handoff.status == HANDOFF_PENDING:
                handoff.status = HANDOFF_ACTIVE
                handoff.delivered_at = utcnow()
            work.commit()

    def retry_pending(self, now: datetime, limit: int = 50) -> int:
        """Deliver what is due; return how many handoffs are now fully delivered.

        One replica runs a pass at a time; the others skip theirs.
        """
        with self._claims.claim("handoff-retry-pass") as claim:
            return self._retry_claimed(now, limit) if claim else 0

    def _retry_claimed(self, now: datetime, limit: int) -> int:
        with self._uow() as work:
            due = [(h.id, h.attempts or 0, h.created_at) for h in work.handoffs.needing_delivery(limit)]
        delivered = 0
        for handoff_id, attempts, created_at in due:
            if attempts == 0 and created_at > now - FIRST_ATTEMPT_GRACE:
                continue
            if self._backoff.is_due(handoff_id) and self.deliver(handoff_id, wait=False):
                delivered += 1
        return delivered
