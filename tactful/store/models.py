"""Table definitions for the shop database.

The shop database is separate from Rasa's tracker store. Money is stored as
``Numeric(12, 2)`` so SQLite and PostgreSQL round the same way.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.sql import text
from sqlalchemy.sql.schema import Column, MetaData, Table

from tactful.store.kinds import CASE_OPEN, HANDOFF_PENDING, SOURCE_BOT

# A naming convention keeps Alembic's generated constraint names stable on
# both SQLite and PostgreSQL.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
if TYPE_CHECKING:
    # SQLAlchemy 1.4 ships no type information: this is what mypy sees of the
    # declarative base (what the models use of it, and its keyword constructor).
    class Base:
        metadata: ClassVar[MetaData]
        __table__: ClassVar[Table]

        def __init__(self, **kwargs: Any) -> None: ...

else:
    Base = declarative_base(metadata=metadata)

Money = Numeric(12, 2)


class Customer(Base):
    __tablename__ = "customers"

    id = Column(String(64), primary_key=True)
    name = Column(String(200), nullable=True)
    email = Column(String(320), nullable=True)
    region = Column(String(100), nullable=True)
    created_at = Column(DateTime, nullable=False, default=datetime.utcnow)


class Product(Base):
    __tablename__ = "products"

    sku = Column(String(64), primary_key=True)
    name = Column(String(300), nullable=False)
    # How the assistant names the product inside a sentence ("PhotoCloud
    # Basic", not "PhotoCloud Basic plan (monthly)"); None falls back to the
    # name (tactful.services.support.sentence_name).
    short_name = Column(String(120), nullable=True)
    category = Column(String(100), nullable=False, default="general")
    price = Column(Money, nullable=False, default=Decimal("0"))
    margin_rate = Column(Numeric(5, 4), nullable=True)
    stock = Column(Integer, nullable=False, default=0)
    tier = Column(Integer, nullable=True)
    upgrade_to_sku = Column(String(64), ForeignKey("products.sku"), nullable=True)
    need_group = Column(String(100), nullable=True)
    description = Column(Text, nullable=True)
    includes = Column(Text, nullable=True)
    # None means "anywhere" / "any channel".
    offer_regions = Column(JSON, nullable=True)
    offer_channels = Column(JSON, nullable=True)
    # False for postage, discounts, manual lines and other non-product codes.
    offerable = Column(Boolean, nullable=False, default=True)
    is_subscription = Column(Boolean, nullable=False, default=False)


class ProductCompatibility(Base):
    __tablename__ = "product_compatibility"

    sku = Column(String(64), ForeignKey("products.sku"), primary_key=True)
    compatible_sku = Column(String(64), ForeignKey("products.sku"), primary_key=True)


class Order(Base):
    __tablename__ = "orders"

    id = Column(String(64), primary_key=True)
    customer_id = Column(String(64), ForeignKey("customers.id"), nullable=True)
    status = Column(String(20), nullable=False, default="placed")
    placed_at = Column(DateTime, nullable=False)
    shipped_at = Column(DateTime, nullable=True)
    delivered_at = Column(DateTime, nullable=True)
    expected_delivery = Column(DateTime, nullable=True)
    region = Column(String(100), nullable=True)
    source = Column(String(50), nullable=False, default="shop")
    lines = relationship("OrderLine", back_populates="order", lazy="selectin")

    # Covers a decision's read of the customer's orders (no heap visit) and
    # "recent orders" (customer, newest first).
    __table_args__ = (Index("ix_orders_customer_history", "customer_id", "placed_at", "id", "status"),)


class OrderLine(Base):
    __tablename__ = "order_lines"

    id = Column(Integer, primary_key=True, autoincrement=True)
    order_id = Column(String(64), ForeignKey("orders.id"), nullable=False)
    # Position-based key inside the order; makes re-imports idempotent.
    line_key = Column(String(100), nullable=False)
    sku = Column(String(64), nullable=False)
    description = Column(String(300), nullable=True)
    quantity = Column(Integer, nullable=False)
    unit_price = Column(Money, nullable=False)
    order = relationship("Order", back_populates="lines")

    __table_args__ = (
        UniqueConstraint("order_id", "line_key", name="uq_order_lines_order_key"),
        # Covers a decision's read of what each order holds.
        Index("ix_order_lines_order_items", "order_id", "sku", "quantity"),
        Index("ix_order_lines_sku", "sku"),
    )


class ReturnRequest(Base):
    __tablename__ = "return_requests"

    id = Column(Integer, primary_key=True, autoincrement=True)
    order_id = Column(String(64), ForeignKey("orders.id"), nullable=False)
    customer_id = Column(String(64), ForeignKey("customers.id"), nullable=False)
    reason = Column(String(300), nullable=True)
    status = Column(String(20), nullable=False, default=CASE_OPEN)
    created_at = Column(DateTime, nullable=False)


class SupportCase(Base):
    """An open problem (delivery, complaint, payment...) reported in chat."""

    __tablename__ = "support_cases"

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer_id = Column(String(64), ForeignKey("customers.id"), nullable=True)
    conversation_id = Column(String(200), nullable=True)
    kind = Column(String(30), nullable=False)
    order_id = Column(String(64), nullable=True)
    detail = Column(Text, nullable=True)
    status = Column(String(20), nullable=False, default=CASE_OPEN)
    created_at = Column(DateTime, nullable=False)
    resolved_at = Column(DateTime, nullable=True)


class Cart(Base):
    __tablename__ = "carts"

    id = Column(String(64), primary_key=True)
    customer_id = Column(String(64), ForeignKey("customers.id"), nullable=True)
    updated_at = Column(DateTime, nullable=False)
    items = relationship("CartItem", back_populates="cart", lazy="selectin", cascade="all, delete-orphan")

    __table_args__ = (Index("ix_carts_customer", "customer_id"),)


class CartItem(Base):
    __tablename__ = "cart_items"

    cart_id = Column(String(64), ForeignKey("carts.id"), primary_key=True)
    sku = Column(String(64), ForeignKey("products.sku"), primary_key=True)
    quantity = Column(Integer, nullable=False, default=1)
    cart = relationship("Cart", back_populates="items")


class ChannelIdentity(Base):
    """A messaging account (channel + sender) linked to a verified customer."""

    __tablename__ = "channel_identities"

    channel = Column(String(50), primary_key=True)
    external_id = Column(String(200), primary_key=True)
    customer_id = Column(String(64), ForeignKey("customers.id"), nullable=False)
    verified_at = Column(DateTime, nullable=False)


class LinkCode(Base):
    """A pending one-time code that links a messaging account to a customer."""

    __tablename__ = "link_codes"

    channel = Column(String(50), primary_key=True)
    external_id = Column(String(200), primary_key=True)
    customer_id = Column(String(64), nullable=True)
    code_hash = Column(String(128), nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    expires_at = Column(DateTime, nullable=False)
    # HMAC of the normalised email (tactful.linking.codes.account_key), set for
    # unknown emails too: the per-account limits count tries under it.
    account_key = Column(String(64), nullable=True)


_WHERE_ANSWER = {f"{db}_where": text("kind IN ('accepted', 'declined')") for db in ("postgresql", "sqlite")}


class OfferEventRow(Base):
    __tablename__ = "offer_events"

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer_id = Column(String(64), ForeignKey("customers.id"), nullable=True)
    kind = Column(String(20), nullable=False)
    offer_id = Column(String(100), nullable=True)
    variant_id = Column(String(100), nullable=True)
    category = Column(String(100), nullable=True)
    target_sku = Column(String(64), nullable=True)
    channel = Column(String(50), nullable=True)
    conversation_id = Column(String(200), nullable=True)
    reasons = Column(JSON, nullable=True)
    # A decision's trace (tactful.engine.decide), shown in the dashboard's customer lookup.
    trace = Column(JSON, nullable=True)
    price = Column(Money, nullable=True)
    source = Column(String(20), nullable=False, default=SOURCE_BOT)
    at = Column(DateTime, nullable=False)

    __table_args__ = (
        Index("ix_offer_events_customer_at", "customer_id", "at"),
        Index("ix_offer_events_offer_kind", "offer_id", "variant_id", "kind"),
        Index("ix_offer_events_conversation", "conversation_id"),
        # The ranking counts read only answers, a small share of all events.
        Index("ix_offer_events_answers", "offer_id", "variant_id", "kind", **_WHERE_ANSWER),
    )


class Handoff(Base):
    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(200), nullable=False)
    channel = Column(String(50), nullable=True)
    customer_id = Column(String(64), nullable=True)
    status = Column(String(20), nullable=False, default=HANDOFF_PENDING)
    reason = Column(String(50), nullable=False)
    summary = Column(JSON, nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(Text, nullable=True)
    created_at = Column(DateTime, nullable=False)
    delivered_at = Column(DateTime, nullable=True)
    closed_at = Column(DateTime, nullable=True)

    __table_args__ = (Index("ix_handoffs_conversation", "conversation_id"),)


class HandoffMessage(Base):
    """Customer messages forwarded to the helpdesk while the bot is paused."""

    __tablename__ = "handoff_messages"

    id = Column(Integer, primary_key=True, autoincrement=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id"), nullable=False)
    direction = Column(String(10), nullable=False)  # FROM_CUSTOMER, "agent" or "system"
    text = Column(Text, nullable=False)
    delivered = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime, nullable=False)


class MiningRun(Base):
    """The co-purchase rule set in force: one row, replaced by each `tactful mine`."""

    __tablename__ = "mining_runs"

    id = Column(Integer, primary_key=True, autoincrement=True)
    mined_at = Column(DateTime, nullable=False)
    baskets = Column(Integer, nullable=False)


class MinedRuleRow(Base):
    __tablename__ = "mined_rules"

    run_id = Column(Integer, ForeignKey("mining_runs.id", ondelete="CASCADE"), primary_key=True)
    # Strongest first, as the miner returned them.
    position = Column(Integer, primary_key=True)
    antecedent = Column(String(64), nullable=False)
    consequent = Column(String(64), nullable=False)
    support = Column(Float, nullable=False)
    confidence = Column(Float, nullable=False)
    lift = Column(Float, nullable=False)
