"""Cross-replica claims (tactful/handoff/claims.py) on the real PostgreSQL and
Redis, and two "replicas" delivering the same queued handoff to a real local
helpdesk: every event arrives exactly once, and a dead holder loses nothing."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import psycopg2
import pytest
import redis

from tactful.handoff.adapters import SignedWebhookAdapter
from tactful.handoff.claims import PostgresClaims, RedisClaims, advisory_key, claims_for
from tactful.handoff.intake import HandoffRequest
from tactful.handoff.retry import Backoff
from tactful.handoff.service import HandoffService
from tactful.handoff.summary import TranscriptLine
from tactful.services.clock import utcnow
from tactful.store.database import get_engine
from tactful.store.kinds import FROM_CUSTOMER
from tactful.store.models import HandoffMessage
from tactful.store.unit_of_work import uow_for
from tests.support.helpdesk import HelpdeskReceiver
from tests.support.redis import REDIS_URL, scratch_prefix

SECRET = "claims-test-helpdesk-secret-0123456789"


@pytest.fixture
def receiver() -> Iterator[HelpdeskReceiver]:
    # Slow: both replicas are inside their delivery at the same time.
    running = HelpdeskReceiver(SECRET, mode="slow", delay=0.3).start()
    yield running
    running.stop()


@pytest.fixture
def redis_name() -> Iterator[str]:
    with scratch_prefix("claims", match_prefix="tactful:claim:") as prefix:
        yield prefix


def test_a_postgres_claim_is_held_by_one_holder_at_a_time(pg_url: str) -> None:
    first, second = PostgresClaims(get_engine(pg_url)), PostgresClaims(get_engine(pg_url))
    name = f"handoff:{uuid.uuid4().hex}"
    with first.claim(name) as held:
        assert held
        with second.claim(name) as refused:
            assert not refused
    with second.claim(name) as held_now:
        assert held_now


def test_a_dead_holders_postgres_claim_is_released_with_its_connection(pg_url: str) -> None:
    name = f"handoff:{uuid.uuid4().hex}"
    # Another replica's connection takes the claim, then the replica dies.
    other = psycopg2.connect(pg_url)
    other.autocommit = True
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", (advisory_key(name),))
    claims = PostgresClaims(get_engine(pg_url))
    with claims.claim(name) as refused:
        assert not refused
    other.close()
    with claims.claim(name, wait_seconds=10) as held:
        assert held


def test_a_redis_claim_is_held_by_one_holder_at_a_time(redis_name: str) -> None:
    first, second = RedisClaims(REDIS_URL), RedisClaims(REDIS_URL)
    with first.claim(redis_name) as held:
        assert held
        held.renew()
        with second.claim(redis_name) as refused:
            assert not refused
    with second.claim(redis_name) as held_now:
        assert held_now


def test_a_dead_holders_redis_claim_expires_with_its_lease(redis_name: str) -> None:
    # The dead replica's lock: taken, never released.
    redis.Redis.from_url(REDIS_URL).lock(f"tactful:claim:{redis_name}", timeout=1).acquire(blocking=False)
    claims = RedisClaims(REDIS_URL)
    with claims.claim(redis_name) as refused:
        assert not refused
    with claims.claim(redis_name, wait_seconds=10) as held:
        assert held


def test_the_claims_follow_the_configured_services(pg_url: str, tmp_path: object) -> None:
    assert isinstance(claims_for(pg_url, REDIS_URL), PostgresClaims)
    assert isinstance(claims_for("sqlite:///x.db", REDIS_URL), RedisClaims)
    assert type(claims_for("sqlite:///x.db", None)).__name__ == "LocalClaims"


def _queued_handoff(pg_url: str, conversation: str) -> int:
    """A handoff queued a minute ago (past the first attempt's grace), with two customer messages."""
    then = utcnow() - timedelta(minutes=1)
    service = HandoffService(lambda: uow_for(pg_url), SignedWebhookAdapter(None, SECRET, 2), Backoff(1, 1))
    request = HandoffRequest(
        conversation_id=conversation,
        channel="rest",
        customer_id=None,
        reason="requested",
        topic=None,
        intents=("human_handoff",),
        messages=(TranscriptLine("customer", "a human please", None),),
        open_issues=(),
        mentioned_orders=(),
        stage="support",
        advice=None,
    )
    handoff_id = service.create(request, then)
    with uow_for(pg_url) as work:
        for text in ("are you there?", "hello?"):
            work.handoffs.add_message(
                HandoffMessage(handoff_id=handoff_id, direction=FROM_CUSTOMER, text=text, created_at=then)
            )
        work.commit()
    return handoff_id


def _replica(pg_url: str, receiver: HelpdeskReceiver, claims_url: str | None) -> HandoffService:
    """One replica's handoff service: its own backoff, adapter and claims."""
    return HandoffService(
        lambda: uow_for(pg_url),
        SignedWebhookAdapter(receiver.url, SECRET, 5),
        Backoff(0.1, 0.1),
        wait_seconds=5,
        claims=claims_for(pg_url, None) if claims_url == "postgres" else RedisClaims(REDIS_URL),
    )


@pytest.mark.parametrize("kind", ["postgres", "redis"])
def test_two_replicas_deliver_a_queued_handoff_exactly_once(
    pg_url: str, receiver: HelpdeskReceiver, kind: str
) -> None:
    conversation = f"rest:claims-{uuid.uuid4().hex[:12]}"
    handoff_id = _queued_handoff(pg_url, conversation)
    replicas = [_replica(pg_url, receiver, kind) for _ in range(3)]
    start = threading.Barrier(len(replicas) * 2)

    def work(replica: HandoffService, retry: bool) -> None:
        start.wait()
        if retry:
            replica.retry_pending(utcnow())
        else:
            replica.deliver(handoff_id, wait=False)

    threads = [
        threading.Thread(target=work, args=(replica, retry))
        for replica in replicas
        for retry in (True, False)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # Whatever was left (a replica that found the claim taken) goes in the next pass.
    deadline = time.monotonic() + 30
    while replicas[0].find(conversation).status == "pending" or _undelivered(pg_url, handoff_id):
        assert time.monotonic() < deadline, "the handoff was never fully delivered"
        replicas[1].retry_pending(utcnow())
    ids = Counter(
        event["id"] for event in receiver.of_type("handoff.created") + receiver.of_type("handoff.message")
    )
    assert len(ids) == 3, ids  # the handoff and its two messages
    assert set(ids.values()) == {1}, f"delivered more than once: {ids}"


def _undelivered(pg_url: str, handoff_id: int) -> int:
    with uow_for(pg_url) as work:
        return len(list(work.handoffs.undelivered_messages(handoff_id, direction=FROM_CUSTOMER)))
