"""Policy validation of the global sections (caps, holdout, declines, channels, mining,
links, mined_message, frustration, version, unknown keys): each broken value is
reported with file, line, key path and problem.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.policy_files import _errors


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
