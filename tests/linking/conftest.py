"""Fixtures shared by the linking tests.

* ``clock`` and ``outbox``: a controllable clock and a recording outbox (every
  module; test_actions.py replaces ``outbox`` with a file outbox of its own).
* ``counter``, ``new_uow`` and ``service``: for the link-limit modules
  (test_limits*.py, test_link_keys.py), a ``LinkingService`` on the migrated
  demo database with real in-memory counters driven by ``clock``.
  test_service.py replaces ``service`` with its own.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tactful.linking.service import LinkingService
from tactful.ratelimit import MemoryCounter
from tactful.store.unit_of_work import UnitOfWork, uow_for
from tests.linking.limits_support import SECRET
from tests.linking.support import Clock, Outbox, memory_counter


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


@pytest.fixture
def counter(clock: Clock) -> MemoryCounter:
    return memory_counter(clock)


@pytest.fixture
def new_uow(demo_db_url: str) -> Callable[[], UnitOfWork]:
    return lambda: uow_for(demo_db_url)


@pytest.fixture
def service(
    new_uow: Callable[[], UnitOfWork], outbox: Outbox, clock: Clock, counter: MemoryCounter
) -> LinkingService:
    return LinkingService(new_uow, outbox, SECRET, clock, counter)
