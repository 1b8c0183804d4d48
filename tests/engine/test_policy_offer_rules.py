"""Policy validation of offer rules: each broken rule (kind, trigger, target, message
placeholders, fake urgency, discounts, channels, stages, exclusions, labels, variants)
and duplicate offer or variant ids are reported with file, line, key path and problem.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.policy_files import GOOD_RULE, _offer_errors


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            GOOD_RULE.replace("target: {sku: SLV-13}", "target: {sku: 13}"),
            ":6: offers[0].target.sku: expected a non-empty string",
        ),
        (
            GOOD_RULE.replace("kind: cross_sell", "kind: bundle"),
            ":4: offers[0].kind: must be one of upsell, cross_sell",
        ),
        (
            GOOD_RULE.replace("{final_price}", "soon"),
            ":7: offers[0].message: missing placeholder {price} or {final_price}",
        ),
        (
            GOOD_RULE.replace("{target_name}", "{product}"),
            ":7: offers[0].message: unknown placeholder {product}",
        ),
        (
            GOOD_RULE.replace("The {target_name}", "Hurry! The {target_name}"),
            ":7: offers[0].message: fake urgency is not allowed: 'Hurry'",
        ),
        (
            GOOD_RULE.replace(": {final_price}.", ", {final_price}, only today."),
            ":7: offers[0].message: fake urgency is not allowed: 'only today'",
        ),
        (
            GOOD_RULE.replace("fits your", "fits your (few left!)"),
            "fake urgency is not allowed: 'few left'",
        ),
        (
            GOOD_RULE + "    discount_percent: 10\n",
            ":7: offers[0].message: missing placeholder {discount} (this offer has a discount)",
        ),
        (
            GOOD_RULE + "    discount_percent: 95\n",
            ":8: offers[0].discount_percent: must be between 0 and 90",
        ),
        (
            GOOD_RULE.replace("{final_price}.", "{final_price}, {discount} off."),
            ":7: offers[0].message: uses {discount} but this offer has no discount",
        ),
        (
            GOOD_RULE + "    channels: [socketio, fax]\n",
            ":8: offers[0].channels[1]: unknown channel 'fax'",
        ),
        (
            GOOD_RULE + "    stages: [browse]\n",
            ":8: offers[0].stages[0]: unknown stage 'browse'",
        ),
        (
            GOOD_RULE + "    colour: red\n",
            ":8: offers[0].colour: unknown key",
        ),
        (
            GOOD_RULE.replace("{owns_sku: [LAP-13]}", "{owns: [LAP-13]}"),
            ":5: offers[0].trigger.owns: unknown key",
        ),
        (
            GOOD_RULE.replace("{owns_sku: [LAP-13]}", "{days_since_purchase: {min: 30, max: 5}}").replace(
                "your {trigger_name}", "it"
            ),
            "offers[0].trigger.days_since_purchase.max: max (5) is below min (30)",
        ),
        (
            GOOD_RULE.replace("{sku: SLV-13}", "{sku: SLV-13, upgrade: true}"),
            ":6: offers[0].target: needs exactly one of sku or upgrade: true",
        ),
        (
            GOOD_RULE.replace("{sku: SLV-13}", "{upgrade: true}"),
            ":6: offers[0].target.upgrade: an upgrade target needs kind: upsell",
        ),
        (
            GOOD_RULE.replace("{owns_sku: [LAP-13]}", "{cart_sku: [LAP-13]}").replace(
                "{final_price}.", "{final_price}, bought {since}."
            ),
            ":7: offers[0].message: {since} needs a purchase trigger",
        ),
        (
            GOOD_RULE.replace("    trigger: {owns_sku: [LAP-13]}\n", ""),
            ":3: offers[0].trigger: is required",
        ),
        (
            GOOD_RULE.replace("{owns_sku: [LAP-13]}", "{stage: [window]}"),
            ":5: offers[0].trigger.stage[0]: unknown stage 'window'",
        ),
        (
            GOOD_RULE.replace("id: sleeve", "id: Sleeve Offer"),
            ":3: offers[0].id: use lowercase letters",
        ),
        (GOOD_RULE.replace("- id: sleeve\n    kind", "- kind"), ":3: offers[0].id: is required"),
        (GOOD_RULE.replace("    message:", "    reason:"), ":3: offers[0].message: is required"),
        (
            GOOD_RULE + "    accept_label: 'Add it, act fast'\n",
            ":8: offers[0].accept_label: fake urgency is not allowed: 'act fast'",
        ),
        (
            GOOD_RULE + "    accept_label: " + "x" * 31 + "\n",
            ":8: offers[0].accept_label: too long (at most 30 characters)",
        ),
        (
            GOOD_RULE + "    reason: 'It is {discount} off'\n",
            ":8: offers[0].reason: uses {discount} but this offer has no discount",
        ),
        (
            GOOD_RULE.replace("The {target_name}", "The {target_name} " + "x" * 240),
            ":7: offers[0].message: too long (",
        ),
        (GOOD_RULE.replace("{target_name}", "{target_name!r}"), ":7: offers[0].message: bad template"),
        (
            GOOD_RULE.replace("    message:", "    variants: []\n    reason:"),
            ":7: offers[0].variants: needs at least one variant",
        ),
        (
            GOOD_RULE.replace("{owns_sku: [LAP-13]}", "{}"),
            ":5: offers[0].trigger: needs at least one condition",
        ),
        (
            GOOD_RULE.replace("{owns_sku: [LAP-13]}", "{owns_sku: [LAP-13], plan_tier: {}}"),
            ":5: offers[0].trigger.plan_tier: needs min or max",
        ),
        (
            GOOD_RULE.replace("{owns_sku: [LAP-13]}", "{owns_sku: [LAP-13], plan_tier: {min: -1}}"),
            ":5: offers[0].trigger.plan_tier.min: must be at least 0, got -1",
        ),
        (
            GOOD_RULE.replace("{owns_sku: [LAP-13]}", "{owns_sku: [1]}"),
            ":5: offers[0].trigger.owns_sku[0]: expected a string, got an integer",
        ),
        (
            GOOD_RULE.replace("{sku: SLV-13}", "{upgrade: false}"),
            ":6: offers[0].target.upgrade: set upgrade: true, or give a sku instead",
        ),
        (
            GOOD_RULE.replace("kind: cross_sell", "kind: upsell")
            .replace("{owns_sku: [LAP-13]}", "{stage: [support]}")
            .replace("{sku: SLV-13}", "{upgrade: true}")
            .replace("your {trigger_name}", "you"),
            ":6: offers[0].target.upgrade: an upgrade target needs an owns_* or cart_* trigger",
        ),
        (
            GOOD_RULE.replace("{owns_sku: [LAP-13]}", "{stage: [checkout]}"),
            ":7: offers[0].message: {trigger_name} needs an owns_* or cart_* trigger",
        ),
        (
            GOOD_RULE + "    exclusions: {same_need: no}\n",
            ":8: offers[0].exclusions.same_need: expected true or false, got a string 'no'",
        ),
        (
            GOOD_RULE + "    exclusions:\n      channels: [fax]\n",
            ":9: offers[0].exclusions.channels[0]: unknown channel 'fax'",
        ),
        (GOOD_RULE + "    stages: browse\n", ":8: offers[0].stages: unknown stage 'browse'"),
        (
            GOOD_RULE + "    discount_percent: ten\n",
            ":8: offers[0].discount_percent: expected a number, got a string",
        ),
        ("  - 5\n", ":3: offers[0]: expected a mapping, got an integer"),
    ],
)
def test_offer_rules_are_validated(tmp_path: Path, rule: str, expected: str) -> None:
    errors = _offer_errors(tmp_path, rule)
    assert any(expected in line for line in errors), errors


def test_duplicate_offer_ids_name_both_lines(tmp_path: Path) -> None:
    errors = _offer_errors(tmp_path, GOOD_RULE + GOOD_RULE)
    assert any(":8: offers[1].id: duplicate offer id 'sleeve' (first on line 3)" in e for e in errors), errors


def test_duplicate_variant_ids(tmp_path: Path) -> None:
    rule = """\
      - id: card
        kind: cross_sell
        trigger: {owns_category: [camera]}
        target: {sku: SD-64}
        variants:
          - id: a
            message: "{target_name} for {price}"
          - id: a
            discount_percent: 10
            message: "{target_name} for {final_price}"
    """
    errors = _offer_errors(tmp_path, rule)
    assert any(
        ":10: offers[0].variants[1].id: duplicate variant id 'a' (first on line 8)" in e for e in errors
    )
    # The second variant has a discount but no {discount}: also reported, same run.
    assert any(":12: offers[0].variants[1].message: missing placeholder {discount}" in e for e in errors)


def test_message_and_variants_together_is_an_error(tmp_path: Path) -> None:
    rule = GOOD_RULE + '    variants:\n      - id: b\n        message: "{target_name} {price}"\n'
    errors = _offer_errors(tmp_path, rule)
    assert any("offers[0].message: give either message or variants, not both" in e for e in errors)
