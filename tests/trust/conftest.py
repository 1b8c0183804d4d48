"""Fixtures for the trust tests: a real Redis with a per-test key prefix."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain

from tactful.channels.tracker_store import SafeSQLTrackerStore
from tests.support.redis import scratch_prefix
from tests.support.servers import REPO_ROOT

REDIS_URL = os.environ.get("TACTFUL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Nothing listens on port 1: connections are refused at once.
CLOSED_REDIS_URL = "redis://127.0.0.1:1/0"


class FakeClock:
    """An injected clock (seconds since the epoch) that tests move by hand."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def redis_prefix(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A unique tactful.ratelimit.KEY_PREFIX on the real Redis; its keys are deleted after."""
    with scratch_prefix("tactful:test", url=REDIS_URL) as prefix:
        monkeypatch.setattr("tactful.ratelimit.KEY_PREFIX", prefix)
        yield prefix


@pytest.fixture
def redis_client() -> Iterator[object]:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        yield client
    finally:
        client.close()


# The domain and a real tracker store on SQLite and PostgreSQL (tests/trust/test_one_load*.py).
@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain.yml"))


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path, domain: Domain) -> Iterator[SafeSQLTrackerStore]:
    db = (
        str(tmp_path / "tracker.db") if request.param == "sqlite" else request.getfixturevalue("pg_empty_url")
    )
    tracker_store = SafeSQLTrackerStore(db=db, domain=domain)
    try:
        yield tracker_store
    finally:
        tracker_store.engine.dispose()
