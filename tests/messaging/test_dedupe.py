"""Provider retries are answered once: in memory, and in a real Redis shared by replicas."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest

from tactful.dedupe import MemoryRetryFilter, RedisRetryFilter
from tests.support.servers import free_port, skip_or_fail


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def first_times(retry_filter, keys: list[str]) -> list[bool]:  # type: ignore[no-untyped-def]
    async def run() -> list[bool]:
        return [await retry_filter.first_time(key) for key in keys]

    return asyncio.run(run())


def test_memory_filter_answers_a_repeat_once_within_the_ttl() -> None:
    clock = Clock()
    seen = MemoryRetryFilter(ttl_seconds=60, clock=clock)
    assert first_times(seen, ["slack:Ev1", "slack:Ev1", "slack:Ev2", "telegram:Ev1"]) == [
        True,
        False,
        True,
        True,
    ]
    clock.now += 61
    assert first_times(seen, ["slack:Ev1"]) == [True]


def test_memory_filter_is_bounded_and_drops_the_oldest_first() -> None:
    seen = MemoryRetryFilter(ttl_seconds=3600, max_entries=3, clock=Clock())
    first_times(seen, ["a", "b", "c", "d"])
    assert len(seen) == 3
    assert first_times(seen, ["d", "a"]) == [False, True]


def test_memory_filter_drops_expired_entries_as_it_goes() -> None:
    clock = Clock()
    seen = MemoryRetryFilter(ttl_seconds=10, clock=clock)
    first_times(seen, [f"k{i}" for i in range(100)])
    clock.now += 11
    first_times(seen, ["fresh"])
    assert len(seen) == 1


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        skip_or_fail("redis-server is not installed")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=port)
        for _ in range(50):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_redis_filter_is_shared_by_two_replicas(redis_url: str) -> None:
    async def run() -> list[bool]:
        replica_a = RedisRetryFilter(redis_url, ttl_seconds=60, prefix="test:shared:")
        replica_b = RedisRetryFilter(redis_url, ttl_seconds=60, prefix="test:shared:")
        # Both replicas get the same retry at the same moment: exactly one wins.
        racing = await asyncio.gather(*(r.first_time("slack:EvRace") for r in (replica_a, replica_b) * 5))
        return [
            sum(racing) == 1,
            await replica_b.first_time("slack:EvOther"),
            await replica_a.first_time("slack:EvOther"),
        ]

    assert asyncio.run(run()) == [True, True, False]


def test_redis_filter_sets_the_ttl(redis_url: str) -> None:
    import redis

    async def run() -> None:
        await RedisRetryFilter(redis_url, ttl_seconds=120, prefix="test:ttl:").first_time("k")

    asyncio.run(run())
    ttl = redis.Redis.from_url(redis_url).ttl("test:ttl:k")
    assert 100 < ttl <= 120


def test_redis_filter_fails_open_when_redis_is_down() -> None:
    async def run() -> list[bool]:
        down = RedisRetryFilter(f"redis://127.0.0.1:{free_port()}/0", ttl_seconds=60)
        return [await down.first_time("k"), await down.first_time("k")]

    # A rare duplicate reply is better than losing the customer's message.
    assert asyncio.run(run()) == [True, True]
