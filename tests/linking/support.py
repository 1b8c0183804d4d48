"""Test doubles for the linking tests: a settable clock and a recording mailer.

The counters and databases stay real; only time and the mail server are ours.
"""

from __future__ import annotations

from datetime import datetime, timezone

from tactful.ratelimit import MemoryCounter

# On the hour, so the counters' one-hour windows start with the test.
START = datetime(2026, 1, 5, 12, 0, 0)


class Outbox:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, email: str, code: str) -> None:
        self.sent.append((email, code))


class Clock:
    """Naive UTC, as the service stores it; ``epoch`` drives the counters."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def epoch(self) -> float:
        return self.now.replace(tzinfo=timezone.utc).timestamp()


def memory_counter(clock: Clock) -> MemoryCounter:
    return MemoryCounter(clock.epoch)
