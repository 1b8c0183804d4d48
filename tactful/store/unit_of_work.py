"""Unit of work: one session, one transaction, explicit commit.

A commit may run under a ``Deadline`` (set by ``run_blocking`` on its worker
thread): once the caller has been told the call timed out, the commit must not
happen, or the customer hears "nothing was added" while the rows land.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from contextvars import ContextVar
from types import TracebackType
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from tactful.settings import load_settings
from tactful.store import repositories as repos
from tactful.store.database import session_factory
from tactful.store.offer_history import OfferHistoryRepository

T = TypeVar("T")


class DeadlineExceeded(asyncio.TimeoutError):
    """The caller gave up on this call; its transaction was rolled back, not committed."""


class Deadline:
    """The handshake between a waiter that may give up and a worker that may commit.

    The lock is held only to flip flags, never across I/O, so the event loop
    may take it. Both flags are one-way: whichever side claims first wins.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.cancelled = False
        # Stays set after the commit: from then on the work may be in the
        # database, so only the call's real outcome is a truthful answer.
        self.committing = False

    def begin_commit(self) -> bool:
        """Worker side: claim the right to commit; False once the waiter gave up."""
        with self._lock:
            if not self.cancelled:
                self.committing = True
            return self.committing

    def cancel(self) -> bool:
        """Waiter side: forbid any commit; False when one has already begun."""
        with self._lock:
            if not self.committing:
                self.cancelled = True
            return self.cancelled


# Set on the worker thread itself (see run_under), so it never depends on which
# context asyncio happened to copy into the thread.
_deadline: ContextVar[Deadline | None] = ContextVar("tactful_deadline", default=None)


def run_under(deadline: Deadline, function: Callable[..., T], *args: object) -> T:
    """Call ``function(*args)`` with every commit it makes guarded by ``deadline``."""
    token = _deadline.set(deadline)
    try:
        return function(*args)
    finally:
        _deadline.reset(token)


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
        self.mined_rules = repos.MinedRuleRepository(self.session)
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
        deadline = _deadline.get()
        if deadline is not None and not deadline.begin_commit():
            # Rolled back outside the deadline's lock: it is I/O, and the
            # cancelled flag can never be cleared again.
            self.session.rollback()
            raise DeadlineExceeded("the caller stopped waiting; nothing was committed")
        self.session.commit()


def uow_for(url: str | None = None, timeout_seconds: float | None = None) -> UnitOfWork:
    """A unit of work on the configured shop database (or on ``url``)."""
    if url is None or timeout_seconds is None:
        settings = load_settings()
        url = url or settings.shop_db_url
        timeout_seconds = timeout_seconds or settings.db_timeout_seconds
    return UnitOfWork(session_factory(url, timeout_seconds))
