"""A shop's own policy.yml keeps the build green.

The shipped file passes ``policy check``; so does a copy with every number
changed. Each check below then runs against both and reads its numbers from
the policy under test, never from a literal: a valid edit (a weekly cap of 3,
a 5% holdout) changes what is checked, not whether it passes. The other unit
tests build their own policies (tests/support/policies.py) and never read the
file.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tactful import cli
from tactful.engine.candidates import build_candidates
from tactful.engine.caps import caps_allow
from tactful.engine.eligibility import match_rule
from tactful.engine.gates import conversation_gate
from tactful.engine.history import required_history_days
from tactful.engine.holdout import in_holdout
from tactful.engine.model import ConversationContext, CoPurchaseRule, CustomerSnapshot, OfferEvent, Product
from tactful.engine.policy import Channels, Holdout, IntRange, OfferRule, Policy
from tactful.engine.suppression import is_paused, pause_end
from tactful.services.policy_file import check_file, load_policy
from tests.support.policies import SHIPPED_POLICY, build_policy, mutate_every_number, numbers

from .factories import NOW, bought, ctx, customer, demo_catalog, event, run

EPSILON = 10 / 86400  # ten seconds, in days


@pytest.fixture(scope="module")
def mutated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("shop") / "policy.yml"
    path.write_text(mutate_every_number(SHIPPED_POLICY.read_text(encoding="utf-8")), encoding="utf-8")
    return path


@pytest.fixture(params=["shipped", "mutated"])
def shop(request: pytest.FixtureRequest, mutated_file: Path) -> Policy:
    return load_policy(SHIPPED_POLICY if request.param == "shipped" else mutated_file)


def _numbers_only(policy: Policy) -> Policy:
    """The shop's numbers with every channel on and nobody held out, so each
    check below meets only the rule it is about."""
    return replace(policy, channels=Channels(), holdout=Holdout(share=0.0, salt="x"))


def test_the_shipped_policy_passes_the_check() -> None:
    assert check_file(SHIPPED_POLICY) == []


def test_a_copy_with_every_number_changed_passes_policy_check(
    mutated_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = numbers(YAML(typ="rt").load(SHIPPED_POLICY.read_text(encoding="utf-8")))
    mutated = numbers(YAML(typ="rt").load(mutated_file.read_text(encoding="utf-8")))
    assert shipped.keys() == mutated.keys() and len(shipped) > 1
    assert [path for path in shipped if shipped[path] == mutated[path]] == [("version",)]
    assert cli.main(["policy", "check", str(mutated_file)]) == cli.EXIT_OK
    assert capsys.readouterr().out == f"policy OK: {mutated_file}\n"
    # As a shop runs it.
    done = subprocess.run(
        [sys.executable, "-m", "tactful", "policy", "check", str(mutated_file)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def _codes(
    events: list[OfferEvent], policy: Policy, offer_id: str = "y", category: str | None = None
) -> list[str]:
    return caps_allow(events, "here", offer_id, NOW, policy, category=category)[1]


def _shown(days_ago: float, offer_id: str, conversation: str) -> OfferEvent:
    return event("impression", days_ago, offer_id, category="c", conversation_id=conversation)


def _declined(days_ago: float, offer_id: str, category: str) -> OfferEvent:
    return event("declined", days_ago, offer_id, category=category)


def test_per_conversation_cap(shop: Policy) -> None:
    cap = shop.caps.per_conversation
    here = [_shown(0.01, f"x{i}", "here") for i in range(cap)]
    assert "cap:conversation" in _codes(here, shop)
    if cap:
        assert "cap:conversation" not in _codes(here[1:], shop)


def test_rolling_window_cap(shop: Policy) -> None:
    window = shop.caps.per_customer_window
    recent = [_shown(0.01 * (i + 1), f"x{i}", f"c{i}") for i in range(window.max - 1)]
    if not window.max:
        assert "cap:weekly" in _codes([], shop)
        return
    assert "cap:weekly" in _codes([_shown(window.days - EPSILON, "old", "c-old"), *recent], shop)
    # Half-open: an impression exactly ``days`` old no longer counts.
    assert "cap:weekly" not in _codes([_shown(window.days, "old", "c-old"), *recent], shop)


def test_rolling_window_cap_in_a_whole_decision(shop: Policy) -> None:
    policy = replace(_numbers_only(shop), offers=_rules("laptop-sleeve"))
    window = policy.caps.per_customer_window
    shown = tuple(_shown(1 + i * EPSILON, f"x{i}", f"c{i}") for i in range(window.max))
    snapshot = customer(bought("LAP-13", 0.5), events=shown)
    assert "cap:weekly" in run(ctx(), snapshot, policy=policy).reasons
    later = NOW + timedelta(days=window.days - 1)  # the newest impression is now exactly ``days`` old
    assert "cap:weekly" not in run(ctx(), snapshot, policy=policy, now=later).reasons


def test_same_offer_cap(shop: Policy) -> None:
    days = shop.caps.same_offer_days
    assert "cap:same_offer_30d" in _codes([_shown(days - EPSILON, "y", "c")], shop)
    assert "cap:same_offer_30d" not in _codes([_shown(days, "y", "c")], shop)


def test_declined_offer_and_category_suppression(shop: Policy) -> None:
    offer_days = shop.declines.offer_suppression_days
    assert "suppressed:declined_90d" in _codes([_declined(offer_days - EPSILON, "y", "other")], shop)
    assert "suppressed:declined_90d" not in _codes([_declined(offer_days, "y", "other")], shop)
    days = shop.declines.category_suppression_days
    assert "suppressed:category_14d" in _codes([_declined(days - EPSILON, "z", "cat")], shop, category="cat")
    assert "suppressed:category_14d" not in _codes([_declined(days, "z", "cat")], shop, category="cat")


def test_decline_pause(shop: Policy) -> None:
    declines = shop.declines
    run_of = [_declined(1 + i * EPSILON, f"o{i}", f"c{i}") for i in range(declines.pause_after)]
    end = NOW - timedelta(days=1) + timedelta(days=declines.pause_days)
    assert pause_end(run_of, declines) == end
    assert is_paused(run_of, end - timedelta(seconds=1), declines)
    assert not is_paused(run_of, end, declines)
    if declines.pause_after > 1:
        assert pause_end(run_of[:-1], declines) is None
        # The run's first decline exactly pause_window_days before its last: no pause.
        spread = [*run_of[:-1], _declined(1 + declines.pause_window_days, "first", "c")]
        assert pause_end(spread, declines) is None


def test_frustration_threshold(shop: Policy) -> None:
    policy, fallbacks = _numbers_only(shop), shop.frustration.fallbacks
    assert "gate:fallbacks" not in conversation_gate(ctx(consecutive_fallbacks=fallbacks - 1), policy)
    assert "gate:fallbacks" in conversation_gate(ctx(consecutive_fallbacks=fallbacks), policy)


def test_holdout_share(shop: Policy) -> None:
    holdout = shop.holdout
    ids = [f"K{n}" for n in range(20_000)]
    held = [cid for cid in ids if in_holdout(cid, holdout.salt, holdout.share)]
    assert abs(len(held) / len(ids) - holdout.share) < 0.01
    policy = replace(shop, channels=Channels())
    if held:
        assert conversation_gate(ctx(customer_id=held[0]), policy) == ["gate:holdout"]
    outside = next(cid for cid in ids if cid not in set(held))
    assert conversation_gate(ctx(customer_id=outside), policy) == []


def test_history_covers_every_window(shop: Policy) -> None:
    caps, declines = shop.caps, shop.declines
    windows = (
        caps.per_customer_window.days,
        caps.same_offer_days,
        declines.offer_suppression_days,
        declines.category_suppression_days,
        declines.pause_window_days + declines.pause_days,
    )
    assert required_history_days(shop) == max(windows) + 30


def _mugs(price: Decimal) -> dict[str, Product]:
    catalog = demo_catalog()
    catalog["MUG-1"] = Product(sku="MUG-1", name="Red mug", category="mug", price=Decimal("8.00"), stock=9)
    catalog["MUG-2"] = Product(sku="MUG-2", name="Blue mug", category="cup", price=price, stock=9)
    return catalog


def test_mining_thresholds(shop: Policy) -> None:
    # "enabled" is a switch, not a number: the checks are about the numbers.
    policy = replace(_numbers_only(shop), offers=(), mining=replace(shop.mining, enabled=True))
    mining, rate = policy.mining, policy.default_margin_rate
    # Just enough margin: price x default margin rate a little above min_margin.
    catalog = _mugs((mining.min_margin / rate if rate else Decimal(1)) + Decimal("0.05"))
    if not rate:
        catalog["MUG-2"] = replace(catalog["MUG-2"], margin_rate=Decimal(1))
    snapshot = customer(bought("MUG-1", mining.recent_days - 1, catalog=catalog))
    strong = CoPurchaseRule("MUG-1", "MUG-2", mining.min_support, mining.min_confidence, mining.min_lift)

    def offered(*rules: CoPurchaseRule, who: CustomerSnapshot = snapshot) -> bool:
        return run(ctx(), who, catalog=catalog, policy=policy, mined=rules).offer is not None

    assert offered(strong)
    assert not offered(replace(strong, lift=max(1.0, mining.min_lift - 0.01)))
    assert not offered(replace(strong, support=mining.min_support / 2))
    if mining.min_confidence > 0:
        assert not offered(replace(strong, confidence=mining.min_confidence - 0.01))
    assert not offered(strong, who=customer(bought("MUG-1", mining.recent_days, catalog=catalog)))
    stronger = [
        CoPurchaseRule(f"X{i}", f"Y{i}", 0.5, 0.9, mining.min_lift + 10) for i in range(mining.max_rules)
    ]
    assert not offered(strong, *stronger)
    assert offered(strong, *stronger[1:]) is (mining.max_rules > 0)
    if rate:
        catalog["MUG-2"] = replace(catalog["MUG-2"], price=mining.min_margin / rate - Decimal("0.05"))
        assert not offered(strong)


def _rules(*ids: str) -> tuple[OfferRule, ...]:
    return build_policy(*ids).offers


def _trigger_product(rule: OfferRule, catalog: dict[str, Product]) -> Product | None:
    trigger = rule.trigger
    for product in catalog.values():
        owned = product.sku in trigger.owns_sku or product.category in trigger.owns_category
        tier_ok = trigger.plan_tier is None or (
            product.tier is not None and trigger.plan_tier.contains(product.tier)
        )
        upgradable = not rule.target.upgrade or (product.upgrade_to or "") in catalog
        if owned and tier_ok and upgradable:
            return product
    return None


def _fires(
    rule: OfferRule, context: ConversationContext, sku: str, age: int, catalog: dict[str, Product]
) -> bool:
    """Does the rule's trigger fire for a purchase of ``sku`` exactly ``age`` whole days old?"""
    snapshot = customer(bought(sku, age + 0.5, catalog=catalog))
    return match_rule(rule, context, snapshot, catalog, NOW)[0] is not None


