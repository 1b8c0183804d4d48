"""Fixed-window counters (tactful.ratelimit): memory with an injected clock, real Redis."""

from __future__ import annotations

import asyncio
import threading

import pytest

from tactful import ratelimit
from tactful.ratelimit import (
    AsyncMemoryCounter,
    AsyncRedisCounter,
    CounterUnavailable,
    MemoryCounter,
    RedisCounter,
    async_counter_for,
    counter_for,
    window_key,
)
from tests.trust.conftest import CLOSED_REDIS_URL, REDIS_URL, FakeClock

WINDOW_START = 1_700_000_040.0  # a multiple of 60 (and of 10)


def test_window_key_names_the_window_and_its_remaining_seconds() -> None:
    assert WINDOW_START % 60 == 0
    key, ends_in = window_key("sender:a", 60, WINDOW_START)
    assert key == f"{ratelimit.KEY_PREFIX}sender:a:60:{int(WINDOW_START // 60)}"
    assert ends_in == 61
    key_later, ends_in_later = window_key("sender:a", 60, WINDOW_START + 59.5)
    assert key_later == key
    assert ends_in_later == 1
    assert window_key("sender:a", 60, WINDOW_START + 60)[0] != key


# ---------------------------------------------------------------- memory


def test_memory_counts_within_a_window_and_rolls_over() -> None:
    clock = FakeClock(WINDOW_START)
    counter = MemoryCounter(clock)
    assert counter.count("k", 60) == 0
    assert [counter.hit("k", 60) for _ in range(3)] == [1, 2, 3]
    assert counter.count("k", 60) == 3
    clock.now = WINDOW_START + 59.999
    assert counter.hit("k", 60) == 4
    clock.now = WINDOW_START + 60
    assert counter.count("k", 60) == 0
    assert counter.hit("k", 60) == 1
    clock.now = WINDOW_START + 125
    assert counter.count("k", 60) == 0


def test_memory_counts_each_key_and_window_size_apart() -> None:
    counter = MemoryCounter(FakeClock(WINDOW_START))
    counter.hit("sender:a", 60)
    counter.hit("sender:a", 60)
    counter.hit("sender:b", 60)
    counter.hit("sender:a", 10)
    assert counter.count("sender:a", 60) == 2
    assert counter.count("sender:b", 60) == 1
    assert counter.count("sender:a", 10) == 1
    assert counter.count("sender:c", 60) == 0


def test_count_does_not_add() -> None:
    counter = MemoryCounter(FakeClock(WINDOW_START))
    counter.hit("k", 60)
    for _ in range(5):
        assert counter.count("k", 60) == 1


def test_memory_pruning_drops_expired_windows_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "MAX_MEMORY_KEYS", 3)
    clock = FakeClock(WINDOW_START)
    counter = MemoryCounter(clock)
    counter.hit("old-a", 10)
    counter.hit("old-b", 10)
    clock.now = WINDOW_START + 30  # old-a and old-b have expired
    counter.hit("live-c", 60)
    counter.hit("live-d", 60)  # table full: the expired ones go, live-c stays
    assert counter.count("live-c", 60) == 1
    assert counter.count("live-d", 60) == 1
    assert len(counter._counts) == 2


def test_memory_pruning_then_drops_the_oldest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "MAX_MEMORY_KEYS", 3)
    counter = MemoryCounter(FakeClock(WINDOW_START))
    for key in ("a", "b", "c"):
        counter.hit(key, 60)
    counter.hit("d", 60)
    assert counter.count("a", 60) == 0  # the oldest live window was dropped
    assert [counter.count(key, 60) for key in ("b", "c", "d")] == [1, 1, 1]
    assert len(counter._counts) <= 3


def test_memory_table_stays_bounded_under_a_flood(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "MAX_MEMORY_KEYS", 50)
    counter = MemoryCounter(FakeClock(WINDOW_START))
    for index in range(2_000):
        counter.hit(f"sender:{index}", 60)
        assert len(counter._counts) <= 50
    assert counter.count("sender:1999", 60) == 1
    assert counter.count("sender:0", 60) == 0


