"""Offer policies built in code, so a shop's own edits to policy.yml move no test.

Every number a test relies on is written here, in the shape of the policy file
(docs/policy.md). ``build_policy`` validates through the engine, with the same
rules as ``policy check``; ``write_policy`` makes a file for the tests that
start the real action runtime.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tactful.engine.policy import parse_policy_text, policy_from_data
from tactful.engine.policy_model import Policy

# The shop's own file. Only the tests of "a shop's edits keep the build green"
# read it (tests/engine/test_shop_policy.py, tests/engine/test_properties.py).
SHIPPED_POLICY = Path(__file__).resolve().parents[2] / "policy.yml"
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")

CAPS: dict[str, Any] = {
    "per_conversation": 1,
    "per_customer_window": {"max": 2, "days": 7},
    "same_offer_days": 30,
}
DECLINES: dict[str, Any] = {
    "offer_suppression_days": 90,
    "category_suppression_days": 14,
    "pause_after": 2,
    "pause_window_days": 30,
    "pause_days": 30,
}
# Nobody held out, so a test customer qualifies unless the test says otherwise.
NO_HOLDOUT: dict[str, Any] = {"share": 0.0, "salt": "tests"}
# Among the demo customers C001-C011 this salt holds out exactly C007 (the demo story).
DEMO_HOLDOUT: dict[str, Any] = {"share": 0.10, "salt": "tactful-demo-1399"}
MINING: dict[str, Any] = {
    "enabled": True,
    "min_support": 0.005,
    "min_confidence": 0.3,
    "min_lift": 1.5,
    "max_rules": 500,
    "recent_days": 90,
    "min_margin": 1.00,
}

# The demo offer rules, as tests know them (SKUs from tactful/demo/catalog.py).
RULES: dict[str, dict[str, Any]] = {
    "camera-memory-card": {
        "kind": "cross_sell",
        "trigger": {"owns_category": ["camera"], "days_since_purchase": {"min": 0, "max": 30}},
        "target": {"sku": "SD-64"},
        "reason": "You bought the {trigger_name} {since}, and the {target_name} works with it.",
        "variants": [
            {
                "id": "plain",
                "message": "You bought the {trigger_name} {since}; the {target_name} works with it, {final_price}.",
            },
            {
                "id": "ten-off",
                "discount_percent": 10,
                "message": "You bought the {trigger_name} {since}; add the {target_name} for {final_price} "
                "({discount} off {price})?",
            },
        ],
        "stages": ["support"],
    },
    "camera-battery": {
        "kind": "cross_sell",
        "trigger": {"owns_category": ["camera"], "days_since_purchase": {"min": 3, "max": 60}},
        "target": {"sku": "BAT-X"},
        "message": "A spare {target_name} for your {trigger_name}: {final_price}.",
        "stages": ["support"],
    },
    "checkout-memory-card": {
        "kind": "cross_sell",
        "trigger": {"cart_category": ["camera"], "stage": ["checkout"]},
        "target": {"sku": "SD-64"},
        "message": "The {target_name} works with the {trigger_name} in your cart: {final_price}.",
    },
    "camera-bag": {
        "kind": "cross_sell",
        "trigger": {"cart_category": ["camera"], "stage": ["checkout"]},
        "target": {"sku": "BAG-CAM"},
        "message": "The {target_name} fits the {trigger_name} in your cart: {final_price}.",
    },
    "plan-upgrade": {
        "kind": "upsell",
        "trigger": {
            "owns_category": ["subscription"],
            "plan_tier": {"max": 2},
            "days_since_purchase": {"min": 30},
        },
        "target": {"upgrade": True},
        "accept_label": "Upgrade",
        "message": "You started the {trigger_name} {since}; the next plan up, {target_name}, is {final_price}.",
        "exclusions": {"out_of_stock": False},
        "stages": ["support"],
    },
    "headphones-upgrade": {
        "kind": "upsell",
        "trigger": {"owns_sku": ["HP-100"], "days_since_purchase": {"min": 7, "max": 90}},
        "target": {"upgrade": True},
        "message": "You have the {trigger_name}; the {target_name} is the next model up, {final_price}.",
        "stages": ["support"],
    },
    "laptop-sleeve": {
        "kind": "cross_sell",
        "trigger": {"owns_sku": ["LAP-13"], "days_since_purchase": {"min": 0, "max": 45}},
        "target": {"sku": "SLV-13"},
        "message": "You bought the {trigger_name} {since}; the {target_name} fits it, {final_price}.",
    },
}


def policy_data(*rule_ids: str, **sections: Any) -> dict[str, Any]:
    """A policy as the file would hold it: the numbers above, the demo rules
    (only ``rule_ids`` when given), and ``sections`` replacing whole sections."""
    chosen = rule_ids or tuple(RULES)
    data: dict[str, Any] = {
        "version": 1,
        "currency_symbol": "£",
        "default_margin_rate": 0.30,
        "caps": CAPS,
        "declines": DECLINES,
        "holdout": NO_HOLDOUT,
        "channels": {"default": True},
        "frustration": {"fallbacks": 2},
        "mining": MINING,
        "offers": [{"id": rule_id, **RULES[rule_id]} for rule_id in chosen],
    }
    data.update(sections)
    return copy.deepcopy(data)


def build_policy(*rule_ids: str, **sections: Any) -> Policy:
    return policy_from_data(policy_data(*rule_ids, **sections), source="<tests>")


def write_policy(path: Path, *rule_ids: str, **sections: Any) -> Path:
    """A policy file for the real runtime; checked first, so a typo here fails loudly."""
    data = policy_data(*rule_ids, **sections)
    policy_from_data(data)
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return path


def numbers(node: Any, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int | float]:
    """Every number in a loaded policy document, by key path (booleans are not numbers)."""
    if isinstance(node, dict):
        return {k: v for key, value in node.items() for k, v in numbers(value, (*path, key)).items()}
    if isinstance(node, list):
        return {k: v for index, item in enumerate(node) for k, v in numbers(item, (*path, index)).items()}
    if isinstance(node, (int, float)) and not isinstance(node, bool):
        return {path: node}
    return {}


def _changed(value: int | float) -> int | float:
    # Stays valid under every rule of docs/policy.md: whole numbers grow by one
    # (caps, days, percentages, tiers; a min and its max move together); shares
    # and rates halve; numbers above 1 (min_lift) grow by half.
    if isinstance(value, int):
        return value + 1
    return value / 2 if value <= 1 else value * 1.5


def mutate_every_number(text: str) -> str:
    """The policy text with every number but ``version`` changed; all else is kept
    byte for byte (each number is rewritten where the YAML parser saw it)."""
    document = YAML(typ="rt").load(text)
    lines = text.splitlines(keepends=True)
    places = []
    for path, value in numbers(document).items():
        if path == ("version",):
            continue
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        marks = parent.lc  # ruamel.yaml's record of where each key, value and item stood
        row, column = marks.item(path[-1]) if isinstance(parent, list) else marks.value(path[-1])
        places.append((row, column, value))
    for row, column, value in sorted(places, reverse=True):
        line = lines[row]
        token = _NUMBER.match(line, column)
        assert token is not None, (row, column, line)
        lines[row] = line[:column] + repr(_changed(value)) + line[token.end() :]
    return "".join(lines)


def shop_policies() -> dict[str, Policy]:
    """The shipped policy.yml and a copy with every number changed."""
    text = SHIPPED_POLICY.read_text(encoding="utf-8")
    return {
        "shipped": parse_policy_text(text, str(SHIPPED_POLICY)),
        "mutated": parse_policy_text(mutate_every_number(text), "mutated policy.yml"),
    }
