"""Run blocking store calls off the event loop, with a timeout."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

DEFAULT_TIMEOUT_SECONDS = 5.0


async def run_blocking(
    function: Callable[..., T], *args: object, timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> T:
    """Await ``function(*args)`` on a worker thread, failing after ``timeout``."""
    return await asyncio.wait_for(asyncio.to_thread(function, *args), timeout=timeout)
