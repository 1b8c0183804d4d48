"""A separate process that races for one customer's weekly offer cap.

Usage: python race_worker.py URL CUSTOMER_ID START_AT ATTEMPTS CAP
Each attempt is one unit of work: lock, read the cap, maybe write an
impression, commit. Without the lock, two processes both see "1 shown" and
both write, ending above the cap.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta

from tactful.store.models import OfferEventRow
from tactful.store.unit_of_work import uow_for


def attempt(url: str, customer_id: str, cap: int) -> bool:
    with uow_for(url, timeout_seconds=30) as uow:
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


def main() -> int:
    url, customer_id, start_at, attempts, cap = sys.argv[1:6]
    time.sleep(max(0.0, float(start_at) - time.time()))
    written = sum(attempt(url, customer_id, int(cap)) for _ in range(int(attempts)))
    print(written)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
