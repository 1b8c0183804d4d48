"""A separate process that races for one customer's weekly offer cap.

Usage: python race_worker.py URL CUSTOMER_ID ATTEMPTS CAP
Each attempt is one unit of work: lock, read the cap, maybe write an
impression, commit. Without the lock, two processes both see "1 shown" and
both write, ending above the cap.

Start protocol (the test is the barrier): once imported and connected, the
worker prints ``ready`` and waits for a line on stdin; the test sends ``go``
to every worker only after all of them said ready, so a slow start cannot turn
the race into two runs one after the other. At the end it prints
``WRITTEN FIRST_START LAST_END`` (``time.monotonic``, one clock for every
process on the machine), so the test can check that the attempts overlapped.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta

from sqlalchemy import text

from tactful.store.models import OfferEventRow
from tactful.store.unit_of_work import uow_for

TIMEOUT_SECONDS = 30


def attempt(url: str, customer_id: str, cap: int) -> bool:
    with uow_for(url, timeout_seconds=TIMEOUT_SECONDS) as uow:
        assert uow.customers.lock_for_offer(customer_id)
        now = datetime.utcnow()
        shown = [
            e
            for e in uow.offer_events.for_customer(customer_id, now - timedelta(days=7))
            if e.kind == "impression"
        ]
        if len(shown) >= cap:
            return False
        time.sleep(0.01)  # widen the window between read and write
        uow.offer_events.add(
            OfferEventRow(customer_id=customer_id, kind="impression", offer_id="race", at=now)
        )
        uow.commit()
        return True


def connect(url: str) -> None:
    """Open the pooled connection now, so the first attempt does not start late."""
    with uow_for(url, timeout_seconds=TIMEOUT_SECONDS) as uow:
        uow.session.execute(text("SELECT 1"))


def main() -> int:
    url, customer_id, attempts, cap = sys.argv[1:5]
    connect(url)
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return 2  # the test gave up before the start
    started = time.monotonic()
    written = sum(attempt(url, customer_id, int(cap)) for _ in range(int(attempts)))
    print(written, started, time.monotonic(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
