"""A simulated month of chats on the demo store, for the report and the dashboard.

Simulated customers (``SIM0001`` ...) each start with one earlier order (a
camera, a plan or a laptop). Every day some of them chat, in support or at
checkout, and the real offer service decides (``OfferService.decide_and_record``,
with the policy's holdout, caps and suppressions) at a simulated time. Their
answers, harm signals and later orders are drawn from the rates below with a
fixed seed. Holdout customers buy at the same base rate, so the report's
holdout comparison has something true to find: offers add the accepted
add-ons that get paid. The demo customers C001-C011 are never touched.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, select

from tactful.demo.catalog import BY_SKU
from tactful.engine.model import CartLine, ConversationContext
from tactful.services.offers import OfferService, offer_to_slot
from tactful.services.signals import record_signal
from tactful.store.kinds import ACCEPTED, DECLINED, FALLBACK, FRUSTRATED, HANDOFF, IGNORED, SignalKind
from tactful.store.models import Cart, CartItem, Customer, OfferEventRow, Order, OrderLine
from tactful.store.unit_of_work import UnitOfWork

PREFIX = "SIM"
NAME_PREFIX = "Simulated "
SOURCE = "simulated"
FIRST_ORDERS = ("CAM-X100", "CAM-X100", "PLAN-BASIC", "LAP-13", "HP-100")
CHANNELS = ("socketio", "socketio", "socketio", "rest", "twilio")


@dataclass(frozen=True)
class Rates:
    chat_per_day: float = 0.08
    checkout_share: float = 0.35
    accept: float = 0.22
    accept_discounted: float = 0.32
    decline: float = 0.35
    opt_out_after_decline: float = 0.06
    signal_with_offer: float = 0.05
    signal_without_offer: float = 0.04
    base_order_per_day: float = 0.012
    accepted_paid: float = 0.7


@dataclass
class SimulationResult:
    customers: int = 0
    conversations: int = 0
    offers: int = 0
    answers: int = 0
    orders: int = 0


def simulate_month(
    new_uow: Callable[[], UnitOfWork],
    offers: OfferService,
    until: datetime,
    days: int = 30,
    customers: int = 300,
    seed: int = 7,
    rates: Rates = Rates(),
    follow_up_days: int = 30,
) -> SimulationResult:
    """Replace any earlier simulation: ``days`` days of chats, then ``follow_up_days``
    days in which customers only keep buying, ending at ``until``.

    The follow-up lets the report's 30-day revenue windows finish for every
    customer who chatted (docs/analytics.md, "Complete windows").
    """
    luck = random.Random(seed)
    start = until - timedelta(days=days + follow_up_days)
    ids = [f"{PREFIX}{n:04d}" for n in range(1, customers + 1)]
    result = SimulationResult(customers=customers)
    _reset(new_uow, ids, start, luck, result)
    for day in range(days + follow_up_days):
        for customer_id in ids:
            when = start + timedelta(days=day, seconds=luck.randrange(8 * 3600, 20 * 3600))
            if luck.random() < rates.base_order_per_day:
                product = luck.choice(("SD-64", "BAT-X", "HP-100", "CAM-X100"))
                _order(new_uow, customer_id, (product,), min(when, until), result)
            if day < days and luck.random() < rates.chat_per_day:
                _chat(new_uow, offers, customer_id, f"{day}", when, luck, rates, result)
    return result


def _reset(
    new_uow: Callable[[], UnitOfWork],
    ids: list[str],
    start: datetime,
    luck: random.Random,
    result: SimulationResult,
) -> None:
    with new_uow() as work:
        # Core statements on the connection: no ORM session state to synchronise.
        # Only the generated ids and rows the simulator wrote are deleted: a
        # real customer whose id merely starts with the prefix is never touched.
        session = work.session.connection()
        mine = OfferEventRow.customer_id.in_(ids)
        conversations = select(OfferEventRow.conversation_id).where(
            mine, OfferEventRow.conversation_id.like("sim:%")
        )
        orders = select(Order.id).where(Order.customer_id.in_(ids), Order.source == SOURCE)
        carts = select(Cart.id).where(Cart.customer_id.in_(ids))
        session.execute(delete(OfferEventRow).where(OfferEventRow.conversation_id.in_(conversations)))
        session.execute(delete(OfferEventRow).where(mine))
        session.execute(delete(OrderLine).where(OrderLine.order_id.in_(orders)))
        session.execute(delete(Order).where(Order.id.in_(orders)))
        session.execute(delete(CartItem).where(CartItem.cart_id.in_(carts)))
        session.execute(delete(Cart).where(Cart.customer_id.in_(ids)))
        session.execute(delete(Customer).where(Customer.id.in_(ids), Customer.name.like(f"{NAME_PREFIX}%")))
        existing = set(work.session.execute(select(Customer.id).where(Customer.id.in_(ids))).scalars())
        if existing:
            raise ValueError(
                f"customer {sorted(existing)[0]} exists and is not simulated; use another --seed store"
            )
        work.session.add_all(
            Customer(id=customer_id, name=f"{NAME_PREFIX}{customer_id}", region="United Kingdom")
            for customer_id in ids
        )
        work.commit()
    for customer_id in ids:
        first = start - timedelta(days=luck.uniform(1, 25))
        _order(new_uow, customer_id, (luck.choice(FIRST_ORDERS),), first, result)


def _order(
    new_uow: Callable[[], UnitOfWork],
    customer_id: str,
    skus: tuple[str, ...],
    at: datetime,
    result: SimulationResult,
) -> None:
    result.orders += 1
    order_id = f"{customer_id}-{result.orders}"
    with new_uow() as work:
        work.session.add(
            Order(
                id=order_id,
                customer_id=customer_id,
                status="delivered",
                placed_at=at,
                region="United Kingdom",
                source="simulated",
            )
        )
        for index, sku in enumerate(skus):
            price = BY_SKU[sku].price
            work.session.add(
                OrderLine(
                    order_id=order_id, line_key=str(index), sku=sku, quantity=1, unit_price=Decimal(price)
                )
            )
        work.commit()


def _chat(
    new_uow: Callable[[], UnitOfWork],
    offers: OfferService,
    customer_id: str,
    day: str,
    now: datetime,
    luck: random.Random,
    rates: Rates,
    result: SimulationResult,
) -> None:
    result.conversations += 1
    channel = luck.choice(CHANNELS)
    conversation = f"sim:{customer_id}:{day}"
    checkout = luck.random() < rates.checkout_share
    context = ConversationContext(
        customer_id=customer_id,
        conversation_id=conversation,
        channel=channel,
        stage="checkout" if checkout else "support",
        user_turns=2,
        moment="cart_question" if checkout else "resolved_request",
        cart=(CartLine("CAM-X100"),) if checkout else (),
        region="United Kingdom",
    )
    decision = offers.decide_and_record(context, now)
    offer = decision.offer
    later = now + timedelta(minutes=1)
    if luck.random() < (rates.signal_with_offer if offer else rates.signal_without_offer):
        kind: SignalKind = luck.choice((FRUSTRATED, FALLBACK, HANDOFF))
        record_signal(new_uow, kind, channel, conversation, later)
    if offer is None:
        return
    result.offers += 1
    accept = rates.accept_discounted if offer.discount_percent else rates.accept
    draw = luck.random()
    kind_of_answer = ACCEPTED if draw < accept else DECLINED if draw < accept + rates.decline else IGNORED
    offers.record_response(customer_id, offer_to_slot(offer), kind_of_answer, channel, conversation, later)
    result.answers += 1
    if kind_of_answer == DECLINED and luck.random() < rates.opt_out_after_decline:
        offers.set_consent(customer_id, False, channel, conversation, later)
    if kind_of_answer == ACCEPTED and not offer.is_subscription and luck.random() < rates.accepted_paid:
        paid_at = now + timedelta(days=luck.uniform(0.1, 3))
        _order(new_uow, customer_id, (offer.target_sku,), paid_at, result)
