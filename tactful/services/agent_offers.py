"""Offers a human agent may make, and the advice the agent gets with a handoff.

Both use the engine with the same inputs as the bot's own decisions. An offer
the agent makes is recorded as an impression with source "agent" under the
same per-customer lock as ``OfferService.decide_and_record``, so it counts
toward the same caps and two racing offers cannot both pass.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from tactful.engine import reasons as R
from tactful.engine.candidates import Candidate, build_candidates, mined_offer_id
from tactful.engine.caps import caps_allow
from tactful.engine.decide import AgentAdvice, advice_for_agent
from tactful.engine.holdout import in_holdout
from tactful.engine.messages import build_offer
from tactful.engine.model import (
    CartLine,
    ConversationContext,
    CoPurchaseRule,
    CustomerSnapshot,
    Offer,
    Product,
)
from tactful.engine.policy_model import Policy
from tactful.observability import metrics
from tactful.services.offer_inputs import OfferInputs, load_snapshot
from tactful.services.policy_provider import PolicyProvider
from tactful.store.kinds import DECISION, IMPRESSION, SOURCE_AGENT
from tactful.store.models import OfferEventRow
from tactful.store.unit_of_work import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
# The policy's channel name for offers a human agent makes.
AGENT = "agent"
POLICY_UNAVAILABLE = "policy:unavailable"
NOT_ELIGIBLE = "agent:not_eligible"
_OWN_TEXT = {
    POLICY_UNAVAILABLE: "offers are off because the offer policy cannot be read",
    NOT_ELIGIBLE: "this offer does not apply to this customer now (not triggered, or excluded)",
}


def describe(code: str) -> str:
    return _OWN_TEXT.get(code) or R.describe(code)


@dataclass(frozen=True)
class AgentOfferRequest:
    customer_id: str
    conversation_id: str
    channel: str
    stage: str
    offer_id: str
    variant_id: str


@dataclass(frozen=True)
class AgentOfferResult:
    recorded: bool
    reasons: tuple[str, ...]
    offer: Offer | None = None
    unknown_offer: bool = False

    @property
    def explanation(self) -> str:
        return "; ".join(describe(code) for code in self.reasons)


def solved_context(ctx: ConversationContext) -> ConversationContext:
    """The conversation as it will be once the agent has solved the problem."""
    moment = "cart_question" if ctx.stage == "checkout" else "resolved_request"
    return replace(ctx, moment=moment, handoff=False, user_turns=max(ctx.user_turns, 2))


def _known_offer(policy: Policy, catalog: dict[str, Product], offer_id: str, variant_id: str) -> bool:
    rule = policy.rule(offer_id)
    if rule is not None:
        return any(variant.id == variant_id for variant in rule.variants)
    sku = offer_id.removeprefix("mined:")
    return offer_id == mined_offer_id(sku) and sku in catalog and variant_id == "default"


class AgentOffers:
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
        self._inputs = inputs or OfferInputs()

    def _snapshot(
        self,
        work: UnitOfWork,
        customer_id: str,
        region: str | None,
        catalog: dict[str, Product],
        now: datetime,
        policy: Policy,
        conversation_id: str,
    ) -> CustomerSnapshot | None:
        customer = work.customers.get(customer_id)
        if customer is None:
            return None
        return load_snapshot(
            work, customer_id, region or customer.region, catalog, now, policy, conversation_id
        )

    def advise(self, context: ConversationContext, now: datetime) -> AgentAdvice:
        """What the helpdesk summary tells the agent: one offer to mention later, or do not pitch."""
        policy = self._policy.get()
        if policy is None:
            return AgentAdvice(
                None, True, (POLICY_UNAVAILABLE,), f"Do not pitch: {describe(POLICY_UNAVAILABLE)}."
            )
        if not policy.channels.offers_on(AGENT):
            return AgentAdvice(
                None, True, (R.GATE_CHANNEL_OFF,), "Do not pitch: offers by agents are turned off."
            )
        with self._uow() as work:
            catalog, arms, mined = self._inputs.load(work, policy)
            snapshot = None
            if context.customer_id is not None:
                snapshot = self._snapshot(
                    work, context.customer_id, context.region, catalog, now, policy, context.conversation_id
                )
                if snapshot is None:
                    context = replace(context, customer_id=None)
        return advice_for_agent(context, snapshot, catalog, policy, arms, mined, now, self._rng)

    def record(self, request: AgentOfferRequest, now: datetime) -> AgentOfferResult:
        """Record the agent's offer if caps, consent, declines and eligibility allow it."""
        policy = self._policy.get()
        if policy is None:
            return AgentOfferResult(False, (POLICY_UNAVAILABLE,))
        with self._uow() as work:
            # Lock first, as the bot does: every read below sees all earlier impressions.
            if not work.customers.lock_for_offer(request.customer_id):
                return AgentOfferResult(False, (R.GATE_UNVERIFIED,))
            catalog, _arms, mined = self._inputs.load(work, policy)
            if not _known_offer(policy, catalog, request.offer_id, request.variant_id):
                return AgentOfferResult(False, (), unknown_offer=True)
            snapshot = self._snapshot(
                work, request.customer_id, None, catalog, now, policy, request.conversation_id
            )
            assert snapshot is not None  # the lock above proved the customer exists
            candidate = self._candidate(work, request, snapshot, catalog, policy, mined, now)
            blocked = self._blocks(request, snapshot, candidate, policy, now)
            offer = build_offer(candidate, policy, now) if candidate is not None else None
            self._record(work, request, blocked, offer, now)
            work.commit()
        metrics.decision(tuple(blocked), None if blocked else request.offer_id)
        return AgentOfferResult(
            not blocked, tuple(blocked) or (R.offer_code(request.offer_id, request.variant_id),), offer
        )

    def _candidate(
        self,
        work: UnitOfWork,
        request: AgentOfferRequest,
        snapshot: CustomerSnapshot,
        catalog: dict[str, Product],
        policy: Policy,
        mined: list[CoPurchaseRule],
        now: datetime,
    ) -> Candidate | None:
        cart = work.carts.for_customer(request.customer_id)
        context = solved_context(
            ConversationContext(
                customer_id=request.customer_id,
                conversation_id=request.conversation_id,
                channel=request.channel,
                stage=request.stage,
                cart=tuple(CartLine(item.sku, item.quantity) for item in (cart.items if cart else ())),
            )
        )
        found = build_candidates(context, snapshot, catalog, policy, mined, now)
        return next(
            (
                c
                for c in found.candidates
                if c.offer_id == request.offer_id and c.variant_id == request.variant_id
            ),
            None,
        )

    def _blocks(
        self,
        request: AgentOfferRequest,
        snapshot: CustomerSnapshot,
        candidate: Candidate | None,
        policy: Policy,
        now: datetime,
    ) -> list[str]:
        blocked: list[str] = []
        if in_holdout(request.customer_id, policy.holdout.salt, policy.holdout.share):
            blocked.append(R.GATE_HOLDOUT)
        if not (policy.channels.offers_on(AGENT) and policy.channels.offers_on(request.channel)):
            blocked.append(R.GATE_CHANNEL_OFF)
        category = candidate.target.category if candidate is not None else None
        _, capped = caps_allow(
            snapshot.events, request.conversation_id, request.offer_id, now, policy, category
        )
        blocked.extend(capped)
        if not blocked and candidate is None:
            blocked.append(NOT_ELIGIBLE)
        return blocked

    def _record(
        self,
        work: UnitOfWork,
        request: AgentOfferRequest,
        blocked: list[str],
        offer: Offer | None,
        now: datetime,
    ) -> None:
        base = dict(
            customer_id=request.customer_id,
            channel=request.channel,
            conversation_id=request.conversation_id,
            source=SOURCE_AGENT,
            at=now,
            offer_id=request.offer_id,
            variant_id=request.variant_id,
        )
        # Every decision is logged, the agent's refused attempts included.
        reasons = blocked or [R.offer_code(request.offer_id, request.variant_id)]
        work.offer_events.add(OfferEventRow(kind=DECISION, reasons=list(reasons), **base))
        if not blocked and offer is not None:
            work.offer_events.add(
                OfferEventRow(
                    kind=IMPRESSION,
                    category=offer.category,
                    target_sku=offer.target_sku,
                    price=offer.final_price,
                    **base,
                )
            )
