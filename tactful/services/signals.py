"""Record the conversation's harm signals (frustration, fallback, handoff).

They are stored as offer events of their own kinds so the offer report can set
them against the offers shown in the same conversation (docs/analytics.md,
"Harm"). Recording is best effort: a failure is logged and the chat goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from tactful.store.kinds import SIGNAL_KINDS, SignalKind
from tactful.store.models import OfferEventRow
from tactful.store.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)


def record_signal(
    uow: Callable[[], UnitOfWork],
    kind: SignalKind,
    channel: str,
    conversation_id: str,
    now: datetime,
) -> None:
    if kind not in SIGNAL_KINDS:
        raise ValueError(f"unknown signal kind {kind!r}")
    # No customer id: the signal belongs to the conversation, and an id the
    # customers table does not hold would fail its foreign key.
    with uow() as work:
        work.offer_events.add(
            OfferEventRow(
                kind=kind,
                channel=channel,
                conversation_id=conversation_id,
                at=now,
            )
        )
        work.commit()
