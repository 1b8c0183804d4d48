"""The validated offer policy, as frozen values.

Defaults here are the defaults of docs/policy.md, so a policy file only needs to
list what the shop changes. The file's schema, which validates it and builds
these values, lives in ``policy_schema`` and ``policy_rules``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# Channel names as Rasa reports them (``tracker.get_latest_input_channel()``),
# plus "agent" for offers a human agent mentions from the helpdesk.
KNOWN_CHANNELS = frozenset(
    {
        "socketio",
        "rest",
        "slack",
        "facebook",
        "twilio",
        "telegram",
        "callback",
        "cmdline",
        "agent",
    }
)
KNOWN_STAGES = frozenset({"support", "checkout"})


@dataclass(frozen=True)
class WindowCap:
    max: int = 2
    days: int = 7


@dataclass(frozen=True)
class Caps:
    per_conversation: int = 1
    per_customer_window: WindowCap = WindowCap()
    same_offer_days: int = 30


@dataclass(frozen=True)
class Declines:
    offer_suppression_days: int = 90
    category_suppression_days: int = 14
    pause_after: int = 2
    pause_window_days: int = 30
    pause_days: int = 30


@dataclass(frozen=True)
class Holdout:
    share: float = 0.10
    salt: str = "tactful-holdout-v1"


@dataclass(frozen=True)
class Channels:
    """Offers on/off per channel; channels not listed use ``default``."""

    default: bool = True
    switches: tuple[tuple[str, bool], ...] = ()

    def offers_on(self, channel: str) -> bool:
        return dict(self.switches).get(channel, self.default)


@dataclass(frozen=True)
class Frustration:
    fallbacks: int = 2


@dataclass(frozen=True)
class Mining:
    enabled: bool = True
    min_support: float = 0.005
    min_confidence: float = 0.3
    min_lift: float = 1.5
    max_rules: int = 500
    # A mined antecedent counts if bought within this many days (or in the cart).
    recent_days: int = 90
    # Skip mined add-ons whose margin (final price x margin rate) is below this.
    min_margin: Decimal = Decimal("1.00")


@dataclass(frozen=True)
class Links:
    add_to_cart: str = "/cart/add?sku={sku}&offer={offer_id}&variant={variant_id}"
    upgrade: str = "/account/upgrade?sku={sku}&offer={offer_id}&variant={variant_id}"


@dataclass(frozen=True)
class IntRange:
    """An inclusive range; a missing bound is open."""

    min: int | None = None
    max: int | None = None

    def contains(self, value: int) -> bool:
        if self.min is not None and value < self.min:
            return False
        return self.max is None or value <= self.max


@dataclass(frozen=True)
class Trigger:
    owns_sku: frozenset[str] = frozenset()
    owns_category: frozenset[str] = frozenset()
    cart_sku: frozenset[str] = frozenset()
    cart_category: frozenset[str] = frozenset()
    plan_tier: IntRange | None = None
    days_since_purchase: IntRange | None = None
    stage: frozenset[str] = frozenset()

    @property
    def uses_purchases(self) -> bool:
        return bool(
            self.owns_sku
            or self.owns_category
            or self.plan_tier is not None
            or self.days_since_purchase is not None
        )

    @property
    def uses_cart(self) -> bool:
        return bool(self.cart_sku or self.cart_category)


@dataclass(frozen=True)
class Target:
    sku: str | None = None
    # True: the target is the trigger product's ``upgrade_to``.
    upgrade: bool = False


@dataclass(frozen=True)
class Exclusions:
    owns_target: bool = True
    same_need: bool = True
    returned_target: bool = True
    out_of_stock: bool = True
    # Deny lists: the rule is never offered in these regions / on these channels.
    regions: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Variant:
    id: str
    message: str
    discount_percent: Decimal


@dataclass(frozen=True)
class OfferRule:
    id: str
    kind: str
    trigger: Trigger
    target: Target
    variants: tuple[Variant, ...]
    reason: str
    accept_label: str
    exclusions: Exclusions = Exclusions()
    discount_percent: Decimal = Decimal(0)
    # Allow lists; empty means "all".
    channels: frozenset[str] = frozenset()
    stages: frozenset[str] = frozenset()
    line: int | None = None


@dataclass(frozen=True)
class Policy:
    caps: Caps = Caps()
    declines: Declines = Declines()
    holdout: Holdout = Holdout()
    default_margin_rate: Decimal = Decimal("0.30")
    currency_symbol: str = "$"
    channels: Channels = Channels()
    frustration: Frustration = Frustration()
    mining: Mining = Mining()
    links: Links = Links()
    mined_message: str = "People who buy the {trigger_name} often add the {target_name} ({final_price})."
    offers: tuple[OfferRule, ...] = field(default=())
    source: str = "<defaults>"

    def rule(self, offer_id: str) -> OfferRule | None:
        return next((r for r in self.offers if r.id == offer_id), None)
