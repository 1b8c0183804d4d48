"""The dashboard's reports, built once a minute at most, one at a time.

A report reads a whole period and bootstraps its intervals: seconds of CPU on a
big store. Without this, every page load (or a script hammering the API) would
start another build on the same two cores.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

FRESH_SECONDS = 60.0
Build = Callable[[], Awaitable[dict[str, Any]]]


class ReportCache:
    def __init__(self, fresh_seconds: float = FRESH_SECONDS) -> None:
        self._fresh = fresh_seconds
        self._lock = asyncio.Lock()
        self._reports: dict[int, tuple[float, dict[str, Any]]] = {}

    async def get(self, days: int, build: Build) -> dict[str, Any]:
        async with self._lock:
            cached = self._reports.get(days)
            if cached is not None and time.monotonic() - cached[0] < self._fresh:
                return cached[1]
            report = await build()
            self._reports[days] = (time.monotonic(), report)
            return report
