"""Eligibility of one offer rule for one customer (docs/architecture.md, "Eligibility").

Two questions, kept apart because they read differently in a trace:
- did the rule's trigger fire, and on which product (``match_rule``)?
- is the target excluded for this customer, here and now (``exclusions_for``)?
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from tactful.engine import reasons as R
from tactful.engine.model import ConversationContext, CustomerSnapshot, Product
from tactful.engine.policy_model import Exclusions, OfferRule


@dataclass(frozen=True)
class Source:
    """The product that triggered a rule: owned (with purchase time) or in the cart."""

    product: Product
    bought_at: datetime | None
    in_cart: bool


@dataclass(frozen=True)
class Match:
    """A rule whose trigger fired. ``target`` is None if its sku is not in the catalog."""

    rule_id: str
    target: Product | None
    target_sku: str
    source: Source | None


def owned_skus(customer: CustomerSnapshot | None) -> set[str]:
    if customer is None:
        return set()
    return {p.sku for p in customer.purchases if p.kept}


def cart_skus(ctx: ConversationContext) -> set[str]:
    return {line.sku for line in ctx.cart if line.quantity > 0}


def _purchase_sources(
    rule: OfferRule,
    customer: CustomerSnapshot | None,
    catalog: Mapping[str, Product],
    now: datetime,
) -> list[Source]:
    trigger = rule.trigger
    found: list[Source] = []
    for purchase in customer.purchases if customer else ():
        product = catalog.get(purchase.sku)
        if not purchase.kept or product is None:
            continue
        if (trigger.owns_sku or trigger.owns_category) and not (
            purchase.sku in trigger.owns_sku or purchase.category in trigger.owns_category
        ):
            continue
        age_days = (now - purchase.at).days
        if trigger.days_since_purchase and not trigger.days_since_purchase.contains(age_days):
            continue
        if trigger.plan_tier and (product.tier is None or not trigger.plan_tier.contains(product.tier)):
            continue
        found.append(Source(product, purchase.at, in_cart=False))
    # Newest purchase first: "You bought the X100 last week" names the latest one.
    found.sort(key=lambda s: s.bought_at or now, reverse=True)
    return found


def _cart_sources(rule: OfferRule, ctx: ConversationContext, catalog: Mapping[str, Product]) -> list[Source]:
    trigger = rule.trigger
    found: list[Source] = []
    for line in ctx.cart:
        product = catalog.get(line.sku)
        if product is None or line.quantity <= 0:
            continue
        if line.sku in trigger.cart_sku or product.category in trigger.cart_category:
            found.append(Source(product, None, in_cart=True))
    return found


def match_rule(
    rule: OfferRule,
    ctx: ConversationContext,
    customer: CustomerSnapshot | None,
    catalog: Mapping[str, Product],
    now: datetime,
) -> tuple[Match | None, str]:
    """(match, note). No match means the trigger did not fire (no reason code)."""
    trigger = rule.trigger
    if trigger.stage and ctx.stage not in trigger.stage:
        return None, f"trigger needs stage {sorted(trigger.stage)}"
    sources: list[Source] = []
    if trigger.uses_purchases:
        bought = _purchase_sources(rule, customer, catalog, now)
        if not bought:
            return None, "no purchase matches the trigger"
        sources.extend(bought)
    if trigger.uses_cart:
        in_cart = _cart_sources(rule, ctx, catalog)
        if not in_cart:
            return None, "cart does not match the trigger"
        # For a checkout offer the cart item is the better reason to name.
        sources = in_cart + sources
    if rule.target.upgrade:
        for owned in sources:
            upgrade = catalog.get(owned.product.upgrade_to or "")
            if upgrade is not None:
                note = f"upgrade of {owned.product.sku}"
                return Match(rule.id, upgrade, upgrade.sku, owned), note
        names = ", ".join(s.product.sku for s in sources) or "nothing"
        return None, f"no upgrade available for {names}"
    sku = rule.target.sku or ""
    first = sources[0] if sources else None
    note = f"triggered by {first.product.sku}" if first else "triggered by stage"
    # An unknown target still "matches", so a typo in the policy shows in traces.
    return Match(rule.id, catalog.get(sku), sku, first), note


def exclusions_for(
    target: Product,
    kind: str,
    ctx: ConversationContext,
    customer: CustomerSnapshot | None,
    catalog: Mapping[str, Product],
    exclusions: Exclusions,
    *,
    source: Source | None,
    allowed_channels: frozenset[str] = frozenset(),
    allowed_stages: frozenset[str] = frozenset(),
) -> list[str]:
    """Reason codes that exclude this target for this customer (empty: eligible)."""
    codes: list[str] = []
    owned = owned_skus(customer)
    in_cart = cart_skus(ctx)
    if not target.offerable:
        codes.append(R.EXCLUDED_NOT_OFFERABLE)
    if exclusions.owns_target and target.sku in owned | in_cart:
        codes.append(R.EXCLUDED_OWNS_TARGET)
    if exclusions.same_need and _fills_same_need(target, kind, owned | in_cart, catalog):
        codes.append(R.EXCLUDED_SAME_NEED)
    if exclusions.returned_target and customer is not None:
        if any(p.sku == target.sku and p.status == "returned" for p in customer.purchases):
            codes.append(R.EXCLUDED_RETURNED)
    if exclusions.out_of_stock and not target.is_subscription and target.stock <= 0:
        codes.append(R.EXCLUDED_OUT_OF_STOCK)
    region = ctx.region or (customer.region if customer else None)
    if (region is not None and region in exclusions.regions) or (
        target.offer_regions is not None and region not in target.offer_regions
    ):
        codes.append(R.EXCLUDED_REGION)
    if (
        ctx.channel in exclusions.channels
        or (allowed_channels and ctx.channel not in allowed_channels)
        or (target.offer_channels is not None and ctx.channel not in target.offer_channels)
    ):
        codes.append(R.EXCLUDED_CHANNEL)
    if allowed_stages and ctx.stage not in allowed_stages:
        codes.append(R.EXCLUDED_STAGE)
    if ctx.stage == "checkout" and not relates_to_cart(target, source, ctx, catalog):
        codes.append(R.EXCLUDED_NOT_CART_RELATED)
    return codes


def _fills_same_need(target: Product, kind: str, have: set[str], catalog: Mapping[str, Product]) -> bool:
    if target.need_group is None:
        return False
    for sku in have - {target.sku}:
        product = catalog.get(sku)
        if product is None or product.need_group != target.need_group:
            continue
        # An upgrade replaces a lower tier of the same need; that is the point of it.
        lower_tier = (
            kind == "upsell"
            and product.tier is not None
            and target.tier is not None
            and product.tier < target.tier
        )
        if not lower_tier:
            return True
    return False


def relates_to_cart(
    target: Product,
    source: Source | None,
    ctx: ConversationContext,
    catalog: Mapping[str, Product],
) -> bool:
    """At checkout an offer must be about what is in the cart (docs/architecture.md, "The moment")."""
    if source is not None and source.in_cart:
        return True
    in_cart = cart_skus(ctx)
    if target.compatible_with & in_cart:
        return True
    return any(target.sku in catalog[s].compatible_with for s in in_cart if s in catalog)
