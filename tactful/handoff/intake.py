"""Starting a handoff: gather what the helpdesk should know and store it as pending.

Delivery is a separate step (``delivery``): the pending row is the promise
that the helpdesk will hear about it, whether or not the first attempt works.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tactful.engine.decide import AgentAdvice
from tactful.handoff.summary import (
    CustomerFacts,
    ShownOffer,
    SummaryInput,
    TranscriptLine,
    build_summary,
)
from tactful.services import support
from tactful.services.views import OrderView
from tactful.store.kinds import HANDOFF_PENDING, SOURCE_BOT
from tactful.store.models import Handoff, OfferEventRow
from tactful.store.unit_of_work import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
OFFER_HISTORY_DAYS = 90


@dataclass(frozen=True)
class HandoffRequest:
    conversation_id: str
    channel: str
    customer_id: str | None
    reason: str
    topic: str | None
    intents: tuple[str, ...]
    messages: tuple[TranscriptLine, ...]
    open_issues: tuple[str, ...]
    mentioned_orders: tuple[str, ...]
    stage: str
    # Asked by the caller, with its own timeout: a slow engine must not delay the handoff.
    advice: AgentAdvice | None


def create_handoff(uow: UowFactory, request: HandoffRequest, now: datetime) -> int:
    """Persist a pending handoff with its summary; return its id.

    Each read is its own unit of work: on SQLite every transaction takes the
    write lock, so units of work must never nest.
    """
    with uow() as work:
        customer, offers = _customer_facts(work, request, now)
    summary = build_summary(
        SummaryInput(
            conversation_id=request.conversation_id,
            channel=request.channel,
            reason=request.reason,
            stage=request.stage,
            requested_at=now,
            customer=customer,
            topic=request.topic,
            intents=request.intents,
            order=_order(uow, request, now) if customer else None,
            open_issues=request.open_issues,
            messages=request.messages,
            offers=offers,
            advice=request.advice,
        )
    )
    with uow() as work:
        handoff = work.handoffs.add(
            Handoff(
                conversation_id=request.conversation_id,
                channel=request.channel,
                customer_id=customer.id if customer else None,
                status=HANDOFF_PENDING,
                reason=request.reason,
                summary=summary,
                attempts=0,
                created_at=now,
            )
        )
        work.commit()
        return int(handoff.id)


def _customer_facts(
    work: UnitOfWork, request: HandoffRequest, now: datetime
) -> tuple[CustomerFacts | None, tuple[ShownOffer, ...]]:
    rows = {row.id: row for row in work.offer_events.in_conversation(request.conversation_id)}
    customer = work.customers.get(request.customer_id) if request.customer_id else None
    if customer is None:
        return None, tuple(_shown(row) for row in rows.values())
    since = now - timedelta(days=OFFER_HISTORY_DAYS)
    rows.update({row.id: row for row in work.offer_events.for_customer(customer.id, since)})
    ordered = sorted(rows.values(), key=lambda row: (row.at, row.id))
    facts = CustomerFacts(customer.id, customer.name, customer.email, customer.region)
    return facts, tuple(_shown(row) for row in ordered)


def _shown(row: OfferEventRow) -> ShownOffer:
    return ShownOffer(
        kind=row.kind,
        offer_id=row.offer_id,
        variant_id=row.variant_id,
        category=row.category,
        target_sku=row.target_sku,
        price=row.price,
        at=row.at,
        conversation_id=row.conversation_id,
        source=row.source or SOURCE_BOT,
    )


def _order(uow: UowFactory, request: HandoffRequest, now: datetime) -> OrderView | None:
    """The order the customer mentioned (newest mention first), else their latest."""
    if request.customer_id is None:
        return None
    for reference in request.mentioned_orders:
        order = support.order_for_customer(uow, request.customer_id, reference, now)
        if order is not None:
            return order
    latest = support.recent_orders(uow, request.customer_id, now, limit=1)
    return latest[0] if latest else None
