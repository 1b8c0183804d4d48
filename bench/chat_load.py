"""Concurrent REST chats against one Rasa server, timed per turn.

A level of N runs N workers at once; each worker holds one conversation at a
time and sends its script turn by turn (waiting for the answer, as a person
would), then starts a new conversation, until the level's turn budget is spent.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

WEBHOOK = "/webhooks/rest/webhook"
TIMEOUT = aiohttp.ClientTimeout(total=120)

# One conversation: its sender id and the metadata sent with every message.
Conversation = tuple[str, dict[str, Any]]


@dataclass
class Bot:
    name: str
    url: str
    script: list[str]
    new_conversation: Callable[[int], Conversation]


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def turns(self) -> int:
        return len(self.latencies_ms)

    def add(self, other: Result) -> None:
        self.latencies_ms.extend(other.latencies_ms)
        self.errors.extend(other.errors)
        self.seconds += other.seconds

    def summary(self) -> dict[str, float | int]:
        return {
            "turns": self.turns,
            "errors": len(self.errors),
            "seconds": round(self.seconds, 3),
            "p50_ms": round(percentile(self.latencies_ms, 0.50), 1),
            "p95_ms": round(percentile(self.latencies_ms, 0.95), 1),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 1) if self.latencies_ms else 0.0,
            "throughput": round(self.turns / self.seconds, 2) if self.seconds else 0.0,
        }


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def send(
    session: aiohttp.ClientSession, bot: Bot, conversation: Conversation, text: str, result: Result
) -> float | None:
    """One turn; its latency in ms, or None (and an error recorded) when it failed."""
    sender, metadata = conversation
    body = {"sender": sender, "message": text, "metadata": metadata}
    start = time.perf_counter()
    try:
        async with session.post(bot.url + WEBHOOK, json=body) as response:
            answer = await response.read()
            elapsed = (time.perf_counter() - start) * 1000
            if response.status != 200:
                result.errors.append(f"{response.status}: {answer[:200]!r}")
                return None
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        result.errors.append(f"{type(error).__name__}: {error}")
        return None
    result.latencies_ms.append(elapsed)
    return elapsed


def chats_for(concurrency: int, turns: int, script_length: int) -> int:
    """Whole chats, the same number per worker, so no worker runs on alone at the end."""
    per_worker = max(1, -(-turns // (script_length * concurrency)))
    return per_worker * concurrency


async def run_level(bot: Bot, concurrency: int, turns: int, first_chat: int = 0) -> Result:
    """``concurrency`` chats at once until at least ``turns`` turns (whole chats) are sent."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(first_chat, first_chat + chats_for(concurrency, turns, len(bot.script))):
        queue.put_nowait(number)
    result = Result()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=TIMEOUT) as session:

        async def worker() -> None:
            while not queue.empty():
                conversation = bot.new_conversation(queue.get_nowait())
                for text in bot.script:
                    await send(session, bot, conversation, text, result)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.seconds = time.perf_counter() - start
    return result


async def long_chats(bots: list[Bot], turns: int, number: int) -> dict[str, Result]:
    """One conversation of ``turns`` turns per bot (its script over and over), the bots
    taking turns so that drift on the machine reaches both alike. Each Result holds
    every turn's latency in order, NaN where the turn failed."""
    results = {bot.name: Result() for bot in bots}
    conversations = {bot.name: bot.new_conversation(number) for bot in bots}
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        for turn in range(turns):
            for bot in bots:
                result = results[bot.name]
                text = bot.script[turn % len(bot.script)]
                if await send(session, bot, conversations[bot.name], text, result) is None:
                    result.latencies_ms.append(math.nan)
    return results
