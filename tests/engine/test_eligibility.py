"""Eligibility: triggers and every exclusion."""

from __future__ import annotations

from dataclasses import replace

from tactful.engine.policy import Exclusions

from .factories import (
    bought,
    checkout_ctx,
    ctx,
    customer,
    default_policy,
    demo_catalog,
    only_rules,
    run,
)


def _policy(*ids: str):
    return only_rules(default_policy(), *ids)


def test_trigger_days_since_purchase_window() -> None:
    policy = _policy("laptop-sleeve")  # owns LAP-13 bought 0..45 days ago
    assert run(ctx(), customer(bought("LAP-13", 45)), policy=policy).offer is not None
    late = run(ctx(), customer(bought("LAP-13", 46)), policy=policy)
    assert late.offer is None and late.reasons == ("none:no_candidates",)


def test_cancelled_or_returned_purchase_does_not_trigger() -> None:
    policy = _policy("laptop-sleeve")
    for status in ("cancelled", "returned"):
        decision = run(ctx(), customer(bought("LAP-13", 3, status=status)), policy=policy)
        assert decision.offer is None


def test_placed_and_shipped_orders_count_as_owned() -> None:
    policy = _policy("laptop-sleeve")
    for status in ("placed", "shipped"):
        assert run(ctx(), customer(bought("LAP-13", 3, status=status)), policy=policy).offer


def test_excluded_when_customer_owns_the_target() -> None:
    decision = run(ctx(), customer(bought("LAP-13", 3), bought("SLV-13", 2)), policy=_policy("laptop-sleeve"))
    assert decision.reasons == ("excluded:owns_target",)


def test_excluded_when_something_fills_the_same_need() -> None:
    # Owns a 128 GB card: the 64 GB card does the same job.
    decision = run(
        ctx(), customer(bought("CAM-X100", 6), bought("SD-128", 6)), policy=_policy("camera-memory-card")
    )
    assert decision.reasons == ("excluded:owns_same_need",)


def test_same_need_can_be_switched_off_per_rule() -> None:
    policy = _policy("camera-memory-card")
    rule = replace(policy.offers[0], exclusions=Exclusions(same_need=False))
    policy = replace(policy, offers=(rule,))
    assert run(ctx(), customer(bought("CAM-X100", 6), bought("SD-128", 6)), policy=policy).offer


def test_returned_target_is_never_offered_again() -> None:
    # Demo customer C003: returned the SD-64.
    decision = run(
        ctx(),
        customer(bought("CAM-X100", 20), bought("SD-64", 15, status="returned")),
        policy=_policy("camera-memory-card"),
    )
    assert decision.reasons == ("excluded:returned_target",)


def test_out_of_stock_target() -> None:
    catalog = demo_catalog()
    catalog["SLV-13"] = replace(catalog["SLV-13"], stock=0)
    decision = run(ctx(), customer(bought("LAP-13", 3)), policy=_policy("laptop-sleeve"), catalog=catalog)
    assert decision.reasons == ("excluded:out_of_stock",)


def test_subscriptions_have_no_stock_to_run_out_of() -> None:
    catalog = demo_catalog()
    catalog["PLAN-PRO"] = replace(catalog["PLAN-PRO"], stock=0)
    policy = _policy("plan-upgrade")
    rule = replace(policy.offers[0], exclusions=Exclusions(out_of_stock=True))
    policy = replace(policy, offers=(rule,))
    decision = run(ctx(), customer(bought("PLAN-BASIC", 60)), policy=policy, catalog=catalog)
    assert decision.offer is not None
    assert decision.offer.target_sku == "PLAN-PRO"


def test_product_not_offered_in_the_customers_region() -> None:
    catalog = demo_catalog()
    catalog["SLV-13"] = replace(catalog["SLV-13"], offer_regions=frozenset({"US"}))
    decision = run(
        ctx(region="UK"), customer(bought("LAP-13", 3)), policy=_policy("laptop-sleeve"), catalog=catalog
    )
    assert decision.reasons == ("excluded:region",)
    assert run(
        ctx(region="US"), customer(bought("LAP-13", 3)), policy=_policy("laptop-sleeve"), catalog=catalog
    ).offer


def test_unknown_region_fails_a_region_restriction() -> None:
    catalog = demo_catalog()
    catalog["SLV-13"] = replace(catalog["SLV-13"], offer_regions=frozenset({"US"}))
    snapshot = replace(customer(bought("LAP-13", 3)), region=None)
    decision = run(ctx(region=None), snapshot, policy=_policy("laptop-sleeve"), catalog=catalog)
    assert decision.reasons == ("excluded:region",)


def test_rule_region_deny_list() -> None:
    policy = _policy("laptop-sleeve")
    rule = replace(policy.offers[0], exclusions=Exclusions(regions=frozenset({"UK"})))
    decision = run(ctx(region="UK"), customer(bought("LAP-13", 3)), policy=replace(policy, offers=(rule,)))
    assert decision.reasons == ("excluded:region",)


