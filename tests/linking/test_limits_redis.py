"""The link-code limits shared by two replicas through a real Redis, and failing closed without it.

Two "replicas" (each its own service and Redis connection, one database and
one Redis, under a per-test key prefix) share the per-account and per-chat
limits; with Redis down, linking answers "unavailable" and not even the right
code links, and once it is back the untouched code still works.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tactful.linking.codes import account_key
from tactful.linking.service import CODES_PER_ACCOUNT, REQUESTS_PER_CHAT, TRIES_PER_ACCOUNT, LinkingService
from tactful.ratelimit import KEY_PREFIX, Counter, RedisCounter
from tactful.store.unit_of_work import UnitOfWork
from tests.linking.limits_support import ALICE, SECRET, ask, code_rows, wrong_guess
from tests.linking.support import Clock, Outbox
from tests.support.redis import scratch_prefix
from tests.support.servers import free_port

REDIS_URL = "redis://127.0.0.1:6379/0"


class Prefixed:
    """A real counter under a per-test key prefix, so parallel runs never meet."""

    def __init__(self, counter: Counter, prefix: str) -> None:
        self._counter = counter
        self._prefix = prefix

    def hit(self, key: str, window_seconds: int) -> int:
        return self._counter.hit(self._prefix + key, window_seconds)

    def count(self, key: str, window_seconds: int) -> int:
        return self._counter.count(self._prefix + key, window_seconds)


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    with scratch_prefix("test-linking", match_prefix=KEY_PREFIX, url=REDIS_URL) as prefix:
        yield prefix


def replica(new_uow: Callable[[], UnitOfWork], outbox: Outbox, clock: Clock, prefix: str) -> LinkingService:
    """One replica: its own service and Redis connection, the shared database and Redis."""
    counter = Prefixed(RedisCounter(REDIS_URL, clock.epoch), prefix)
    return LinkingService(new_uow, outbox, SECRET, clock, counter)


def test_two_replicas_share_the_limits_through_redis(
    new_uow: Callable[[], UnitOfWork], outbox: Outbox, clock: Clock, redis_prefix: str
) -> None:
    first = replica(new_uow, outbox, clock, redis_prefix)
    second = replica(new_uow, outbox, clock, redis_prefix)
    assert (
        ask(first, "chat-1", ALICE) == ask(second, "chat-2", ALICE) == ask(first, "chat-3", ALICE) == "sent"
    )
    assert second.start("telegram", "chat-4", ALICE).delivery is None
    assert len(outbox.sent) == CODES_PER_ACCOUNT

    tries = [
        (first if n % 2 else second).verify("telegram", f"chat-{1 + n % 3}", wrong_guess(outbox, n)).status
        for n in range(TRIES_PER_ACCOUNT)
    ]
    assert tries.count("wrong") == TRIES_PER_ACCOUNT
    assert first.verify("telegram", "chat-1", outbox.sent[0][1]).status == "account_limit"
    assert second.verify("telegram", "chat-1", outbox.sent[0][1]).status == "account_limit"
    assert second.start("telegram", "chat-9", ALICE).status == "account_limit"


def test_a_chat_limit_holds_across_replicas(
    new_uow: Callable[[], UnitOfWork], outbox: Outbox, clock: Clock, redis_prefix: str
) -> None:
    replicas = [replica(new_uow, outbox, clock, redis_prefix) for _ in range(2)]
    statuses = [ask(replicas[n % 2], "chat-1", f"user{n}@example.com") for n in range(REQUESTS_PER_CHAT + 1)]
    assert statuses == ["sent"] * REQUESTS_PER_CHAT + ["chat_limit"]


def test_linking_fails_closed_when_redis_is_down(
    new_uow: Callable[[], UnitOfWork],
    outbox: Outbox,
    clock: Clock,
    service: LinkingService,
) -> None:
    assert ask(service, "chat-1", ALICE) == "sent"
    [(_, code)] = outbox.sent
    down = LinkingService(
        new_uow, outbox, SECRET, clock, RedisCounter(f"redis://127.0.0.1:{free_port()}/0", clock.epoch)
    )
    result = down.start("telegram", "chat-2", ALICE)
    assert (result.status, result.delivery) == ("unavailable", None)
    assert [down.verify("telegram", "chat-1", "000000").status for _ in range(20)] == ["unavailable"] * 20
    # Not even the right code links while the limits cannot be counted.
    assert down.verify("telegram", "chat-1", code).status == "unavailable"
    assert down.linked_customer("telegram", "chat-1") is None
    assert len(outbox.sent) == 1
    assert code_rows(new_uow, "chat") == [(0, account_key(SECRET, ALICE))]
    # Back up, the untouched code still works.
    assert service.verify("telegram", "chat-1", code).status == "linked"
