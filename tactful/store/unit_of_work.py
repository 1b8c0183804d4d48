"""Unit of work: one session, one transaction, explicit commit."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from tactful.settings import load_settings
from tactful.store import repositories as repos
from tactful.store.database import session_factory
from tactful.store.offer_history import OfferHistoryRepository


class UnitOfWork:
    """Opens a session on enter, rolls back anything not committed on exit."""

    def __init__(self, factory: sessionmaker) -> None:
        self._factory = factory
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        self.customers = repos.CustomerRepository(self.session)
        self.products = repos.ProductRepository(self.session)
        self.orders = repos.OrderRepository(self.session)
        self.returns = repos.ReturnRepository(self.session)
        self.cases = repos.SupportCaseRepository(self.session)
        self.carts = repos.CartRepository(self.session)
        self.identities = repos.IdentityRepository(self.session)
        self.offer_events = repos.OfferEventRepository(self.session)
        self.handoffs = repos.HandoffRepository(self.session)
        self.offer_history = OfferHistoryRepository(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back anything uncommitted and detaches loaded objects
        # without expiring them, so results stay readable after the block.
        self.session.close()

    def commit(self) -> None:
        self.session.commit()


def uow_for(url: str | None = None, timeout_seconds: float | None = None) -> UnitOfWork:
    """A unit of work on the configured shop database (or on ``url``)."""
    if url is None or timeout_seconds is None:
        settings = load_settings()
        url = url or settings.shop_db_url
        timeout_seconds = timeout_seconds or settings.db_timeout_seconds
    return UnitOfWork(session_factory(url, timeout_seconds))
