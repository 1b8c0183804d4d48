"""Co-purchase mining as one scheduled job (`python -m tactful mine`).

Mining reads every basket in the shop, so it runs in one place on a schedule
(cron, a Kubernetes CronJob) and stores its rules; every process then reads
the stored set (offer_inputs.py) and none mines by itself (README, "Scheduled
jobs").
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from tactful.engine.mining import NON_PRODUCT_CODES, basket_matrix, mine_matrix
from tactful.engine.policy_model import Mining
from tactful.services.clock import utcnow
from tactful.services.policy_file import load_policy
from tactful.store.job_lock import exclusive_job
from tactful.store.migrate import is_up_to_date
from tactful.store.unit_of_work import UnitOfWork, uow_for

MineStatus = Literal["stored", "busy"]


@dataclass(frozen=True)
class MineOutcome:
    # "busy": another run held the job lock; nothing was read or written.
    status: MineStatus
    baskets: int = 0
    rules: int = 0
    mined_at: datetime | None = None
    # False when the policy turns mining off: an empty set was stored, so
    # rules mined earlier stop being offered.
    enabled: bool = True


def mine_and_store(
    uow: Callable[[], UnitOfWork],
    settings: Mining,
    lock: AbstractContextManager[bool],
    now: Callable[[], datetime],
) -> MineOutcome:
    """Mine the order history and replace the stored rule set in one transaction.

    Baskets are read in one unit of work and the rules written in another,
    with the pair counting outside any transaction: on SQLite an open
    transaction holds every decision's lock.
    """
    with lock as held:
        if not held:
            return MineOutcome("busy")
        baskets, rules = 0, []
        if settings.enabled:
            with uow() as work:
                # Streamed into the sparse matrix: a big shop's baskets never
                # sit in memory as Python lists.
                matrix, items = basket_matrix(work.orders.stream_offerable_baskets(), NON_PRODUCT_CODES)
            baskets = int(matrix.shape[0])
            rules = mine_matrix(
                matrix, items, settings.min_support, settings.min_confidence, settings.min_lift
            )
        mined_at = now()
        with uow() as work:
            work.mined_rules.replace(rules, mined_at, baskets)
            work.commit()
    return MineOutcome("stored", baskets, len(rules), mined_at, settings.enabled)


def describe(outcome: MineOutcome) -> str:
    if outcome.status == "busy":
        return "skipped: another `tactful mine` run is mining this database right now; it stores the rules"
    if not outcome.enabled:
        return "mining is off in the policy (mining.enabled: false): stored an empty rule set"
    return f"stored {outcome.rules:,} co-purchase rules mined from {outcome.baskets:,} baskets"


class NotMigrated(Exception):
    """The shop database is not at the latest schema revision."""


def mine_database(url: str, policy_file: Path, timeout_seconds: float) -> MineOutcome:
    """The `tactful mine` command: the policy's thresholds, the database at ``url``.

    Raises PolicyError for an invalid policy, NotMigrated, or SQLAlchemyError.
    """
    settings = load_policy(policy_file).mining
    if not is_up_to_date(url):
        raise NotMigrated(url)
    lock = exclusive_job(url, "mine", timeout_seconds)
    return mine_and_store(lambda: uow_for(url, timeout_seconds), settings, lock, utcnow)
