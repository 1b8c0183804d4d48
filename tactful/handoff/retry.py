"""When to try a failed delivery again: exponential backoff per handoff.

Kept in memory by the process that runs the retry loop. After a restart every
queued handoff is simply due at once, which is what we want. With several
replicas each keeps its own; a claim (tactful/handoff/claims.py) lets one
replica at a time run a retry pass and work a given handoff.
"""

from __future__ import annotations

import threading
import time


class Backoff:
    def __init__(self, base_seconds: float, max_seconds: float) -> None:
        self._base = base_seconds
        self._max = max(max_seconds, base_seconds)
        self._lock = threading.Lock()
        self._failures: dict[int, int] = {}
        self._due: dict[int, float] = {}

    def is_due(self, key: int, now: float | None = None) -> bool:
        with self._lock:
            return (now if now is not None else time.monotonic()) >= self._due.get(key, 0.0)

    def failed(self, key: int, now: float | None = None) -> float:
        """Record a failure; return the delay until the next attempt."""
        with self._lock:
            failures = self._failures.get(key, 0) + 1
            self._failures[key] = failures
            delay: float = min(self._base * 2 ** (failures - 1), self._max)
            self._due[key] = (now if now is not None else time.monotonic()) + delay
            return delay

    def succeeded(self, key: int) -> None:
        with self._lock:
            self._failures.pop(key, None)
            self._due.pop(key, None)