def test_each_shop_rule_fires_inside_its_purchase_window_with_its_discounts(shop: Policy) -> None:
    catalog, checked = demo_catalog(), 0
    for rule in shop.offers:
        product = _trigger_product(rule, catalog)
        if product is None or rule.trigger.uses_cart:
            continue  # a rule about the cart, or about products the demo catalog lacks
        window = rule.trigger.days_since_purchase or IntRange(min=0)
        low = window.min or 0
        high = window.max if window.max is not None else low + 365
        stage = min(rule.trigger.stage or rule.stages or {"support"})
        context = ctx(stage=stage, moment="cart_question" if stage == "checkout" else "resolved_request")

        fires = partial(_fires, rule, context, product.sku, catalog=catalog)
        assert fires(low) and fires(high), rule.id
        assert low == 0 or not fires(low - 1), rule.id
        assert window.max is None or not fires(high + 1), rule.id
        snapshot = customer(bought(product.sku, low + 0.5, catalog=catalog))
        policy = replace(_numbers_only(shop), offers=(rule,))
        found = build_candidates(context, snapshot, catalog, policy, (), NOW)
        assert {(c.variant_id, c.discount_percent) for c in found.candidates} == {
            (v.id, v.discount_percent) for v in rule.variants
        }, rule.id
        checked += 1
    assert checked, "no rule of this policy matches a demo product"
