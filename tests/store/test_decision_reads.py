"""The decision's lock and reads in one round trip still see every impression
committed by whoever held the customer lock first (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import text

from tactful.demo.loader import load_demo
from tactful.store.models import Handoff, OfferEventRow
from tactful.store.unit_of_work import UnitOfWork, uow_for

NOW = datetime.utcnow().replace(microsecond=0)
SINCE = NOW - timedelta(days=120)


def test_reads_wait_for_the_lock_and_see_the_holders_impression(demo_db_url: str) -> None:
    locked = threading.Event()

    def holder() -> None:
        with uow_for(demo_db_url) as work:
            assert work.customers.lock_for_offer("C001")
            locked.set()
            time.sleep(0.5)
            work.offer_events.add(
                OfferEventRow(
                    customer_id="C001", kind="impression", offer_id="held", conversation_id="c-h", at=NOW
                )
            )
            work.commit()

    thread = threading.Thread(target=holder)
    thread.start()
    assert locked.wait(30)
    with uow_for(demo_db_url) as work:
        facts, history = work.offer_history.lock_and_read("C001", "c-other", SINCE)
    thread.join(30)
    assert facts is not None
    assert "held" in [event.offer_id for event in history.events]


def test_facts_purchases_and_events_come_back_together(demo_db_url: str) -> None:
    with uow_for(demo_db_url) as work:
        work.session.add(
            Handoff(conversation_id="c-1", customer_id="C001", reason="asked", summary={}, created_at=NOW)
        )
        work.offer_events.add(
            OfferEventRow(customer_id="C001", kind="opted_out", conversation_id="c-0", at=NOW)
        )
        work.commit()
    with uow_for(demo_db_url) as work:
        facts, history = work.offer_history.lock_and_read("C001", "c-1", SINCE)
        assert facts is not None and facts.handed_off
        assert [p.sku for p in history.purchases] == [
            p.sku for p in work.offer_history.history("C001", SINCE, "c-1").purchases
        ]
        assert "CAM-X100" in {p.sku for p in history.purchases}
        assert [e.kind for e in history.events] == ["opted_out"]
        assert work.offer_history.lock_and_read("C001", "c-2", SINCE)[0] == (facts.region, False)
        assert work.offer_history.lock_and_read("NOBODY", "c-1", SINCE) == (None, ([], []))


def test_postgresql_prepares_the_reads_once_per_connection(pg_url: str) -> None:
    """The reads are planned once per connection; a new connection prepares them
    again, and one that still holds them (bookkeeping lost) is not refused."""
    load_demo(pg_url)

    def prepared_here(work: UnitOfWork) -> int:
        return int(
            work.session.execute(
                text("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'tactful_reads_%'")
            ).scalar_one()
        )

    with uow_for(pg_url) as work:
        first = work.offer_history.lock_and_read("C001", "c-1", SINCE)
        assert prepared_here(work) == 2
        again = work.offer_history.lock_and_read("C001", "c-1", SINCE)
        assert again == first and prepared_here(work) == 2
        # Lose the bookkeeping while the server still holds the statements.
        work.session.connection().connection.info.clear()
        assert work.offer_history.lock_and_read("C001", "c-1", SINCE) == first
        assert prepared_here(work) == 2
        work.session.connection().invalidate()
    with uow_for(pg_url) as work:
        assert work.offer_history.lock_and_read("C001", "c-1", SINCE) == first
        assert prepared_here(work) == 2