def test_channel_not_allowed_by_rule_product_or_deny_list() -> None:
    policy = _policy("laptop-sleeve")
    allow_web = replace(policy.offers[0], channels=frozenset({"socketio"}))
    deny_sms = replace(policy.offers[0], exclusions=Exclusions(channels=frozenset({"twilio"})))
    snapshot = customer(bought("LAP-13", 3))
    for rule in (allow_web, deny_sms):
        decision = run(ctx(channel="twilio"), snapshot, policy=replace(policy, offers=(rule,)))
        assert decision.reasons == ("excluded:channel",)
    catalog = demo_catalog()
    catalog["SLV-13"] = replace(catalog["SLV-13"], offer_channels=frozenset({"socketio"}))
    decision = run(ctx(channel="slack"), snapshot, policy=policy, catalog=catalog)
    assert decision.reasons == ("excluded:channel",)


def test_stage_not_allowed() -> None:
    policy = _policy("camera-memory-card")  # stages: [support]
    decision = run(checkout_ctx("SD-128"), customer(bought("CAM-X100", 6)), policy=policy)
    assert "excluded:stage" in decision.reasons


def test_not_offerable_product() -> None:
    catalog = demo_catalog()
    catalog["SLV-13"] = replace(catalog["SLV-13"], offerable=False)
    decision = run(ctx(), customer(bought("LAP-13", 3)), policy=_policy("laptop-sleeve"), catalog=catalog)
    assert decision.reasons == ("excluded:not_offerable",)


def test_policy_target_missing_from_catalog_is_reported() -> None:
    catalog = demo_catalog()
    del catalog["SLV-13"]
    decision = run(ctx(), customer(bought("LAP-13", 3)), policy=_policy("laptop-sleeve"), catalog=catalog)
    assert decision.reasons == ("excluded:unknown_sku",)


def test_top_plan_has_no_upgrade() -> None:
    # Demo customer C002 is on PLAN-BUSINESS.
    decision = run(ctx(), customer(bought("PLAN-BUSINESS", 90)), policy=_policy("plan-upgrade"))
    assert decision.reasons == ("none:no_candidates",)
    assert any("no purchase matches" in line or "no upgrade" in line for line in decision.trace)


def test_upgrade_is_not_excluded_by_the_plan_it_replaces() -> None:
    # PLAN-BASIC shares the need group with PLAN-PRO; that is what an upgrade is.
    decision = run(ctx(), customer(bought("PLAN-BASIC", 60)), policy=_policy("plan-upgrade"))
    assert decision.offer is not None and decision.offer.kind == "upsell"
    assert decision.offer.link is not None and decision.offer.link.startswith("/account/upgrade")


def test_upgrade_target_already_owned() -> None:
    decision = run(
        ctx(), customer(bought("HP-100", 20), bought("HP-200", 10)), policy=_policy("headphones-upgrade")
    )
    assert decision.reasons == ("excluded:owns_target",)


def test_plan_tier_trigger() -> None:
    # PLAN-PRO (tier 2) may upgrade to Business; tier max 2 allows it.
    decision = run(ctx(), customer(bought("PLAN-PRO", 40)), policy=_policy("plan-upgrade"))
    assert decision.offer is not None and decision.offer.target_sku == "PLAN-BUSINESS"


def test_plan_upgrade_needs_thirty_days() -> None:
    decision = run(ctx(), customer(bought("PLAN-BASIC", 29)), policy=_policy("plan-upgrade"))
    assert decision.offer is None


def test_checkout_offer_must_relate_to_the_cart() -> None:
    policy = _policy("checkout-memory-card", "camera-bag", "laptop-sleeve")
    # The laptop sleeve rule fires (bought a laptop), but the cart holds a tripod.
    decision = run(checkout_ctx("TRIPOD-T1"), customer(bought("LAP-13", 3)), policy=policy)
    assert decision.offer is None
    assert "excluded:not_cart_related" in decision.reasons


def test_checkout_cart_holding_a_camera() -> None:
    # Demo customer C010: cart holds CAM-X200 -> memory card or bag.
    policy = _policy("checkout-memory-card", "camera-bag")
    decision = run(checkout_ctx("CAM-X200"), customer(cid="C010"), policy=policy)
    assert decision.offer is not None
    assert decision.offer.target_sku in {"SD-64", "BAG-CAM"}
    assert "CAM-X200" not in decision.offer.message  # names the product, not the sku
    assert "Aurora X200 camera" in decision.offer.message


def test_target_already_in_cart_is_not_offered() -> None:
    policy = _policy("checkout-memory-card")
    decision = run(checkout_ctx("CAM-X200", "SD-64"), customer(cid="C010"), policy=policy)
    assert decision.reasons == ("excluded:owns_target",)
