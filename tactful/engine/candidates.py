"""Candidate offers: the shop's rules plus mined co-purchase rules, filtered.

Each candidate is one arm (offer x variant). A rule that fires but is blocked
for this customer (shown recently, declined, excluded) leaves its reason codes,
so a "no offer" decision can say exactly why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from tactful.engine import reasons as R
from tactful.engine.caps import same_offer_capped
from tactful.engine.eligibility import Source, cart_skus, exclusions_for, match_rule
from tactful.engine.model import (
    ConversationContext,
    CoPurchaseRule,
    CustomerSnapshot,
    OfferEvent,
    Product,
)
from tactful.engine.policy_model import Exclusions, Policy
from tactful.engine.suppression import category_suppressed, offer_suppressed
from tactful.engine.templates import discounted


@dataclass(frozen=True)
class Candidate:
    offer_id: str
    variant_id: str
    kind: str
    origin: str  # "policy" or "mined"
    target: Product
    source: Source | None
    message_template: str
    reason_template: str
    discount_percent: Decimal
    accept_label: str
    upgrade: bool = False

    @property
    def final_price(self) -> Decimal:
        return discounted(self.target.price, self.discount_percent)


@dataclass
class CandidateSet:
    candidates: list[Candidate] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)


def mined_offer_id(consequent: str) -> str:
    # Keyed on the product only: a product declined after one mined rule must not
    # come back through another rule with a different antecedent.
    return f"mined:{consequent}"


def _offer_blocks(
    events: Sequence[OfferEvent], offer_id: str, category: str, now: datetime, policy: Policy
) -> list[str]:
    codes: list[str] = []
    if same_offer_capped(events, offer_id, now, policy):
        codes.append(R.CAP_SAME_OFFER)
    if offer_suppressed(events, offer_id, now, policy.declines):
        codes.append(R.SUPPRESSED_DECLINED)
    if category_suppressed(events, category, now, policy.declines):
        codes.append(R.SUPPRESSED_CATEGORY)
    return codes


def _policy_candidates(
    out: CandidateSet,
    ctx: ConversationContext,
    customer: CustomerSnapshot | None,
    catalog: Mapping[str, Product],
    policy: Policy,
    now: datetime,
) -> None:
    events = customer.events if customer else ()
    for rule in policy.offers:
        match, note = match_rule(rule, ctx, customer, catalog, now)
        if match is None:
            out.trace.append(f"rule {rule.id}: not triggered ({note})")
            continue
        target = match.target
        if target is None:
            codes = [R.EXCLUDED_UNKNOWN_SKU]
        else:
            codes = _offer_blocks(events, rule.id, target.category, now, policy)
            codes += exclusions_for(
                target,
                rule.kind,
                ctx,
                customer,
                catalog,
                rule.exclusions,
                source=match.source,
                allowed_channels=rule.channels,
                allowed_stages=rule.stages,
            )
        if codes or target is None:
            out.blocked.extend(codes)
            out.trace.append(f"rule {rule.id}: {note} -> {match.target_sku} blocked {codes}")
            continue
        out.trace.append(f"rule {rule.id}: {note} -> {target.sku} eligible")
        for variant in rule.variants:
            out.candidates.append(
                Candidate(
                    offer_id=rule.id,
                    variant_id=variant.id,
                    kind=rule.kind,
                    origin="policy",
                    target=target,
                    source=match.source,
                    message_template=variant.message,
                    reason_template=rule.reason,
                    discount_percent=variant.discount_percent,
                    accept_label=rule.accept_label,
                    upgrade=rule.target.upgrade,
                )
            )


def _held_items(
    ctx: ConversationContext,
    customer: CustomerSnapshot | None,
    catalog: Mapping[str, Product],
    policy: Policy,
    now: datetime,
) -> dict[str, Source]:
    """What the customer has bought recently or holds in the cart, by sku."""
    held: dict[str, Source] = {}
    for sku in cart_skus(ctx):
        if sku in catalog:
            held[sku] = Source(catalog[sku], None, in_cart=True)
    horizon = timedelta(days=policy.mining.recent_days)
    purchases = sorted(customer.purchases if customer else (), key=lambda p: p.at, reverse=True)
    for purchase in purchases:
        if purchase.kept and now - purchase.at < horizon and purchase.sku in catalog:
            held.setdefault(purchase.sku, Source(catalog[purchase.sku], purchase.at, False))
    return held


def _mined_candidates(
    out: CandidateSet,
    ctx: ConversationContext,
    customer: CustomerSnapshot | None,
    catalog: Mapping[str, Product],
    policy: Policy,
    mined: Sequence[CoPurchaseRule],
    now: datetime,
) -> None:
    settings = policy.mining
    if not settings.enabled or not mined:
        return
    held = _held_items(ctx, customer, catalog, policy, now)
    if not held:
        return
    # Products the shop wrote rules for are curated: mining never re-offers them.
    curated = {r.target.sku for r in policy.offers if r.target.sku}
    curated |= {c.target.sku for c in out.candidates}
    strongest: dict[str, CoPurchaseRule] = {}
    usable = [
        r
        for r in mined
        if r.lift > 1.0
        and r.lift >= settings.min_lift
        and r.confidence >= settings.min_confidence
        and r.support >= settings.min_support
    ]
    usable.sort(key=lambda r: (-r.lift, -r.confidence))
    for rule in usable[: settings.max_rules]:
        if rule.antecedent not in held or rule.consequent in curated:
            continue
        if rule.consequent not in strongest:
            strongest[rule.consequent] = rule
    events = customer.events if customer else ()
    for consequent, rule in sorted(strongest.items()):
        target = catalog.get(consequent)
        offer_id = mined_offer_id(consequent)
        if target is None:
            continue
        codes = _offer_blocks(events, offer_id, target.category, now, policy)
        codes += exclusions_for(
            target,
            "cross_sell",
            ctx,
            customer,
            catalog,
            Exclusions(),
            source=held[rule.antecedent],
        )
        margin_rate = target.margin_rate if target.margin_rate is not None else policy.default_margin_rate
        if not codes and target.price * margin_rate < settings.min_margin:
            out.trace.append(f"mined {rule.antecedent}->{consequent}: margin below minimum")
            continue
        if codes:
            out.blocked.extend(codes)
            out.trace.append(f"mined {rule.antecedent}->{consequent}: blocked {codes}")
            continue
        out.trace.append(
            f"mined {rule.antecedent}->{consequent}: eligible "
            f"(lift {rule.lift:.1f}, confidence {rule.confidence:.2f})"
        )
        out.candidates.append(
            Candidate(
                offer_id=offer_id,
                variant_id="default",
                kind="cross_sell",
                origin="mined",
                target=target,
                source=held[rule.antecedent],
                message_template=policy.mined_message,
                reason_template=(
                    "People who buy the {trigger_name} often buy the {target_name} too, "
                    "going by our shop's orders."
                ),
                discount_percent=Decimal(0),
                accept_label="Add to cart",
            )
        )


def build_candidates(
    ctx: ConversationContext,
    customer: CustomerSnapshot | None,
    catalog: Mapping[str, Product],
    policy: Policy,
    mined: Sequence[CoPurchaseRule],
    now: datetime,
) -> CandidateSet:
    out = CandidateSet()
    _policy_candidates(out, ctx, customer, catalog, policy, now)
    _mined_candidates(out, ctx, customer, catalog, policy, mined, now)
    return out
