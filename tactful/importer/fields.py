"""Parsers for single CSV values. Each raises ValueError with a short reason
that the caller prefixes with ``file:line: column 'X':``."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
# Integer columns are 32-bit on PostgreSQL; Numeric(12, 2) tops out below 1e10.
MAX_INT = 2**31 - 1
MAX_MONEY = Decimal("9999999999.99")
_INTEGER = re.compile(r"[+-]?\d+(?:\.0+)?")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_US_DATETIME_FORMATS = ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0", ""}


def parse_int(text: str) -> int:
    """An integer; ``6.0`` is accepted because spreadsheet exports write it."""
    value = text.strip()
    if not _INTEGER.fullmatch(value):
        raise ValueError(f"not an integer: {text!r}")
    number = int(value.split(".")[0])
    if abs(number) > MAX_INT:
        raise ValueError(f"out of range: {text!r}")
    return number


def parse_decimal(text: str) -> Decimal:
    value = text.strip()
    if not _DECIMAL.fullmatch(value):
        raise ValueError(f"not a number: {text!r}")
    try:
        return Decimal(value)
    except InvalidOperation as error:  # pragma: no cover - the regex guards this
        raise ValueError(f"not a number: {text!r}") from error


def parse_price(text: str, max_places: int | None = 2) -> Decimal:
    """A non-negative amount of money.

    ``max_places=None`` rounds to cents (half up) instead of rejecting extra
    places; the UCI data has a 0.001 price that way.
    """
    amount = parse_decimal(text)
    if amount < 0:
        raise ValueError(f"price is negative: {text.strip()}")
    exponent = amount.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if max_places is not None and places > max_places:
        raise ValueError(f"more than {max_places} decimal places: {text.strip()}")
    rounded = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if rounded > MAX_MONEY:
        raise ValueError(f"price too large: {text.strip()}")
    return rounded


def parse_iso_datetime(text: str) -> datetime:
    """ISO 8601 date or date-time; offsets are converted to naive UTC, which
    is how every timestamp in the shop database is stored."""
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise ValueError(f"bad date {text!r} (expected YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS])") from error
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def parse_us_datetime(text: str) -> datetime:
    value = text.strip()
    for fmt in _US_DATETIME_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise ValueError(f"bad date {text!r} (expected M/D/YYYY H:MM)")


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"not true/false: {text!r}")


def parse_list(text: str) -> list[str]:
    """A semicolon-separated list; blanks are dropped, order and case kept."""
    return [item.strip() for item in text.split(";") if item.strip()]


def check_length(text: str, limit: int) -> str:
    if len(text) > limit:
        raise ValueError(f"longer than {limit} characters")
    return text
