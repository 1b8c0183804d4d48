"""Policy validation: broken policies name file, line, key path and problem.

The engine validates text (``parse_policy_text``) or data (``policy_from_data``);
reading the file is the adapter's job (``tactful.services.policy_file``), so the
file-level cases go through it, as ``python -m tactful policy check`` does.
"""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from tactful import cli
from tactful.engine.policy import Policy, PolicyError, parse_policy_text, policy_from_data
from tactful.engine.policy_model import KNOWN_CHANNELS
from tactful.engine.policy_schema import PolicyFile
from tactful.services.policy_file import check_file, load_policy
from tests.support.policies import policy_data

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
        # file:line: key: message, as `policy check` prints it.
        assert str(issue).startswith(f"{path}:{issue.line}: " if issue.line else f"{path}: ")
    return lines


def test_minimal_policy_is_exactly_the_design_defaults() -> None:
    policy = parse_policy_text("offers: []\n", "p.yml")
    assert policy == Policy(source="p.yml")
    assert policy.caps.per_customer_window.days == 7
    assert policy.holdout.share == pytest.approx(0.10)


def test_single_message_becomes_a_default_variant() -> None:
    policy = parse_policy_text("offers:\n" + GOOD_RULE)
    (rule,) = policy.offers
    assert [v.id for v in rule.variants] == ["default"]
    assert rule.exclusions.owns_target and rule.exclusions.same_need
    assert rule.line == 2
    assert rule.accept_label == "Add to cart"
    assert rule.reason.startswith("You bought the {trigger_name}")


def test_variants_inherit_the_rule_discount() -> None:
    rule = GOOD_RULE.replace(
        "    message:", "    discount_percent: 15\n    variants:\n      - id: a\n        message:"
    )
    rule = rule.replace("{final_price}.", "{final_price} ({discount} off).")
    (parsed,) = parse_policy_text("offers:\n" + rule).offers
    assert [(v.id, v.discount_percent) for v in parsed.variants] == [("a", Decimal(15))]


def test_data_built_in_code_takes_the_same_rules_without_lines() -> None:
    policy = policy_from_data(policy_data("laptop-sleeve"))
    assert [rule.id for rule in policy.offers] == ["laptop-sleeve"]
    assert policy.offers[0].line is None
    with pytest.raises(PolicyError) as info:
        policy_from_data(policy_data(caps={"per_conversation": -1}), source="<code>")
    assert [str(issue) for issue in info.value.errors] == [
        "<code>: caps.per_conversation: must be at least 0, got -1"
    ]


