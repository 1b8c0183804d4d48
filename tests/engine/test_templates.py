"""Wording helpers: relative dates, prices, fake urgency."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tactful.engine.templates import discounted, format_percent, format_price, since_text, urgency_words

from .factories import NOW  # a Wednesday


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (0, "today"),
        (1, "yesterday"),
        (2, "this week"),
        (6, "last week"),
        (10, "last week"),
        (15, "2 weeks ago"),
        (40, "last month"),
        (60, "2 months ago"),
        (100, "3 months ago"),
        (400, "over a year ago"),
    ],
)
def test_since_text(days: int, text: str) -> None:
    assert since_text(NOW - timedelta(days=days), NOW) == text


def test_prices_and_discounts() -> None:
    assert discounted(Decimal("24.99"), Decimal(10)) == Decimal("22.49")
    assert discounted(Decimal("0.05"), Decimal(50)) == Decimal("0.03")  # half up
    assert format_price(Decimal("1234.5"), "$") == "$1,234.50"
    assert format_percent(Decimal("10")) == "10%"
    assert format_percent(Decimal("12.50")) == "12.5%"


@pytest.mark.parametrize(
    "text",
    ["HURRY up", "Only today!", "last chance to get it", "limited offer", "Act now", "only 3 left"],
)
def test_urgency_is_detected(text: str) -> None:
    assert urgency_words(text)


def test_honest_text_passes() -> None:
    assert urgency_words("You bought the X100 last week; the card works with it, $24.99.") == []
