"""Plain value objects the offer engine reads and returns.

The engine is a pure function of these objects. The store builds them from
database rows and the actions build the conversation context from a tracker, so
nothing here knows about Rasa or SQL. Everything is frozen so a decision can
never change its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

# Purchases in these states mean the customer has (or will have) the product.
KEPT_STATUSES = frozenset({"placed", "shipped", "delivered"})
OFFER_KINDS = ("upsell", "cross_sell")


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    category: str
    price: Decimal
    margin_rate: Decimal | None = None
    stock: int = 0
    upgrade_to: str | None = None
    tier: int | None = None
    need_group: str | None = None
    compatible_with: frozenset[str] = frozenset()
    # None means "no restriction" (every region / every channel).
    offer_regions: frozenset[str] | None = None
    offer_channels: frozenset[str] | None = None
    offerable: bool = True
    # Subscriptions have no stock to run out of.
    is_subscription: bool = False


@dataclass(frozen=True)
class Purchase:
    sku: str
    category: str
    at: datetime
    status: str
    quantity: int = 1

    @property
    def kept(self) -> bool:
        return self.status in KEPT_STATUSES and self.quantity > 0


@dataclass(frozen=True)
class OfferEvent:
    kind: str
    offer_id: str | None
    variant_id: str | None
    category: str | None
    at: datetime
    conversation_id: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class CustomerSnapshot:
    """One customer as the engine sees them.

    ``events`` are this customer's offer events on every channel, oldest first
    (equal timestamps keep the order the store gave). The store must include:
    - every event of the last ``required_history_days(policy)`` days (~120);
    - every event of the current conversation, however old (the per-conversation cap);
    - the latest opted_out/opted_in event, however old (or an old opt-out lapses).
    """

    customer_id: str
    region: str | None
    purchases: tuple[Purchase, ...] = ()
    events: tuple[OfferEvent, ...] = ()


@dataclass(frozen=True)
class CartLine:
    sku: str
    quantity: int = 1


@dataclass(frozen=True)
class ConversationContext:
    customer_id: str | None
    conversation_id: str
    channel: str
    stage: str = "support"
    user_turns: int = 1
    moment: str = "other"
    open_issues: frozenset[str] = frozenset()
    frustrated: bool = False
    consecutive_fallbacks: int = 0
    handoff: bool = False
    cart: tuple[CartLine, ...] = ()
    region: str | None = None


@dataclass(frozen=True)
class ArmStats:
    accepts: int = 0
    declines: int = 0


@dataclass(frozen=True)
class CoPurchaseRule:
    """A mined rule "people who buy ``antecedent`` often add ``consequent``"."""

    antecedent: str
    consequent: str
    support: float
    confidence: float
    lift: float


@dataclass(frozen=True)
class Offer:
    offer_id: str
    variant_id: str
    kind: str
    target_sku: str
    target_name: str
    category: str
    price: Decimal
    discount_percent: Decimal
    final_price: Decimal
    message: str
    reason: str
    accept_label: str
    decline_label: str = "No thanks"
    link: str | None = None
    # A plan or other subscription: accepting means following the upgrade link,
    # not putting a line in the cart.
    is_subscription: bool = False
    # "policy" for a shop rule, "mined" for a co-purchase rule.
    source: str = "policy"


@dataclass(frozen=True)
class Decision:
    offer: Offer | None
    reasons: tuple[str, ...]
    trace: tuple[str, ...] = field(default=())

    @property
    def made_offer(self) -> bool:
        return self.offer is not None
