"""Repositories: the only place that builds queries against the shop tables.

Every read that returns customer data takes the customer id, so a caller can
never fetch another customer's order by guessing its number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.util import AliasedClass
from sqlalchemy.sql import ColumnElement

from tactful.store.models import (
    Cart,
    CartItem,
    ChannelIdentity,
    Customer,
    Handoff,
    HandoffMessage,
    LinkCode,
    OfferEventRow,
    Order,
    OrderLine,
    Product,
    ProductCompatibility,
    ReturnRequest,
    SupportCase,
)
from tactful.store.offer_history import LOCK_CUSTOMER

_ANSWER_KINDS = ("accepted", "declined")


class CustomerRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, customer_id: str) -> Customer | None:
        return self._session.get(Customer, customer_id)

    def find_by_email(self, email: str) -> Customer | None:
        """The one customer with this email (any case); None if none or ambiguous."""
        rows = self._session.scalars(
            select(Customer).where(func.lower(Customer.email) == email.strip().lower()).limit(2)
        ).all()
        return rows[0] if len(rows) == 1 else None

    def lock_for_offer(self, customer_id: str) -> bool:
        """Serialise offer decisions for one customer across processes.

        Locks the customer's row until the unit of work ends (see
        offer_history.LOCK_CUSTOMER). Returns False when the customer does not
        exist.
        """
        return self._session.execute(LOCK_CUSTOMER, {"customer_id": customer_id}).first() is not None


class ProductRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, sku: str) -> Product | None:
        return self._session.get(Product, sku)

    def offerable(self) -> Sequence[Product]:
        return self._session.scalars(select(Product).where(Product.offerable.is_(True))).all()

    def all(self) -> Sequence[Product]:
        return self._session.scalars(select(Product)).all()

    def compatibility_pairs(self) -> Sequence[tuple[str, str]]:
        rows = self._session.execute(
            select(ProductCompatibility.sku, ProductCompatibility.compatible_sku)
        ).all()
        return [(row[0], row[1]) for row in rows]

    def find_by_name(self, text: str, limit: int = 5) -> Sequence[Product]:
        pattern = f"%{text.strip().lower()}%"
        return self._session.scalars(
            select(Product)
            .where(Product.offerable.is_(True))
            .where(
                (func.lower(Product.name).like(pattern)) | (func.lower(Product.sku) == text.strip().lower())
            )
            .order_by(Product.name)
            .limit(limit)
        ).all()


class OrderRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def recent_for_customer(self, customer_id: str, limit: int = 3) -> Sequence[Order]:
        return self._session.scalars(
            select(Order)
            .where(Order.customer_id == customer_id)
            .order_by(Order.placed_at.desc(), Order.id.desc())
            .limit(limit)
        ).all()

    def get_for_customer(self, order_id: str, customer_id: str) -> Order | None:
        return self._session.scalars(
            select(Order).where(Order.id == order_id).where(Order.customer_id == customer_id)
        ).first()

    def purchases_for_customer(self, customer_id: str, since: datetime | None = None) -> Sequence:
        """(sku, placed_at, status, quantity) rows for the offer engine."""
        query = (
            select(OrderLine.sku, Order.placed_at, Order.status, OrderLine.quantity)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.customer_id == customer_id)
        )
        if since is not None:
            query = query.where(Order.placed_at >= since)
        return self._session.execute(query).all()

    def offerable_baskets(self) -> list[list[str]]:
        """Every order's offerable SKUs (orders without a customer included),
        the input of co-purchase mining."""
        rows = self._session.execute(
            select(OrderLine.order_id, OrderLine.sku)
            .join(Product, Product.sku == OrderLine.sku)
            .where(Product.offerable.is_(True))
        )
        baskets: dict[str, list[str]] = defaultdict(list)
        for order_id, sku in rows:
            baskets[order_id].append(sku)
        return list(baskets.values())


class ReturnRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, order_id: str, customer_id: str, reason: str | None, now: datetime) -> ReturnRequest:
        request = ReturnRequest(
            order_id=order_id, customer_id=customer_id, reason=reason, status="open", created_at=now
        )
        self._session.add(request)
        self._session.flush()
        return request

    def open_for_order(self, order_id: str) -> ReturnRequest | None:
        return self._session.scalars(
            select(ReturnRequest)
            .where(ReturnRequest.order_id == order_id)
            .where(ReturnRequest.status == "open")
        ).first()


class SupportCaseRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, case: SupportCase) -> SupportCase:
        self._session.add(case)
        self._session.flush()
        return case

    def open_for_customer(self, customer_id: str) -> Sequence[SupportCase]:
        return self._session.scalars(
            select(SupportCase)
            .where(SupportCase.customer_id == customer_id)
            .where(SupportCase.status == "open")
        ).all()


class CartRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, cart_id: str) -> Cart | None:
        return self._session.get(Cart, cart_id)

    def for_customer(self, customer_id: str) -> Cart | None:
        return self._session.scalars(
            select(Cart).where(Cart.customer_id == customer_id).order_by(Cart.updated_at.desc())
        ).first()

    def get_or_create_for_customer(self, customer_id: str, now: datetime) -> Cart:
        cart = self.for_customer(customer_id)
        if cart is None:
            cart = Cart(id=f"cart-{customer_id}", customer_id=customer_id, updated_at=now)
            self._session.add(cart)
            self._session.flush()
        return cart

    def set_quantity(self, cart: Cart, sku: str, quantity: int, now: datetime) -> None:
        item = self._session.get(CartItem, (cart.id, sku))
        if quantity <= 0:
            if item is not None:
                self._session.delete(item)
        elif item is None:
            self._session.add(CartItem(cart_id=cart.id, sku=sku, quantity=quantity))
        else:
            item.quantity = quantity
        cart.updated_at = now
        self._session.flush()
        self._session.refresh(cart)


class IdentityRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def customer_for(self, channel: str, external_id: str) -> str | None:
        row = self._session.get(ChannelIdentity, (channel, external_id))
        return row.customer_id if row else None

    def link(self, channel: str, external_id: str, customer_id: str, now: datetime) -> None:
        row = self._session.get(ChannelIdentity, (channel, external_id))
        if row is None:
            self._session.add(
                ChannelIdentity(
                    channel=channel, external_id=external_id, customer_id=customer_id, verified_at=now
                )
            )
        else:
            row.customer_id = customer_id
            row.verified_at = now

    def pending_code(self, channel: str, external_id: str, for_update: bool = False) -> LinkCode | None:
        # for_update: concurrent guesses at one code must each count (row lock on PostgreSQL).
        return self._session.get(LinkCode, (channel, external_id), with_for_update=for_update or None)

    def save_code(self, code: LinkCode) -> None:
        self._session.merge(code)

    def drop_code(self, channel: str, external_id: str) -> None:
        row = self._session.get(LinkCode, (channel, external_id))
        if row is not None:
            self._session.delete(row)


class OfferEventRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, event: OfferEventRow) -> None:
        self._session.add(event)

    def add_all(self, events: Iterable[OfferEventRow]) -> None:
        self._session.add_all(list(events))

    def for_customer(self, customer_id: str, since: datetime) -> Sequence[OfferEventRow]:
        return self._session.scalars(
            select(OfferEventRow)
            .where(OfferEventRow.customer_id == customer_id)
            .where(OfferEventRow.at >= since)
            .where(OfferEventRow.kind != "decision")
            .order_by(OfferEventRow.at, OfferEventRow.id)
        ).all()

    def latest_consent_event(self, customer_id: str) -> OfferEventRow | None:
        """The newest opted_out / opted_in event, however old."""
        return self._session.scalars(
            select(OfferEventRow)
            .where(OfferEventRow.customer_id == customer_id)
            .where(OfferEventRow.kind.in_(("opted_out", "opted_in")))
            .order_by(OfferEventRow.at.desc(), OfferEventRow.id.desc())
            .limit(1)
        ).first()

    def latest_consent(self, customer_id: str) -> str | None:
        """'opted_out' or 'opted_in' (whichever is newest), or None."""
        row = self.latest_consent_event(customer_id)
        return row.kind if row is not None else None

    def in_conversation(self, conversation_id: str) -> Sequence[OfferEventRow]:
        return self._session.scalars(
            select(OfferEventRow)
            .where(OfferEventRow.conversation_id == conversation_id)
            .where(OfferEventRow.kind != "decision")
            .order_by(OfferEventRow.at, OfferEventRow.id)
        ).all()

    def unanswered_impression(
        self, customer_id: str, conversation_id: str, offer_id: str, variant_id: str | None
    ) -> OfferEventRow | None:
        """The newest impression of this offer shown to this customer in this
        conversation, unless they already accepted or declined it there."""
        answer = aliased(OfferEventRow)
        answered = (
            select(answer.id)
            .where(_same_offer(answer, customer_id, conversation_id, offer_id, variant_id))
            .where(answer.kind.in_(_ANSWER_KINDS))
            .exists()
        )
        return self._session.scalars(
            select(OfferEventRow)
            .where(_same_offer(OfferEventRow, customer_id, conversation_id, offer_id, variant_id))
            .where(OfferEventRow.kind == "impression")
            .where(~answered)
            .order_by(OfferEventRow.id.desc())
            .limit(1)
        ).first()

    def arm_counts(self) -> Sequence[tuple[str, str, str, int]]:
        """(offer_id, variant_id, kind, count) for accepted and declined events."""
        rows = self._session.execute(
            select(
                OfferEventRow.offer_id,
                OfferEventRow.variant_id,
                OfferEventRow.kind,
                func.count(),
            )
            .where(OfferEventRow.kind.in_(("accepted", "declined")))
            .group_by(OfferEventRow.offer_id, OfferEventRow.variant_id, OfferEventRow.kind)
        ).all()
        return [(r[0], r[1], r[2], int(r[3])) for r in rows]


def _same_offer(
    row: type[OfferEventRow] | AliasedClass,
    customer_id: str,
    conversation_id: str,
    offer_id: str,
    variant_id: str | None,
) -> ColumnElement:
    # Without a variant any variant of the offer matches.
    condition = (
        (row.customer_id == customer_id)
        & (row.conversation_id == conversation_id)
        & (row.offer_id == offer_id)
    )
    return condition & (row.variant_id == variant_id) if variant_id is not None else condition


class HandoffRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, handoff: Handoff) -> Handoff:
        self._session.add(handoff)
        self._session.flush()
        return handoff

    def active_for_conversation(self, conversation_id: str) -> Handoff | None:
        return self._session.scalars(
            select(Handoff)
            .where(Handoff.conversation_id == conversation_id)
            .where(Handoff.status.in_(("pending", "active")))
            .order_by(Handoff.id.desc())
        ).first()

    def pending_delivery(self, limit: int = 20) -> Sequence[Handoff]:
        return self._session.scalars(
            select(Handoff).where(Handoff.status == "pending").order_by(Handoff.id).limit(limit)
        ).all()

    def add_message(self, message: HandoffMessage) -> None:
        self._session.add(message)

    def undelivered_messages(self, handoff_id: int, direction: str | None = None) -> Sequence[HandoffMessage]:
        query = (
            select(HandoffMessage)
            .where(HandoffMessage.handoff_id == handoff_id)
            .where(HandoffMessage.delivered.is_(False))
        )
        if direction is not None:
            query = query.where(HandoffMessage.direction == direction)
        return self._session.scalars(query.order_by(HandoffMessage.id)).all()

    def get(self, handoff_id: int) -> Handoff | None:
        return self._session.get(Handoff, handoff_id)

    def get_message(self, message_id: int) -> HandoffMessage | None:
        return self._session.get(HandoffMessage, message_id)

    def latest_for_conversation(self, conversation_id: str) -> Handoff | None:
        return self._session.scalars(
            select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id.desc())
        ).first()

    def needing_delivery(self, limit: int = 20) -> Sequence[Handoff]:
        """Open handoffs the helpdesk has not fully received: the handoff itself or a customer message."""
        unsent = (
            select(HandoffMessage.id)
            .where(HandoffMessage.handoff_id == Handoff.id)
            .where(HandoffMessage.direction == "customer")
            .where(HandoffMessage.delivered.is_(False))
            .exists()
        )
        return self._session.scalars(
            select(Handoff)
            .where((Handoff.status == "pending") | ((Handoff.status == "active") & unsent))
            .order_by(Handoff.id)
            .limit(limit)
        ).all()

    def undelivered_to_customer(self, conversation_id: str) -> Sequence[HandoffMessage]:
        """Agent replies and notices waiting for a channel that cannot push (REST)."""
        return self._session.scalars(
            select(HandoffMessage)
            .join(Handoff, Handoff.id == HandoffMessage.handoff_id)
            .where(Handoff.conversation_id == conversation_id)
            .where(HandoffMessage.direction != "customer")
            .where(HandoffMessage.delivered.is_(False))
            .order_by(HandoffMessage.id)
        ).all()
