from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tactful.store.models import Customer
from tactful.store.offer_history import lock_customer


class CustomerRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, customer_id: str) -> Customer | None:
        customer: Customer | None = self._session.get(Customer, customer_id)
        return customer

    def find_by_email(self, email: str) -> Customer | None:
        """The one customer with this email (any case); None if none or ambiguous."""
        rows = self._session.scalars(
            select(Customer).where(func.lower(Customer.email) == email.strip().lower()).limit(2)
        ).all()
        return rows[0] if len(rows) == 1 else None

    def lock_for_offer(self, customer_id: str) -> bool:
        """Serialise offer decisions for one customer across processes.

        Holds the customer's lock until the unit of work ends (see
        offer_history.LOCK_CUSTOMER). Returns False when the customer does not
        exist.
        """
        return lock_customer(self._session.connection(), customer_id)
