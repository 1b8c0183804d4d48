from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tactful.store.kinds import CASE_OPEN
from tactful.store.models import SupportCase


class SupportCaseRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, case: SupportCase) -> SupportCase:
        self._session.add(case)
        self._session.flush()
        return case

    def open_for_customer(self, customer_id: str) -> Sequence[SupportCase]:
        cases: Sequence[SupportCase] = self._session.scalars(
            select(SupportCase)
            .where(SupportCase.customer_id == customer_id)
            .where(SupportCase.status == CASE_OPEN)
        ).all()
        return cases
