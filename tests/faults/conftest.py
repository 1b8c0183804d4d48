"""One production-profile assistant on private services, under a steady load, for the whole module.

The private PostgreSQL, Redis and RabbitMQ (tests/support/private_services.py)
are the only servers a fault stops; the machine's shared services on the
standard ports are never touched.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from tests.faults.load import Load
from tests.faults.stack import JWT_SECRET, Stack
from tests.support.private_rabbitmq import private_rabbitmq
from tests.support.private_services import private_postgres, private_redis
from tests.support.servers import REPO_ROOT

# C001 and C006 are due an offer after a resolved question (README, "Demo
# customers"); C005 has no orders; C011 has an open order.
LOAD_CUSTOMERS = ("C001", "C006", "C005", "C011")
SUMMARY_FILE = REPO_ROOT / "test-artifacts" / "faults.json"
LOG_DIR = REPO_ROOT / "test-artifacts" / "faults-logs"
RECORDS_FILE = LOG_DIR / "answers.jsonl"


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    with ExitStack() as services:
        # RabbitMQ boots (the slowest, about 5 s idle) while PostgreSQL is set up and migrated.
        rabbitmq = services.enter_context(private_rabbitmq(wait=False))
        postgres = services.enter_context(private_postgres())
        redis = services.enter_context(private_redis())
        # The processes' logs stay after the run (pytest rotates its own temporary folders).
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        for old in LOG_DIR.glob("*.log"):
            old.unlink()
        running = Stack(postgres, redis, rabbitmq, LOG_DIR)
        services.callback(running.stop)
        running.start()
        yield running


@pytest.fixture(scope="session")
def summary(stack: Stack) -> Iterator[dict[str, Any]]:
    results: dict[str, Any] = {
        "rabbitmq_start_seconds": round(stack.rabbitmq.started_in or 0, 2),
        "load_chats": len(LOAD_CUSTOMERS),
        "faults": {},
    }
    yield results
    SUMMARY_FILE.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY_FILE.write_text(json.dumps(results, indent=2) + "\n")


@pytest.fixture(scope="session")
def load(stack: Stack) -> Iterator[Load]:
    running = Load(stack.rasa_url, JWT_SECRET, LOAD_CUSTOMERS, label=f"f{uuid.uuid4().hex[:6]}")
    running.start()
    try:
        yield running
    finally:
        running.stop()
        _write_records(running)


def _write_records(load: Load) -> None:
    # Every answer of the run, for reading a failure after the fact (times in seconds from the first send).
    records = load.since(0)
    start = min((record.started for record in records), default=0.0)
    lines = [
        json.dumps(
            {
                "phase": r.phase,
                "sender": r.sender,
                "text": r.text,
                "sent": round(r.started - start, 3),
                "answered": round(r.finished - start, 3),
                "status": r.status,
                "kind": r.kind,
                "offer": r.offer,
                "reply": r.error or r.reply_text[:200],
            }
        )
        for r in records
    ]
    RECORDS_FILE.write_text("\n".join(lines) + "\n")
