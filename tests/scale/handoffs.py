"""Make the helpdesk fail a handoff's first deliveries, so the retry loop must run."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.support.helpdesk import HelpdeskReceiver


def attempts(shop_db_url: str) -> dict[str, int]:
    """Delivery attempts per handoff conversation, as the shop database counts them."""
    engine = create_engine(shop_db_url, future=True, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(text("SELECT conversation_id, attempts FROM handoffs")).all())
    finally:
        engine.dispose()


@contextmanager
def failing_first(receiver: HelpdeskReceiver, shop_db_url: str, failures: int) -> Iterator[None]:
    """The helpdesk answers 500 until some handoff has failed ``failures`` times, then accepts.

    The action server makes the first attempt; every later one comes from the
    retry loops, which both Rasa replicas run.
    """
    receiver.mode = "fail"
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.2):
            if any(count >= failures for count in attempts(shop_db_url).values()):
                receiver.mode = "ok"
                return

    thread = threading.Thread(target=watch, name="helpdesk-recovers", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
        receiver.mode = "ok"
