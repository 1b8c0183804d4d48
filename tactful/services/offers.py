"""Offer use cases: decide (and record) an offer, and record the customer's answer.

Decisions for one customer are serialised by a per-customer lock taken as the
first statement of the unit of work (offer_history.LOCK_CUSTOMER), so the caps
hold across processes and servers.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from tactful.engine.decide import decide
from tactful.engine.model import ConversationContext, Decision, Offer
from tactful.engine.policy_model import Policy
from tactful.observability import metrics
from tactful.services.offer_inputs import OfferInputs, history_since, to_snapshot
from tactful.services.policy_provider import PolicyProvider
from tactful.services.support import put_in_cart
from tactful.store.kinds import (
    ACCEPTED,
    DECISION,
    DECLINED,
    IGNORED,
    IMPRESSION,
    OPTED_IN,
    OPTED_OUT,
    STAGE_PREFIX,
)
from tactful.store.models import OfferEventRow
from tactful.store.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)
UowFactory = Callable[[], UnitOfWork]
RESPONSE_KINDS = frozenset({ACCEPTED, DECLINED, IGNORED})


AcceptStatus = Literal["added", "upgrade", "unavailable"]


@dataclass(frozen=True)
class AcceptOutcome:
    # "unavailable": the offer was not shown to this customer in this
    # conversation, or was already answered there; nothing was recorded.
    status: AcceptStatus
    # Where the customer finishes an upgrade (status "upgrade").
    link: str | None = None


UNAVAILABLE = AcceptOutcome("unavailable")


class OfferService:
    def __init__(
        self,
        uow: UowFactory,
        policy: PolicyProvider,
        rng: random.Random | None = None,
        inputs: OfferInputs | None = None,
    ) -> None:
        self._uow = uow
        self._policy = policy
        self._rng = rng or random.SystemRandom()
        self.inputs = inputs or OfferInputs()

    @property
    def policy_provider(self) -> PolicyProvider:
        return self._policy

    def decide_and_record(self, context: ConversationContext, now: datetime) -> Decision:
        """Decide on one offer (or none), log the decision and any impression."""
        policy = self._policy.get()
        if policy is None:
            metrics.decision(("policy:unavailable",), None)
            return Decision(offer=None, reasons=("policy:unavailable",), trace=("policy unavailable",))
        with self._uow() as work:
            decision, context = self.decide_locked(work, policy, context, now)
            self.record_decision(work, context, decision, now)
            work.commit()
        metrics.decision(decision.reasons, decision.offer.offer_id if decision.offer else None)
        return decision

    def decide_locked(
        self, work: UnitOfWork, policy: Policy, context: ConversationContext, now: datetime
    ) -> tuple[Decision, ConversationContext]:
        """Lock the customer, read their history and choose; nothing is written yet.

        Separate from the event write so benchmarks can time each half.
        """
        catalog, arms, mined = self.inputs.load(work, policy)
        snapshot = None
        if context.customer_id is not None:
            customer_id = context.customer_id
            # Lock first: every read sees all earlier impressions (one round trip for both).
            facts, history = work.offer_history.lock_and_read(
                customer_id, context.conversation_id, history_since(policy, now)
            )
            if facts is None:
                context = replace(context, customer_id=None)
            else:
                if facts.handed_off:
                    # The store is the source of truth: a lost slot cannot re-enable offers.
                    context = replace(context, handoff=True)
                snapshot = to_snapshot(history, customer_id, context.region or facts.region, catalog, now)
        return decide(context, snapshot, catalog, policy, arms, mined, now, self._rng), context

    def record_decision(
        self, work: UnitOfWork, context: ConversationContext, decision: Decision, now: datetime
    ) -> None:
        offer = decision.offer
        base = dict(
            customer_id=context.customer_id,
            channel=context.channel,
            conversation_id=context.conversation_id,
            at=now,
        )
        work.offer_events.add(
            OfferEventRow(
                kind=DECISION,
                offer_id=offer.offer_id if offer else None,
                variant_id=offer.variant_id if offer else None,
                # The journey stage rides along for the report's "by stage" (docs/analytics.md).
                reasons=[*decision.reasons, f"{STAGE_PREFIX}{context.stage}"],
                trace=list(decision.trace),
                **base,
            )
        )
        if offer is not None:
            work.offer_events.add(
                OfferEventRow(
                    kind=IMPRESSION,
                    offer_id=offer.offer_id,
                    variant_id=offer.variant_id,
                    category=offer.category,
                    target_sku=offer.target_sku,
                    price=offer.final_price,
                    **base,
                )
            )

    def record_response(
        self,
        customer_id: str,
        offer: dict[str, Any],
        kind: str,
        channel: str,
        conversation_id: str,
        now: datetime,
    ) -> AcceptOutcome | None:
        """Record accepted / declined / ignored; an accept fulfils the offer.

        Returns None for a decline or an ignore.
        """
        if kind not in RESPONSE_KINDS:
            raise ValueError(f"unknown response kind {kind!r}")
        if kind == ACCEPTED:
            return self._accept(customer_id, offer, channel, conversation_id, now)
        row = _response_row(customer_id, offer, kind, channel, conversation_id, now)
        with self._uow() as work:
            work.offer_events.add(row)
            work.commit()
        if kind == DECLINED:
            self.inputs.count_answer(row.offer_id, row.variant_id, kind)
        return None

    def _accept(
        self, customer_id: str, offer: dict[str, Any], channel: str, conversation_id: str, now: datetime
    ) -> AcceptOutcome:
        """The accept event and its cart line: one transaction, so both land or neither."""
        with self._uow() as work:
            shown = _shown_unanswered(work, customer_id, offer, conversation_id)
            if shown is None:
                return UNAVAILABLE
            work.offer_events.add(_accept_row(shown, channel, now))
            outcome = _fulfil(work, customer_id, offer, shown, now)
            work.commit()
        self.inputs.count_answer(shown.offer_id, shown.variant_id, ACCEPTED)
        return outcome

    def set_consent(
        self, customer_id: str, opted_in: bool, channel: str, conversation_id: str, now: datetime
    ) -> None:
        with self._uow() as work:
            work.offer_events.add(
                OfferEventRow(
                    customer_id=customer_id,
                    kind=OPTED_IN if opted_in else OPTED_OUT,
                    channel=channel,
                    conversation_id=conversation_id,
                    at=now,
                )
            )
            work.commit()
        metrics.consent(opted_in)


def _shown_unanswered(
    work: UnitOfWork, customer_id: str, offer: dict[str, Any], conversation_id: str
) -> OfferEventRow | None:
    """The impression this accept answers, if the store holds one it may answer.

    The slot is conversation data, so the store decides: only the customer the
    offer was shown to, only in that conversation, and only once.
    """
    offer_id = offer.get("offer_id")
    # The customer lock serialises two accepts of one offer (a double click),
    # so the second sees the first one's answer.
    if not offer_id or not work.customers.lock_for_offer(customer_id):
        return None
    variant_id = offer.get("variant_id")
    return work.offer_events.unanswered_impression(
        customer_id, conversation_id, str(offer_id), str(variant_id) if variant_id else None
    )


def _accept_row(shown: OfferEventRow, channel: str, now: datetime) -> OfferEventRow:
    # What was accepted is what the store showed, never what the slot claims.
    return OfferEventRow(
        customer_id=shown.customer_id,
        kind=ACCEPTED,
        offer_id=shown.offer_id,
        variant_id=shown.variant_id,
        category=shown.category,
        target_sku=shown.target_sku,
        price=shown.price,
        channel=channel,
        conversation_id=shown.conversation_id,
        at=now,
    )


def _fulfil(
    work: UnitOfWork, customer_id: str, offer: dict[str, Any], shown: OfferEventRow, now: datetime
) -> AcceptOutcome:
    if offer.get("is_subscription") and offer.get("link"):
        # The policy's upgrade link (``links.upgrade``) is where a plan changes.
        return AcceptOutcome("upgrade", str(offer["link"]))
    put_in_cart(work, customer_id, str(shown.target_sku), 1, now)
    return AcceptOutcome("added")


def _response_row(
    customer_id: str, offer: dict[str, Any], kind: str, channel: str, conversation_id: str, now: datetime
) -> OfferEventRow:
    return OfferEventRow(
        customer_id=customer_id,
        kind=kind,
        offer_id=offer.get("offer_id"),
        variant_id=offer.get("variant_id"),
        category=offer.get("category"),
        target_sku=offer.get("target_sku"),
        price=Decimal(str(offer["final_price"])) if offer.get("final_price") else None,
        channel=channel,
        conversation_id=conversation_id,
        at=now,
    )


def offer_to_slot(offer: Offer) -> dict[str, Any]:
    """What the conversation keeps about a shown offer (no customer data)."""
    return {
        "offer_id": offer.offer_id,
        "variant_id": offer.variant_id,
        "kind": offer.kind,
        "target_sku": offer.target_sku,
        "target_name": offer.target_name,
        "category": offer.category,
        "final_price": str(offer.final_price),
        "reason": offer.reason,
        "is_subscription": offer.is_subscription,
        "link": offer.link,
        "accept_label": offer.accept_label,
        "decline_label": offer.decline_label,
    }
