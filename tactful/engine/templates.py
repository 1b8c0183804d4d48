"""Offer message templates: which placeholders exist, honest wording, rendering.

Policy validation and message rendering share this module so a template that
passes ``policy check`` is exactly one that renders.
"""

from __future__ import annotations

import re
import string
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

PLACEHOLDERS = frozenset(
    {"trigger_name", "target_name", "price", "final_price", "discount", "since", "category"}
)

# Fake urgency and scarcity (docs/architecture.md, "Words"). Matched on whole words, any case.
URGENCY_PATTERNS: tuple[str, ...] = (
    r"hurry",
    r"only today",
    r"today only",
    r"last chance",
    r"limited",
    r"act now",
    r"act fast",
    r"few left",
    r"only \d+ left",
    r"while stocks? last",
    r"ends (?:soon|tonight|today)",
    r"don'?t miss out",
    r"before it'?s gone",
    r"selling fast",
    r"expires? (?:soon|today|tonight)",
    r"now or never",
    r"urgent",
)
_URGENCY_RE = re.compile(r"\b(?:" + "|".join(URGENCY_PATTERNS) + r")\b", re.IGNORECASE)

_CENT = Decimal("0.01")


def placeholders_in(template: str) -> list[str]:
    """Placeholder names used by a template; raises ValueError on bad braces."""
    names: list[str] = []
    for _literal, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if spec or conversion:
            raise ValueError(f"placeholder {{{name}}} must not carry a format spec")
        names.append(name)
    return names


def urgency_words(text: str) -> list[str]:
    """Fake-urgency phrases found in the text (empty if the text is honest)."""
    return [m.group(0) for m in _URGENCY_RE.finditer(text)]


def money(amount: Decimal) -> Decimal:
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


def discounted(price: Decimal, discount_percent: Decimal) -> Decimal:
    return money(price * (Decimal(100) - discount_percent) / Decimal(100))


def format_price(amount: Decimal, currency_symbol: str) -> str:
    return f"{currency_symbol}{money(amount):,.2f}"


def format_percent(percent: Decimal) -> str:
    # 10 -> "10%", 12.5 -> "12.5%": no trailing zeros in a customer message.
    text = format(percent.normalize(), "f")
    return f"{text}%"


def since_text(then: datetime | None, now: datetime) -> str:
    """How long ago, in the words a person would use ("last week")."""
    if then is None:
        return "recently"
    days = (now - then).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 7:
        return "this week" if days < now.isoweekday() else "last week"
    if days < 14:
        return "last week"
    if days < 31:
        return f"{days // 7} weeks ago"
    if days < 45:
        return "last month"
    if days < 365:
        # 60 days is "2 months ago", not "last month".
        return f"{round(days / 30.44)} months ago"
    return "over a year ago"


def render(template: str, values: dict[str, str]) -> str:
    """Fill a validated template. Unknown placeholders were rejected at load."""
    return template.format(**values)
