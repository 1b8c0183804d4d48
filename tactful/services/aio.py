"""Run blocking store calls off the event loop, with a timeout.

A worker thread cannot be stopped, so a timeout alone would leave it running
and free to commit after the caller has reported failure. Each call therefore
carries a ``Deadline``: when the wait ends first, the worker's commits are
refused; when a commit has already begun, the caller waits for the real outcome.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from tactful.store.unit_of_work import Deadline, DeadlineExceeded, run_under

T = TypeVar("T")

# With the default database budget (TACTFUL_DB_TIMEOUT=5) the server's own
# limits are 4 s (database.SERVER_SHARE): it aborts a slow statement, a lock
# wait or an idle transaction before the caller stops waiting.
DEFAULT_TIMEOUT_SECONDS = 5.0


async def run_blocking(
    function: Callable[..., T], *args: object, timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> T:
    """Await ``function(*args)`` on a worker thread, failing after ``timeout``.

    Raises ``DeadlineExceeded`` (an ``asyncio.TimeoutError``) only when the
    call has committed nothing and now never will. A call that began a commit
    in time is awaited past ``timeout``: its effects may be in the database, so
    only its real outcome is a truthful answer.
    """
    deadline = Deadline()
    worker = asyncio.ensure_future(asyncio.to_thread(run_under, deadline, function, *args))
    try:
        # Shielded: on timeout the worker's outcome may still be needed below.
        return await asyncio.wait_for(asyncio.shield(worker), timeout=timeout)
    except asyncio.TimeoutError:
        if worker.done() or not deadline.cancel():
            return await worker
        _abandon(worker)
        raise DeadlineExceeded(f"{_name(function)} did not finish within {timeout}s") from None
    except asyncio.CancelledError:
        # Nobody will hear the outcome of a cancelled call, so it must not commit either.
        deadline.cancel()
        _abandon(worker)
        raise


def _abandon(worker: asyncio.Future[Any]) -> None:
    worker.add_done_callback(_retrieve)


def _retrieve(done: asyncio.Future[Any]) -> None:
    # Nobody awaits an abandoned worker; fetching its error keeps asyncio from
    # logging the expected DeadlineExceeded as "never retrieved".
    if not done.cancelled():
        done.exception()


def _name(function: Callable[..., object]) -> str:
    return getattr(function, "__qualname__", None) or repr(function)
