"""Policy loading: the default file passes; broken files name key, line and problem."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tactful.engine.policy import PolicyError, check_file, load_policy, parse_policy_text

from .factories import POLICY_FILE

GOOD_RULE = """\
  - id: sleeve
    kind: cross_sell
    trigger: {owns_sku: [LAP-13]}
    target: {sku: SLV-13}
    message: "The {target_name} fits your {trigger_name}: {final_price}."
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _errors(tmp_path: Path, text: str) -> list[str]:
    path = _write(tmp_path, text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    lines = [str(issue) for issue in info.value.errors]
    assert lines == check_file(path)
    for issue in info.value.errors:
        assert issue.file == str(path)
    return lines


def test_repo_policy_passes_the_check() -> None:
    assert check_file(POLICY_FILE) == []
    policy = load_policy(POLICY_FILE)
    assert policy.caps.per_conversation == 1
    assert policy.caps.per_customer_window.max == 2
    assert policy.caps.per_customer_window.days == 7
    assert policy.caps.same_offer_days == 30
    assert policy.declines.offer_suppression_days == 90
    assert policy.declines.category_suppression_days == 14
    assert (policy.declines.pause_after, policy.declines.pause_days) == (2, 30)
    assert policy.holdout.share == pytest.approx(0.10)
    ids = {rule.id for rule in policy.offers}
    assert {"camera-memory-card", "camera-bag", "plan-upgrade", "headphones-upgrade"} <= ids


def test_minimal_policy_takes_design_defaults() -> None:
    policy = parse_policy_text("offers: []\n")
    assert policy.offers == ()
    assert policy.caps.per_customer_window.days == 7
    assert policy.holdout.share == pytest.approx(0.10)


def test_single_message_becomes_a_default_variant() -> None:
    policy = parse_policy_text("offers:\n" + GOOD_RULE)
    (rule,) = policy.offers
    assert [v.id for v in rule.variants] == ["default"]
    assert rule.exclusions.owns_target and rule.exclusions.same_need


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("caps:\n  per_conversation: 1\n  per_day: 3\noffers: []\n", ":3: caps.per_day: unknown key"),
        ("caps:\n  per_conversation: -1\noffers: []\n", ":2: caps.per_conversation: must be at least 0"),
        (
            "caps:\n  per_conversation: 1.5\noffers: []\n",
            ":2: caps.per_conversation: expected a whole number",
        ),
        (
            "caps:\n  per_customer_window:\n    max: 2\n    days: 0\noffers: []\n",
            ":4: caps.per_customer_window.days: must be at least 1",
        ),
        ("holdout:\n  share: 1.5\noffers: []\n", ":2: holdout.share: must be between 0 and 1"),
        ("holdout:\n  share: '10%'\noffers: []\n", ":2: holdout.share: expected a number"),
        ("declines:\n  pause_days: 0\noffers: []\n", ":2: declines.pause_days: must be at least 1"),
        ("channels:\n  slack: off\noffers: []\n", ":2: channels.slack: expected true or false"),
        ("channels:\n  myspace: true\noffers: []\n", ":2: channels.myspace: unknown key"),
        ("mining:\n  min_lift: 1.0\noffers: []\n", ":2: mining.min_lift: must be greater than 1"),
        ("mining:\n  min_support: 0\noffers: []\n", ":2: mining.min_support: must be above 0"),
        ("default_margin_rate: 2\noffers: []\n", ":1: default_margin_rate: must be between 0 and 1"),
        ("version: 2\noffers: []\n", ":1: version: unsupported version 2"),
        ("caps: {}\n", "offers: is required"),
        (
            "links:\n  add_to_cart: '/add/{product}'\noffers: []\n",
            ":2: links.add_to_cart: unknown placeholder",
        ),
    ],
)
def test_global_sections_are_validated(tmp_path: Path, text: str, expected: str) -> None:
    errors = _errors(tmp_path, text)
    assert any(expected in line for line in errors), errors


def _offer_errors(tmp_path: Path, rule: str) -> list[str]:
    # The rule starts on line 3 of the file.
    return _errors(tmp_path, "version: 1\noffers:\n" + textwrap.dedent(rule))


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


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    errors = _errors(tmp_path, "caps:\n  per_conversation: [1\noffers: []\n")
    assert len(errors) == 1
    assert "YAML syntax" in errors[0]
    assert ":3:" in errors[0] or ":4:" in errors[0]


def test_duplicate_yaml_key_is_reported(tmp_path: Path) -> None:
    errors = _errors(tmp_path, "caps:\n  per_conversation: 1\n  per_conversation: 2\noffers: []\n")
    assert len(errors) == 1 and ":3:" in errors[0]
    assert "YAML syntax" in errors[0]


def test_every_problem_is_listed_in_file_order(tmp_path: Path) -> None:
    text = "caps:\n  per_conversation: -1\nholdout:\n  share: 7\nchannels:\n  slack: on\noffers: []\n"
    path = _write(tmp_path, text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    message = str(info.value)
    assert message.startswith("invalid offer policy (3 problems):")
    assert [issue.line for issue in info.value.errors] == [2, 4, 6]
    assert [issue.path for issue in info.value.errors] == [
        "caps.per_conversation",
        "holdout.share",
        "channels.slack",
    ]


def test_empty_and_unreadable_files(tmp_path: Path) -> None:
    assert any("the file is empty" in e for e in _errors(tmp_path, ""))
    assert any("top level must be a mapping" in e for e in _errors(tmp_path, "- 1\n- 2\n"))
    missing = tmp_path / "nope.yml"
    assert "cannot read file" in check_file(missing)[0]
