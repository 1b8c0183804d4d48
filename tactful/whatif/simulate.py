"""Replay one customer's history under one policy, decision by decision.

Each past order becomes the checkout chat that preceded it: the customer asks
about a cart holding that order's products, and the real engine (``decide``)
chooses one offer or none, with every cap, suppression and holdout rule of the
policy. Offers shown and the simulated answers become offer events, so later
decisions see them exactly as the live assistant would.

Answers are simulated with *common random numbers*: the draws for an order
depend on the seed, the customer and the order only, never on the policy, so
two policies are compared on the same luck (docs/whatif.md).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from tactful.engine.decide import decide
from tactful.engine.model import (
    ArmStats,
    ConversationContext,
    CoPurchaseRule,
    CustomerSnapshot,
    OfferEvent,
    Product,
    Purchase,
)
from tactful.engine.policy_model import Policy
from tactful.store.kinds import ACCEPTED, DECLINED, IGNORED, IMPRESSION
from tactful.whatif.history import CustomerHistory, PastOrder

Arm = tuple[str, str]
ANSWER_DELAY = timedelta(seconds=30)


@dataclass(frozen=True)
class ResponseModel:
    """How simulated customers answer: a Beta posterior of P(accept) per offer arm.

    The prior (``prior_accepts`` : ``prior_declines``, 1 : 9 by default, so a
    10 % acceptance worth ten answers) is updated with the stored history of
    that arm: offers shown and how many of them were accepted (an ignored offer
    counts as not accepted). Of the offers not accepted, ``decline_share`` are
    an explicit "no thanks" (which suppresses the offer) and the rest are ignored.
    ``arm_stats`` is what the engine's ranking reads, as in the live assistant.
    """

    arm_stats: Mapping[Arm, ArmStats]
    shown_and_accepted: Mapping[Arm, tuple[int, int]] = field(default_factory=dict)
    prior_accepts: float = 1.0
    prior_declines: float = 9.0
    decline_share: float = 0.5

    def beta(self, arm: Arm) -> tuple[float, float]:
        shown, accepted = self.shown_and_accepted.get(arm, (0, 0))
        return self.prior_accepts + accepted, self.prior_declines + max(shown - accepted, 0)

    def accept_probability(self, arm: Arm) -> float:
        accepts, declines = self.beta(arm)
        return accepts / (accepts + declines)


@dataclass(frozen=True)
class ReplayInputs:
    policy: Policy
    catalog: Mapping[str, Product]
    mined: Sequence[CoPurchaseRule]
    responses: ResponseModel
    channel: str = "socketio"
    seed: int = 0


@dataclass(frozen=True)
class ShownOffer:
    offer_id: str
    variant_id: str
    target_sku: str
    final_price: Decimal
    answer: str

    @property
    def arm(self) -> Arm:
        return (self.offer_id, self.variant_id)


@dataclass(frozen=True)
class Step:
    """One replayed checkout: the decision's reason codes and the offer shown, if any."""

    order_id: str
    at: datetime
    reasons: tuple[str, ...]
    offer: ShownOffer | None


def _draws(seed: int, customer_id: str, order_id: str) -> random.Random:
    key = f"{seed}\x1f{customer_id}\x1f{order_id}".encode()
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


def _answer(luck: random.Random, p_accept: float, decline_share: float) -> str:
    first, second = luck.random(), luck.random()
    if first < p_accept:
        return ACCEPTED
    return DECLINED if second < decline_share else IGNORED


def _purchases(order: PastOrder, catalog: Mapping[str, Product]) -> list[Purchase]:
    return [
        Purchase(
            sku=line.sku,
            category=catalog[line.sku].category if line.sku in catalog else "general",
            at=order.placed_at,
            status=order.status,
            quantity=abs(line.quantity),
        )
        for line in order.lines
    ]


def replay_customer(history: CustomerHistory, inputs: ReplayInputs) -> list[Step]:
    catalog = inputs.catalog
    purchases: list[Purchase] = []
    events: list[OfferEvent] = []
    steps: list[Step] = []
    for order in history.orders:
        # Decided before this order's own products count as owned: they are in the cart.
        replayed = order.replayed and order.cart
        step = _checkout(history.customer_id, order, purchases, events, inputs) if replayed else None
        purchases.extend(_purchases(order, catalog))
        if step is None:
            continue
        steps.append(step)
        shown = step.offer
        if shown is not None and shown.answer == ACCEPTED and shown.target_sku in catalog:
            target = catalog[shown.target_sku]
            purchases.append(Purchase(target.sku, target.category, order.placed_at, "placed"))
    return steps


def _checkout(
    customer_id: str,
    order: PastOrder,
    purchases: list[Purchase],
    events: list[OfferEvent],
    inputs: ReplayInputs,
) -> Step:
    now = order.placed_at
    conversation = f"whatif:{customer_id}:{order.order_id}"
    luck = _draws(inputs.seed, customer_id, order.order_id)
    context = ConversationContext(
        customer_id=customer_id,
        conversation_id=conversation,
        channel=inputs.channel,
        stage="checkout",
        user_turns=2,
        moment="cart_question",
        cart=order.cart,
        region=order.region,
    )
    snapshot = CustomerSnapshot(customer_id, order.region, tuple(purchases), tuple(events))
    decision = decide(
        context,
        snapshot,
        inputs.catalog,
        inputs.policy,
        inputs.responses.arm_stats,
        inputs.mined,
        now,
        random.Random(luck.getrandbits(64)),
    )
    offer = decision.offer
    if offer is None:
        return Step(order.order_id, now, decision.reasons, None)
    arm = (offer.offer_id, offer.variant_id)
    answer = _answer(luck, inputs.responses.accept_probability(arm), inputs.responses.decline_share)
    for kind, at in ((IMPRESSION, now), (answer, now + ANSWER_DELAY)):
        events.append(
            OfferEvent(
                kind, offer.offer_id, offer.variant_id, offer.category, at, conversation, inputs.channel
            )
        )
    shown = ShownOffer(offer.offer_id, offer.variant_id, offer.target_sku, offer.final_price, answer)
    return Step(order.order_id, now, decision.reasons, shown)
