"""Fixtures shared by the linking tests: a controllable clock and a recording outbox."""

from __future__ import annotations

import pytest

from tests.linking.support import Clock, Outbox


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()
