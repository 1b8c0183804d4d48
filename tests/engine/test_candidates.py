"""Candidate generation: one arm per variant, plus mined co-purchase rules."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from tactful.engine.candidates import build_candidates, mined_offer_id
from tactful.engine.model import CoPurchaseRule, Product
from tactful.engine.policy import Mining

from .factories import (
    NOW,
    bought,
    checkout_ctx,
    ctx,
    customer,
    default_policy,
    demo_catalog,
    event,
    only_rules,
    run,
)


def _catalog_with_mugs() -> dict[str, Product]:
    catalog = demo_catalog()
    for sku, name, price in (("MUG-1", "Red mug", "8.00"), ("MUG-2", "Blue mug", "9.00")):
        catalog[sku] = Product(sku=sku, name=name, category="mug", price=Decimal(price), stock=10)
    return catalog


def _rule(a: str, c: str, lift: float = 3.0, confidence: float = 0.5) -> CoPurchaseRule:
    return CoPurchaseRule(a, c, support=0.02, confidence=confidence, lift=lift)


def test_each_variant_is_its_own_arm() -> None:
    found = build_candidates(
        ctx(), customer(bought("CAM-X100", 6)), demo_catalog(), default_policy(), (), NOW
    )
    arms = sorted((c.offer_id, c.variant_id) for c in found.candidates)
    assert ("camera-memory-card", "plain") in arms
    assert ("camera-memory-card", "ten-off") in arms
    ten_off = next(c for c in found.candidates if c.variant_id == "ten-off")
    assert ten_off.final_price == Decimal("22.49")


def test_no_candidates_without_matching_history() -> None:
    decision = run(ctx(customer_id="C005"), customer(cid="C005"))  # brand-new customer
    assert decision.offer is None
    assert decision.reasons == ("none:no_candidates",)


def test_mined_rule_from_a_recent_purchase() -> None:
    catalog = _catalog_with_mugs()
    snapshot = customer(Purchase_mug := bought("MUG-1", 10, catalog=catalog))
    assert Purchase_mug.sku == "MUG-1"
    decision = run(ctx(), snapshot, catalog=catalog, mined=(_rule("MUG-1", "MUG-2"),))
    assert decision.offer is not None
    assert decision.offer.offer_id == mined_offer_id("MUG-2")
    assert decision.offer.source == "mined"
    money = default_policy().currency_symbol + "9.00"
    assert decision.offer.message == f"People who buy the Red mug often add the Blue mug ({money})."
    assert "Red mug" in decision.offer.reason


def test_mined_rule_from_the_cart_at_checkout() -> None:
    catalog = _catalog_with_mugs()
    decision = run(checkout_ctx("MUG-1"), customer(), catalog=catalog, mined=(_rule("MUG-1", "MUG-2"),))
    assert decision.offer is not None and decision.offer.target_sku == "MUG-2"


def test_mined_rule_needs_a_recent_antecedent() -> None:
    catalog = _catalog_with_mugs()
    old = customer(bought("MUG-1", 200, catalog=catalog))
    assert run(ctx(), old, catalog=catalog, mined=(_rule("MUG-1", "MUG-2"),)).offer is None


def test_mined_rules_below_policy_thresholds_are_ignored() -> None:
    catalog = _catalog_with_mugs()
    snapshot = customer(bought("MUG-1", 10, catalog=catalog))
    weak = (_rule("MUG-1", "MUG-2", lift=1.0), _rule("MUG-1", "MUG-2", confidence=0.01))
    assert run(ctx(), snapshot, catalog=catalog, mined=weak).offer is None


def test_mined_consequent_must_be_offerable_and_known() -> None:
    catalog = _catalog_with_mugs()
    catalog["MUG-2"] = replace(catalog["MUG-2"], offerable=False)
    snapshot = customer(bought("MUG-1", 10, catalog=catalog))
    rules = (_rule("MUG-1", "MUG-2"), _rule("MUG-1", "POST"))
    decision = run(ctx(), snapshot, catalog=catalog, mined=rules)
    assert decision.offer is None
    assert "excluded:not_offerable" in decision.reasons


def test_mining_never_reoffers_curated_products() -> None:
    # SD-64 belongs to the shop's own rules; a mined rule must not bring it back
    # (for example after the curated offer was declined).
    events = (event("declined", 20, "camera-memory-card", category="memory_card"),)
    snapshot = customer(bought("CAM-X100", 6), events=events)
    policy = only_rules(default_policy(), "camera-memory-card")
    decision = run(ctx(), snapshot, policy=policy, mined=(_rule("CAM-X100", "SD-64"),))
    assert decision.offer is None
    assert decision.reasons == ("suppressed:declined_90d",)


def test_declined_mined_offer_stays_off_whatever_the_antecedent() -> None:
    catalog = _catalog_with_mugs()
    catalog["MUG-3"] = Product(sku="MUG-3", name="Green mug", category="cup", price=Decimal("7"), stock=5)
    events = (event("declined", 30, mined_offer_id("MUG-2"), category="mug"),)
    snapshot = customer(bought("MUG-3", 10, catalog=catalog), events=events)
    decision = run(ctx(), snapshot, catalog=catalog, mined=(_rule("MUG-3", "MUG-2"),))
    assert decision.reasons == ("suppressed:declined_90d",)


def test_mined_offers_can_be_switched_off() -> None:
    catalog = _catalog_with_mugs()
    policy = default_policy(mining=Mining(enabled=False))
    snapshot = customer(bought("MUG-1", 10, catalog=catalog))
    assert (
        run(ctx(), snapshot, catalog=catalog, policy=policy, mined=(_rule("MUG-1", "MUG-2"),)).offer is None
    )


def test_mined_add_on_with_too_little_margin_is_skipped() -> None:
    catalog = _catalog_with_mugs()
    catalog["MUG-2"] = replace(catalog["MUG-2"], price=Decimal("2.00"))  # 0.60 margin
    snapshot = customer(bought("MUG-1", 10, catalog=catalog))
    decision = run(ctx(), snapshot, catalog=catalog, mined=(_rule("MUG-1", "MUG-2"),))
    assert decision.offer is None
    assert any("margin below minimum" in line for line in decision.trace)


def test_strongest_mined_rule_per_product_wins() -> None:
    catalog = _catalog_with_mugs()
    catalog["MUG-3"] = Product(sku="MUG-3", name="Green mug", category="cup", price=Decimal("7"), stock=5)
    snapshot = customer(bought("MUG-1", 10, catalog=catalog), bought("MUG-3", 5, catalog=catalog))
    rules = (_rule("MUG-1", "MUG-2", lift=2.0), _rule("MUG-3", "MUG-2", lift=9.0))
    found = build_candidates(ctx(), snapshot, catalog, default_policy(), rules, NOW)
    assert len(found.candidates) == 1
    source = found.candidates[0].source
    assert source is not None and source.product.sku == "MUG-3"