def test_channels_of_the_schema_are_the_known_channels() -> None:
    policy = parse_policy_text(
        "channels: {" + ", ".join(f"{c}: false" for c in KNOWN_CHANNELS) + "}\noffers: []\n"
    )
    assert not any(policy.channels.offers_on(channel) for channel in KNOWN_CHANNELS)
    assert policy.channels.offers_on("some-new-channel")
    assert set(PolicyFile.__fields__) == {
        "version",
        "currency_symbol",
        "default_margin_rate",
        "caps",
        "declines",
        "holdout",
        "channels",
        "frustration",
        "mining",
        "links",
        "mined_message",
        "offers",
    }


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
        ("links:\n  upgrade: '/up/{sku:>5}'\noffers: []\n", ":2: links.upgrade: bad template"),
        ("caps:\noffers: []\n", ":1: caps: expected a mapping, got nothing"),
        ("caps: 5\noffers: []\n", ":1: caps: expected a mapping, got an integer"),
        ("offers: {}\n", ":1: offers: expected a list, got a mapping"),
        ("holdout:\n  salt: ''\noffers: []\n", ":2: holdout.salt: expected a non-empty string, got a string"),
        (
            "mining:\n  enabled: yes\noffers: []\n",
            ":2: mining.enabled: expected true or false, got a string 'yes'",
        ),
        ("mining:\n  min_margin: -1\noffers: []\n", ":2: mining.min_margin: must be at least 0, got -1"),
        (
            "mining:\n  min_confidence: .inf\noffers: []\n",
            ":2: mining.min_confidence: must be a finite number",
        ),
        (
            "mining:\n  max_rules: '500'\noffers: []\n",
            ":2: mining.max_rules: expected a whole number, got a string",
        ),
        (
            "frustration:\n  fallbacks: 0\noffers: []\n",
            ":2: frustration.fallbacks: must be at least 1, got 0",
        ),
        (
            "declines:\n  pause_after: true\noffers: []\n",
            ":2: declines.pause_after: expected a whole number, got a boolean",
        ),
        (
            "mined_message: 'Add the {target_name} ({final_price}), {since}'\noffers: []\n",
            ":1: mined_message: {since} is not available for mined offers",
        ),
        (
            "mined_message: 'Add the {target_name}'\noffers: []\n",
            ":1: mined_message: missing placeholder {price}",
        ),
        (
            "colour: red\noffers: []\n",
            ":1: colour: unknown key (known: caps, channels, currency_symbol, declines, default_margin_rate, "
            "frustration, holdout, links, mined_message, mining, offers, version)",
        ),
        ("1: x\noffers: []\n", ":1: 1: unknown key"),
        (
            "currency_symbol: 1\noffers: []\n",
            ":1: currency_symbol: expected a non-empty string, got an integer",
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


def test_every_problem_of_one_rule_in_one_run(tmp_path: Path) -> None:
    rule = (
        GOOD_RULE.replace("kind: cross_sell", "kind: bundle")
        .replace("The {target_name}", "Hurry! The {target_name}")
        .replace("{sku: SLV-13}", "{sku: SLV-13, upgrade: true}")
    )
    errors = _offer_errors(tmp_path, rule + "    colour: red\n")
    assert [line.split(": ", 1)[1] for line in errors] == [
        "offers[0].kind: must be one of upsell, cross_sell, got 'bundle'",
        "offers[0].target: needs exactly one of sku or upgrade: true",
        "offers[0].message: fake urgency is not allowed: 'Hurry'",
        "offers[0].colour: unknown key (known: accept_label, channels, discount_percent, exclusions, id, "
        "kind, message, reason, stages, target, trigger, variants)",
    ]


def test_unknown_key_names_the_line_of_the_key(tmp_path: Path) -> None:
    errors = _errors(tmp_path, "caps:\n  per_conversation: 1\n  per_day:\n    - 3\noffers: []\n")
    assert errors == [
        f"{tmp_path / 'policy.yml'}:3: caps.per_day: unknown key "
        "(known: per_conversation, per_customer_window, same_offer_days)"
    ]


def test_policy_check_prints_file_line_key_message_like_the_docs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The three problems of the example in docs/policy.md.
    rules = "".join(GOOD_RULE.replace("id: sleeve", f"id: sleeve-{n}") for n in range(3))
    rules = rules.replace("The {target_name}", "Hurry: the {target_name}", 3)
    rules = rules.replace("Hurry: the {target_name}", "The {target_name}", 2)
    text = "caps:\n  per_conversation: -1\nchannels:\n  slack: off\noffers:\n" + rules
    path = _write(tmp_path, text)
    assert cli.main(["policy", "check", str(path)]) == cli.EXIT_PROBLEMS
    assert capsys.readouterr().err.splitlines() == [
        f"{path}:2: caps.per_conversation: must be at least 0, got -1",
        f"{path}:4: channels.slack: expected true or false, got a string 'off'",
        f"{path}:20: offers[2].message: fake urgency is not allowed: 'Hurry'",
    ]
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert str(info.value).splitlines()[0] == "invalid offer policy (3 problems):"


def test_empty_and_unreadable_files(tmp_path: Path) -> None:
    assert any("the file is empty" in e for e in _errors(tmp_path, ""))
    assert any("top level must be a mapping" in e for e in _errors(tmp_path, "- 1\n- 2\n"))
    missing = tmp_path / "nope.yml"
    assert "cannot read file" in check_file(missing)[0]
