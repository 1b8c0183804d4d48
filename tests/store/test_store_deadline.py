"""A store call that timed out never commits afterwards (real SQLite and PostgreSQL).

``run_blocking`` cannot stop its worker thread, so the worker's unit of work
checks the call's deadline at commit time. These tests hold a real
transaction open past the wait and check what the database holds once the
worker has really finished.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import datetime

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from tactful.services.aio import DEFAULT_TIMEOUT_SECONDS, run_blocking
from tactful.store.database import is_sqlite
from tactful.store.models import Customer
from tactful.store.unit_of_work import Deadline, DeadlineExceeded, UnitOfWork, uow_for

NOW = datetime(2026, 3, 14, 12, 0, 0)
WAIT = 0.1
# Only a safety net for a broken build: every wait below is ended by an event.
JOIN_SECONDS = 10.0


def _exists(url: str, customer_id: str) -> bool:
    with uow_for(url) as work:
        return work.customers.get(customer_id) is not None


def _insert(work: UnitOfWork, customer_id: str) -> None:
    work.session.add(Customer(id=customer_id, created_at=NOW))
    # Flushed, so the row is written and locked inside the open transaction.
    work.session.flush()


def _signal_after_cancel(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """An event set once the waiter has given up and tried to cancel the deadline."""
    gave_up = threading.Event()
    cancel = Deadline.cancel

    def cancel_and_signal(self: Deadline) -> bool:
        try:
            return cancel(self)
        finally:
            gave_up.set()

    monkeypatch.setattr(Deadline, "cancel", cancel_and_signal)
    return gave_up


def _on_commit(work: UnitOfWork, hook: Callable[[], None]) -> None:
    def before_commit(_session: Session) -> None:
        hook()

    event.listen(work.session, "before_commit", before_commit)


def test_a_call_that_timed_out_rolls_back_instead_of_committing(db_url: str) -> None:
    release = threading.Event()
    finished = threading.Event()
    raised: list[BaseException] = []

    def slow_insert() -> str:
        try:
            with uow_for(db_url) as work:
                _insert(work, "LATE")
                release.wait(JOIN_SECONDS)  # still holding the row when the caller gives up
                work.commit()
                return "committed"
        except BaseException as error:  # noqa: BLE001 - inspected by the test
            raised.append(error)
            raise
        finally:
            finished.set()

    async def call() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await run_blocking(slow_insert, timeout=WAIT)
        release.set()

    asyncio.run(call())
    assert finished.wait(JOIN_SECONDS)
    assert len(raised) == 1 and isinstance(raised[0], DeadlineExceeded)
    assert not _exists(db_url, "LATE")


def test_a_commit_already_under_way_when_the_wait_ends_returns_its_real_result(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    gave_up = _signal_after_cancel(monkeypatch)

    def insert_slowly_committed() -> str:
        with uow_for(db_url) as work:
            _insert(work, "ON-TIME")
            # The commit has begun; it finishes only after the waiter gave up.
            _on_commit(work, lambda: gave_up.wait(JOIN_SECONDS))
            work.commit()
        return "committed"

    result = asyncio.run(run_blocking(insert_slowly_committed, timeout=WAIT))
    assert gave_up.is_set()
    assert result == "committed"
    assert _exists(db_url, "ON-TIME")


def test_a_failing_commit_under_way_reports_its_real_error(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    gave_up = _signal_after_cancel(monkeypatch)
    with uow_for(db_url) as work:
        _insert(work, "TWICE")
        work.commit()

    def insert_a_duplicate() -> None:
        with uow_for(db_url) as work:
            work.session.add(Customer(id="TWICE", created_at=NOW))
            # The commit's own flush, after this hook, hits the duplicate key.
            _on_commit(work, lambda: gave_up.wait(JOIN_SECONDS))
            work.commit()

    with pytest.raises(IntegrityError):
        asyncio.run(run_blocking(insert_a_duplicate, timeout=WAIT))
    assert gave_up.is_set()


def test_a_call_within_its_time_commits_as_before(db_url: str) -> None:
    def insert() -> str:
        with uow_for(db_url) as work:
            _insert(work, "QUICK")
            work.commit()
        return "committed"

    assert asyncio.run(run_blocking(insert)) == "committed"
    assert _exists(db_url, "QUICK")


def test_a_cancelled_call_never_commits(db_url: str) -> None:
    started = threading.Event()
    release = threading.Event()
    finished = threading.Event()

    def slow_insert() -> None:
        try:
            with uow_for(db_url) as work:
                _insert(work, "ABANDONED")
                started.set()
                release.wait(JOIN_SECONDS)
                work.commit()
        finally:
            finished.set()

    async def call() -> None:
        task = asyncio.create_task(run_blocking(slow_insert, timeout=JOIN_SECONDS))
        await asyncio.to_thread(started.wait, JOIN_SECONDS)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        release.set()

    asyncio.run(call())
    assert finished.wait(JOIN_SECONDS)
    assert not _exists(db_url, "ABANDONED")


def test_database_limits_are_below_the_default_wait(db_url: str) -> None:
    with uow_for(db_url, DEFAULT_TIMEOUT_SECONDS) as work:
        if is_sqlite(db_url):
            limits = [work.session.execute(text("PRAGMA busy_timeout")).scalar_one()]
        else:
            limits = [
                _pg_millis(work, name)
                for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout")
            ]
    assert all(0 < int(limit) < DEFAULT_TIMEOUT_SECONDS * 1000 for limit in limits), limits


def _pg_millis(work: UnitOfWork, setting: str) -> int:
    return int(
        work.session.execute(
            text("SELECT setting FROM pg_settings WHERE name = :name"), {"name": setting}
        ).scalar_one()
    )


def test_postgres_ends_a_transaction_left_idle_by_a_stalled_worker(pg_url: str) -> None:
    with uow_for(pg_url, 0.5) as work:
        _insert(work, "STALLED")
        # Idle inside the transaction past the server's limit (0.4 s here):
        # only real time can show the server's own timer at work.
        time.sleep(1.0)
        with pytest.raises(OperationalError):
            work.commit()
    assert not _exists(pg_url, "STALLED")
