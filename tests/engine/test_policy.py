"""Valid policies: what the engine builds from policy text (``parse_policy_text``)
or data (``policy_from_data``): the design defaults, default variants, inherited
discounts, rules built in code, and the channels the schema knows.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tactful.engine.policy import Policy, PolicyError, parse_policy_text, policy_from_data
from tactful.engine.policy_model import KNOWN_CHANNELS
from tactful.engine.policy_schema import PolicyFile
from tests.engine.policy_files import GOOD_RULE
from tests.support.policies import policy_data


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
