"""Liveness and readiness, the same on every process (docs/observability.md, "Health").

``/health/live`` answers 200 while the process can answer at all.
``/health/ready`` runs the process's checks (database, policy, model...) and
answers 200 ``{"status": "ready"}`` or 503 ``{"status": "not_ready",
"failed": [...]}`` naming each failed check. A check is an async callable
returning None when fine or a short reason; reasons never quote a database
URL or an exception message, which may hold a password or customer data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from sqlalchemy import text

Check = Callable[[], Awaitable[str | None]]
CHECK_TIMEOUT_SECONDS = 5.0


class _PolicyStatus(Protocol):
    @property
    def ok(self) -> bool: ...


class _PolicySource(Protocol):
    def status(self) -> _PolicyStatus: ...


async def readiness(
    checks: Mapping[str, Check], timeout: float = CHECK_TIMEOUT_SECONDS
) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body) for ``/health/ready``."""
    names = list(checks)
    results = await asyncio.gather(*(_run(checks[name], timeout) for name in names))
    outcome = dict(zip(names, results, strict=True))
    failed = [name for name, problem in outcome.items() if problem is not None]
    body: dict[str, Any] = {
        "status": "not_ready" if failed else "ready",
        "checks": {name: problem or "ok" for name, problem in outcome.items()},
    }
    if failed:
        body["failed"] = failed
    return (503 if failed else 200), body


async def _run(check: Check, timeout: float) -> str | None:
    try:
        return await asyncio.wait_for(check(), timeout)
    except asyncio.TimeoutError:
        return "timed out"
    except Exception as error:  # noqa: BLE001 - a failing check is an answer, not a crash
        return f"failed: {type(error).__name__}"


def blocking_check(ping: Callable[[], None]) -> Check:
    """A check that runs the blocking ``ping`` off the event loop; fine unless it raises."""

    async def check() -> str | None:
        await asyncio.to_thread(ping)
        return None

    return check


def shop_db_check(new_uow: Callable[[], Any]) -> Check:
    """``SELECT 1`` in a unit of work on the shop database."""

    def ping() -> None:
        with new_uow() as work:
            work.session.execute(text("SELECT 1"))

    return blocking_check(ping)


def engine_check(engine: Any) -> Check:
    """``SELECT 1`` on a SQLAlchemy engine (the Rasa SQL tracker store's)."""

    def ping() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    return blocking_check(ping)


def policy_check(policy: _PolicySource) -> Check:
    """Fails while the offer policy is missing or invalid (offers are off then)."""

    async def check() -> str | None:
        status = await asyncio.to_thread(policy.status)
        return None if status.ok else "offers are off: the policy file is missing or invalid"

    return check