def test_memory_counter_is_exact_across_threads() -> None:
    counter = MemoryCounter(FakeClock(WINDOW_START))
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        for _ in range(500):
            counter.hit("shared", 60)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counter.count("shared", 60) == 4_000


def test_async_memory_counter() -> None:
    clock = FakeClock(WINDOW_START)
    counter = AsyncMemoryCounter(clock)

    async def scenario() -> None:
        assert [await counter.hit("k", 60) for _ in range(3)] == [1, 2, 3]
        assert await counter.hit("other", 60) == 1
        assert await counter.count("k", 60) == 3
        clock.now += 60
        assert await counter.count("k", 60) == 0
        assert await counter.hit("k", 60) == 1

    asyncio.run(scenario())


def test_factories() -> None:
    assert isinstance(counter_for(None), MemoryCounter)
    assert isinstance(counter_for(REDIS_URL), RedisCounter)
    assert isinstance(async_counter_for(None), AsyncMemoryCounter)
    assert isinstance(async_counter_for(REDIS_URL), AsyncRedisCounter)


# ---------------------------------------------------------------- real Redis


def test_redis_counts_rolls_over_and_expires(redis_prefix: str, redis_client) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock(WINDOW_START + 45)
    counter = RedisCounter(REDIS_URL, clock)
    assert counter.count("sender:a", 60) == 0
    assert [counter.hit("sender:a", 60) for _ in range(3)] == [1, 2, 3]
    assert counter.hit("sender:b", 60) == 1
    assert counter.hit("sender:a", 10) == 1
    assert counter.count("sender:a", 60) == 3

    stored_key, ends_in = window_key("sender:a", 60, clock.now)
    assert stored_key.startswith(redis_prefix)
    assert int(redis_client.get(stored_key)) == 3
    assert 0 < redis_client.ttl(stored_key) <= ends_in == 16

    clock.now = WINDOW_START + 60
    assert counter.count("sender:a", 60) == 0
    assert counter.hit("sender:a", 60) == 1


def test_redis_counts_are_shared_between_replicas(redis_prefix: str) -> None:
    clock = FakeClock(WINDOW_START)
    first, second = RedisCounter(REDIS_URL, clock), RedisCounter(REDIS_URL, clock)
    first.hit("customer:C1", 60)
    assert second.hit("customer:C1", 60) == 2
    assert first.count("customer:C1", 60) == 2


def test_async_redis_counter_shares_keys_with_the_blocking_one(redis_prefix: str) -> None:
    clock = FakeClock(WINDOW_START + 1)
    counter = AsyncRedisCounter(REDIS_URL, clock)

    async def scenario() -> list[int]:
        try:
            hits = [await counter.hit("sender:x", 60) for _ in range(4)]
            hits.append(await counter.count("sender:x", 60))
            clock.now += 60
            hits.append(await counter.count("sender:x", 60))
            return hits
        finally:
            await counter._client.close(close_connection_pool=True)

    assert asyncio.run(scenario()) == [1, 2, 3, 4, 4, 0]
    assert RedisCounter(REDIS_URL, FakeClock(WINDOW_START + 1)).count("sender:x", 60) == 4


def test_redis_unavailable_raises_counter_unavailable() -> None:
    counter = RedisCounter(CLOSED_REDIS_URL)
    with pytest.raises(CounterUnavailable, match="Redis counter unavailable"):
        counter.hit("k", 60)
    with pytest.raises(CounterUnavailable, match="Redis counter unavailable"):
        counter.count("k", 60)


def test_async_redis_unavailable_raises_counter_unavailable() -> None:
    counter = AsyncRedisCounter(CLOSED_REDIS_URL)

    async def scenario() -> None:
        with pytest.raises(CounterUnavailable, match="Redis counter unavailable"):
            await counter.hit("k", 60)
        with pytest.raises(CounterUnavailable, match="Redis counter unavailable"):
            await counter.count("k", 60)

    asyncio.run(scenario())


def test_counter_unavailable_is_a_runtime_error() -> None:
    assert issubclass(CounterUnavailable, RuntimeError)
