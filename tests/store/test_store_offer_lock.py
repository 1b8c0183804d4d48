"""``CustomerRepository.lock_for_offer`` serialises offer decisions for one
customer across threads and processes, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from tactful.store.models import Customer, OfferEventRow
from tactful.store.offer_history import CUSTOMER_LOCK_NAMESPACE, customer_lock_key
from tactful.store.unit_of_work import uow_for

REPO_ROOT = Path(__file__).resolve().parents[2]
HOLD_SECONDS = 0.4
READY_SECONDS = 60  # a worker imports SQLAlchemy and the models, then connects


def _customer(url: str, customer_id: str = "C-RACE") -> str:
    with uow_for(url) as uow:
        uow.session.add(Customer(id=customer_id, created_at=datetime.utcnow()))
        uow.commit()
    return customer_id


def test_second_locker_waits_for_the_first_to_commit(db_url: str) -> None:
    customer = _customer(db_url)
    first_locked = threading.Event()
    times: dict[str, float] = {}
    seen_by_second: list[str] = []
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with uow_for(db_url) as uow:
                assert uow.customers.lock_for_offer(customer)
                first_locked.set()
                time.sleep(HOLD_SECONDS)
                uow.offer_events.add(
                    OfferEventRow(customer_id=customer, kind="impression", offer_id="A", at=datetime.utcnow())
                )
                times["first_commit"] = time.monotonic()
                uow.commit()
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
            first_locked.set()

    def second() -> None:
        try:
            first_locked.wait(5)
            with uow_for(db_url) as uow:
                assert uow.customers.lock_for_offer(customer)
                times["second_locked"] = time.monotonic()
                seen_by_second.extend(
                    e.offer_id or "" for e in uow.offer_events.for_customer(customer, datetime(2000, 1, 1))
                )
                uow.commit()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert not errors, errors
    # The second unit of work got its lock only after the first committed,
    # and therefore saw the first one's impression.
    assert times["second_locked"] >= times["first_commit"]
    assert seen_by_second == ["A"]


def _wait_until_ready(process: subprocess.Popen, timeout: float = READY_SECONDS) -> None:
    assert process.stdout is not None
    readable, _, _ = select.select([process.stdout], [], [], timeout)
    line = process.stdout.readline() if readable else ""
    if line.strip() != "ready":
        process.kill()
        _, err = process.communicate()
        raise AssertionError(f"race worker not ready within {timeout} s (said {line!r}):\n{err}")


def test_two_processes_never_exceed_the_cap(db_url: str) -> None:
    customer = _customer(db_url)
    cap, attempts = 2, 4
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    worker = Path(__file__).with_name("race_worker.py")
    processes = [
        subprocess.Popen(
            [sys.executable, str(worker), db_url, customer, str(attempts), str(cap)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    try:
        for process in processes:
            _wait_until_ready(process)
        # Both are connected and blocked on stdin: "go" starts them together.
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        outputs = [process.communicate(timeout=60) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    reports = [out.split() for out, _ in outputs]
    (a_started, a_ended), (b_started, b_ended) = ((float(s), float(e)) for _, s, e in reports)
    # Each process began before the other was done: the attempts really raced.
    assert a_started < b_ended and b_started < a_ended, reports
    written = sum(int(count) for count, _, _ in reports)
    with uow_for(db_url) as uow:
        stored = [
            e for e in uow.offer_events.for_customer(customer, datetime(2000, 1, 1)) if e.kind == "impression"
        ]
    assert written == cap
    assert len(stored) == cap


def test_the_lock_writes_nothing_on_postgresql(pg_url: str) -> None:
    """The per-customer lock is an advisory lock: taking it (and reading the
    history under it) assigns no transaction id, so a decision that ends up
    offering nothing writes no WAL and dirties no page."""
    customer = _customer(pg_url)
    with uow_for(pg_url) as uow:
        facts, _ = uow.offer_history.lock_and_read(customer, "conv-lock", datetime(2000, 1, 1))
        assert facts is not None
        assert uow.customers.lock_for_offer(customer)
        held = uow.session.execute(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
                " AND classid = :namespace AND granted"
            ),
            {"namespace": CUSTOMER_LOCK_NAMESPACE},
        ).scalar_one()
        assert held >= 1
        assert uow.session.execute(text("SELECT pg_current_xact_id_if_assigned()")).scalar() is None


def test_customers_sharing_no_key_do_not_wait_for_each_other(pg_url: str) -> None:
    # Only PostgreSQL locks per customer; SQLite serialises every writer (BEGIN IMMEDIATE).
    first, second = _customer(pg_url, "C-ONE"), _customer(pg_url, "C-TWO")
    assert customer_lock_key(first) != customer_lock_key(second)
    with uow_for(pg_url) as holder:
        assert holder.customers.lock_for_offer(first)
        with uow_for(pg_url) as other:
            other.session.execute(text("SET LOCAL lock_timeout = '200ms'"))
            assert other.customers.lock_for_offer(second)
