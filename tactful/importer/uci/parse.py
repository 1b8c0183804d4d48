"""One UCI row at a time: the header variant, each column, and the rules that skip or reject a row."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from tactful.importer.fields import (
    check_length,
    parse_decimal,
    parse_int,
    parse_iso_datetime,
    parse_price,
    parse_us_datetime,
)
from tactful.importer.reader import Row
from tactful.importer.report import RowRejected, UsageError

COLUMNS = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
]
ORIGINAL = "original"
R_EXPORT = "r_export"

MISSING_CUSTOMER = frozenset({"", "0", "0.0", "NA", "NAN"})
_CUSTOMER_NUMBER = re.compile(r"\d+(?:\.0+)?")

SKIP_ZERO_PRICE = "unit price 0 (stock adjustment, not a sale)"
SKIP_ZERO_QUANTITY = "quantity 0"
SKIP_ADJUSTMENT = "invoice starting with A (accounting adjustment)"
T = TypeVar("T")


def detect_variant(header: list[str], display: str) -> str:
    if header == COLUMNS:
        return ORIGINAL
    if len(header) == len(COLUMNS) + 1 and header[0] == "" and header[1:] == COLUMNS:
        return R_EXPORT
    raise UsageError(
        f"{display}:1: not a UCI Online Retail header; expected "
        f"{','.join(COLUMNS)} (optionally after R's unnamed row-number column), "
        f"got {','.join(header)}"
    )


def parse_customer(text: str) -> str | None:
    """``12488.0`` and ``12488`` are the same customer, ``"12488"``."""
    value = text.strip()
    if value.upper() in MISSING_CUSTOMER:
        return None
    if not _CUSTOMER_NUMBER.fullmatch(value):
        raise ValueError(f"not a customer number: {text!r}")
    number = int(value.split(".")[0])
    return None if number == 0 else str(number)


def parse_invoice_date(text: str) -> datetime:
    """Either variant's date format is accepted in either file: only the US
    form (``10/31/2011 10:42``) has slashes, so ISO and US never collide."""
    if "/" in text:
        return parse_us_datetime(text)
    return parse_iso_datetime(text)


@dataclass(frozen=True)
class UciLine:
    line: int
    invoice: str
    code: str
    description: str | None
    quantity: int
    placed_at: datetime
    unit_price: Decimal
    customer_id: str | None
    country: str | None
    # The file's price was exactly 0 (0.001 rounds to 0.00 but is charged).
    free: bool

    @property
    def cancelled(self) -> bool:
        return self.invoice.upper().startswith("C")


def _field(column: str, parse: Callable[[str], T], text: str) -> T:
    try:
        return parse(text)
    except ValueError as error:
        raise RowRejected(column, str(error)) from None


def _present(values: dict[str, str], column: str) -> str:
    text = values[column]
    if not text.strip():
        raise RowRejected(column, "missing")
    return text


def parse_row(row: Row) -> UciLine:
    """Parse one row, or raise RowRejected naming the first bad column."""
    values = row.values
    invoice = _field("InvoiceNo", lambda t: check_length(t.strip(), 64), _present(values, "InvoiceNo"))
    code = _field("StockCode", lambda t: check_length(t.strip(), 64), _present(values, "StockCode"))
    # The description is kept character for character: its odd spacing is data.
    description = _field("Description", lambda t: check_length(t, 300), values["Description"])
    quantity = _field("Quantity", parse_int, _present(values, "Quantity"))
    placed_at = _field("InvoiceDate", parse_invoice_date, _present(values, "InvoiceDate"))
    price_text = _present(values, "UnitPrice")
    unit_price = _field("UnitPrice", lambda t: parse_price(t, max_places=None), price_text)
    customer_id = _field("CustomerID", parse_customer, values["CustomerID"])
    country = _field("Country", lambda t: check_length(t.strip(), 100), values["Country"])
    return UciLine(
        line=row.line,
        invoice=invoice,
        code=code,
        description=description or None,
        quantity=quantity,
        placed_at=placed_at,
        unit_price=unit_price,
        customer_id=customer_id,
        country=country or None,
        free=parse_decimal(price_text) == 0,
    )


def skip_rule(line: UciLine) -> str | None:
    """The documented rule that drops this line, or None to import it."""
    if line.invoice.upper().startswith("A"):
        return SKIP_ADJUSTMENT
    if line.free:
        return SKIP_ZERO_PRICE
    if line.quantity == 0:
        return SKIP_ZERO_QUANTITY
    return None


def check_sign(line: UciLine) -> None:
    if line.cancelled and line.quantity > 0:
        raise RowRejected(
            "Quantity", f"positive quantity {line.quantity} on cancellation invoice {line.invoice}"
        )
    if not line.cancelled and line.quantity < 0:
        raise RowRejected(
            "Quantity",
            f"negative quantity {line.quantity} on sale invoice {line.invoice} "
            "(only invoices starting with C are cancellations)",
        )
