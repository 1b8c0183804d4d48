"""One customer's offer decisions in order: "why did (or didn't) they get an offer?"

Each decision comes with its reason codes in plain words, the engine's trace
when it was stored, and what happened to the offer it made (shown, then
accepted, declined, ignored).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from tactful.engine.reasons import describe
from tactful.store.kinds import DECISION, STAGE_PREFIX
from tactful.store.models import Customer, OfferEventRow
from tactful.store.unit_of_work import UnitOfWork

CUSTOMER_ID = re.compile(r"[A-Za-z0-9_.:@-]{1,64}")
MAX_DECISIONS = 200
# A decision brings at most an impression and a few answers or signals.
EVENT_LIMIT = MAX_DECISIONS * 5


class UnknownCustomer(LookupError):
    pass


def _reason(code: str) -> dict[str, str]:
    return {"code": code, "text": describe(code)}


def customer_decisions(new_uow: Callable[[], UnitOfWork], customer_id: str) -> dict[str, Any]:
    """The latest ``MAX_DECISIONS`` decisions of one customer, oldest first."""
    with new_uow() as work:
        if work.session.get(Customer, customer_id) is None:
            raise UnknownCustomer(customer_id)
        rows = (
            work.session.execute(
                select(OfferEventRow)
                .where(OfferEventRow.customer_id == customer_id)
                .order_by(OfferEventRow.at.desc(), OfferEventRow.id.desc())
                .limit(EVENT_LIMIT)
            )
            .scalars()
            .all()
        )
    decisions: list[dict[str, Any]] = []
    # What became of each offer made: the events after its decision, same conversation and offer.
    outcomes: dict[tuple[str | None, str | None], list[str]] = {}
    for row in sorted(rows, key=lambda r: (r.at, r.id)):
        key = (row.conversation_id, row.offer_id)
        if row.kind != DECISION:
            if row.offer_id is not None and key in outcomes:
                outcomes[key].append(row.kind)
            continue
        reasons = [str(code) for code in row.reasons or []]
        stages = [code[len(STAGE_PREFIX) :] for code in reasons if code.startswith(STAGE_PREFIX)]
        outcome: list[str] = []
        if row.offer_id is not None:
            outcomes[key] = outcome
        decisions.append(
            {
                "at": row.at.isoformat(timespec="seconds"),
                "conversation_id": row.conversation_id,
                "channel": row.channel,
                "stage": stages[0] if stages else None,
                "offer": f"{row.offer_id}/{row.variant_id}" if row.offer_id else None,
                "reasons": [_reason(code) for code in reasons if not code.startswith(STAGE_PREFIX)],
                "trace": [str(line) for line in row.trace or []],
                "outcome": outcome,
            }
        )
    latest = decisions[-MAX_DECISIONS:]
    return {
        "customer_id": customer_id,
        "decisions": latest,
        "offers": sum(1 for d in latest if d["offer"]),
        # The newest events were read first, up to a limit: older decisions may be missing.
        "truncated": len(decisions) > MAX_DECISIONS or len(rows) >= EVENT_LIMIT,
    }
