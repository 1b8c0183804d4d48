from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tactful.store.kinds import CASE_OPEN
from tactful.store.models import ReturnRequest


class ReturnRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, order_id: str, customer_id: str, reason: str | None, now: datetime) -> ReturnRequest:
        request = ReturnRequest(
            order_id=order_id, customer_id=customer_id, reason=reason, status=CASE_OPEN, created_at=now
        )
        self._session.add(request)
        self._session.flush()
        return request

    def open_for_order(self, order_id: str) -> ReturnRequest | None:
        request: ReturnRequest | None = self._session.scalars(
            select(ReturnRequest)
            .where(ReturnRequest.order_id == order_id)
            .where(ReturnRequest.status == CASE_OPEN)
        ).first()
        return request
