"""UCI Online Retail rows → customers, products, orders and order lines.

Two variants are detected by their header: the original CSV (ISO dates,
CustomerID like ``17850.0``, missing customer ``0.0``) and R's ``write.csv``
export (a leading unnamed row-number column, US dates, missing ``NA``).
The rules are documented in docs/import.md; the constants below name them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from tactful.importer import bulk
from tactful.importer.fields import (
    check_length,
    parse_decimal,
    parse_int,
    parse_iso_datetime,
    parse_price,
    parse_us_datetime,
)
from tactful.importer.reader import CsvFile, Row
from tactful.importer.report import FileReport, RowRejected, UsageError
from tactful.store.models import Customer, Order, OrderLine, Product

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

# Codes that are postage, discounts, fees, manual lines or vouchers. Any code
# without a digit is treated the same way, whether listed here or not.
NON_PRODUCT_CODES = frozenset(
    {"POST", "DOT", "D", "M", "S", "B", "C2", "CRUK", "PADS", "BANK CHARGES", "AMAZONFEE"}
)
NON_PRODUCT_PREFIXES = ("GIFT_0001_",)
MISSING_CUSTOMER = frozenset({"", "0", "0.0", "NA", "NAN"})
_CUSTOMER_NUMBER = re.compile(r"\d+(?:\.0+)?")

SKIP_ZERO_PRICE = "unit price 0 (stock adjustment, not a sale)"
SKIP_ZERO_QUANTITY = "quantity 0"
SKIP_ADJUSTMENT = "invoice starting with A (accounting adjustment)"

STATUS_SALE = "delivered"  # historic orders: long since delivered
STATUS_CANCELLED = "returned"
SOURCE = "uci"
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


def is_non_product(code: str) -> bool:
    upper = code.upper()
    return (
        not any(char.isdigit() for char in code)
        or upper in NON_PRODUCT_CODES
        or upper.startswith(NON_PRODUCT_PREFIXES)
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


@dataclass
class _Invoice:
    first_line: int
    customer_id: str | None
    country: str | None
    placed_at: datetime
    cancelled: bool


@dataclass
class UciBatch:
    """Everything one file contributes, ready for bulk insertion."""

    invoices: dict[str, _Invoice] = field(default_factory=dict)
    customers: dict[str, str | None] = field(default_factory=dict)
    lines: list[dict[str, object]] = field(default_factory=list)
    latest: dict[str, UciLine] = field(default_factory=dict)
    occurrences: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, line: UciLine) -> None:
        """Add a valid line, or raise RowRejected if it contradicts its invoice."""
        invoice = self.invoices.get(line.invoice)
        if invoice is None:
            invoice = _Invoice(line.line, line.customer_id, line.country, line.placed_at, line.cancelled)
            self.invoices[line.invoice] = invoice
        elif invoice.customer_id != line.customer_id:
            raise RowRejected(
                "CustomerID",
                f"invoice {line.invoice} belongs to customer {invoice.customer_id or 'none'} "
                f"(line {invoice.first_line})",
            )
        invoice.placed_at = min(invoice.placed_at, line.placed_at)
        if line.customer_id is not None and line.customer_id not in self.customers:
            self.customers[line.customer_id] = line.country
        previous = self.latest.get(line.code)
        if previous is None or line.placed_at >= previous.placed_at:
            self.latest[line.code] = line
        # Occurrence index within the invoice in file order: stable across
        # re-runs of the same file, so re-imports hit the unique key.
        self.occurrences[(line.invoice, line.code)] += 1
        self.lines.append(
            {
                "order_id": line.invoice,
                "line_key": f"{line.code}:{self.occurrences[(line.invoice, line.code)]}",
                "sku": line.code,
                "description": line.description,
                # Cancellations are negative in the file; a returned order
                # stores what was returned as a positive quantity.
                "quantity": abs(line.quantity),
                "unit_price": line.unit_price,
            }
        )


def read_batch(csv_file: CsvFile, report: FileReport, tick: Callable[[], None]) -> UciBatch:
    batch = UciBatch()
    for row in csv_file.rows(report):
        tick()
        try:
            line = parse_row(row)
            rule = skip_rule(line)
            if rule is not None:
                report.skip(rule)
                continue
            check_sign(line)
            batch.add(line)
        except RowRejected as rejected:
            report.reject(row.line, rejected.column, rejected.reason)
    return batch


def write_batch(conn: Connection, batch: UciBatch, report: FileReport) -> None:
    tables = {
        "customers": Customer.__table__,
        "products": Product.__table__,
        "orders": Order.__table__,
        "order lines": OrderLine.__table__,
    }
    before = {name: bulk.count(conn, table) for name, table in tables.items()}
    now = datetime.utcnow()
    bulk.insert_ignore(
        conn,
        Customer.__table__,
        [
            {"id": cid, "name": None, "email": None, "region": region, "created_at": now}
            for cid, region in batch.customers.items()
        ],
    )
    bulk.insert_ignore(conn, Product.__table__, [_product_row(line) for line in batch.latest.values()])
    bulk.insert_ignore(
        conn,
        Order.__table__,
        [
            {
                "id": order_id,
                "customer_id": invoice.customer_id,
                "status": STATUS_CANCELLED if invoice.cancelled else STATUS_SALE,
                "placed_at": invoice.placed_at,
                "region": invoice.country,
                "source": SOURCE,
            }
            for order_id, invoice in batch.invoices.items()
        ],
    )
    bulk.insert_ignore(conn, OrderLine.__table__, batch.lines)
    refresh_products(conn, sorted(batch.latest))
    report.imported += len(batch.lines)
    for name, table in tables.items():
        report.new[name] = bulk.count(conn, table) - before[name]


def _product_row(line: UciLine) -> dict[str, object]:
    return {
        "sku": line.code,
        "name": line.description or line.code,
        "category": "general",
        "price": line.unit_price,
        "margin_rate": None,
        "stock": 0,
        "offerable": not is_non_product(line.code),
        "is_subscription": False,
    }


def refresh_products(conn: Connection, skus: list[str]) -> None:
    """Price and name from the latest line in the whole database.

    Derived from stored lines rather than from this file, so importing files
    in any order, or twice, ends with the same product rows.
    """
    products = Product.__table__
    lines = OrderLine.__table__
    orders = Order.__table__
    newest_first = (orders.c.placed_at.desc(), orders.c.id.desc(), lines.c.line_key.desc())
    joined = lines.join(orders, orders.c.id == lines.c.order_id)
    latest_price = (
        select(lines.c.unit_price)
        .select_from(joined)
        .where(lines.c.sku == products.c.sku)
        .order_by(*newest_first)
        .limit(1)
        .scalar_subquery()
    )
    latest_name = (
        select(lines.c.description)
        .select_from(joined)
        .where(lines.c.sku == products.c.sku)
        .where(lines.c.description.is_not(None))
        .order_by(*newest_first)
        .limit(1)
        .scalar_subquery()
    )
    for chunk in bulk.chunks(skus, 500):
        conn.execute(
            update(products)
            .where(products.c.sku.in_(list(chunk)))
            .values(
                price=func.coalesce(latest_price, products.c.price),
                name=func.coalesce(latest_name, products.c.name),
            )
        )
    # Non-product codes are never offerable, even if a row existed already.
    blocked = [sku for sku in skus if is_non_product(sku)]
    if blocked:
        conn.execute(update(products).where(products.c.sku.in_(blocked)).values(offerable=False))


def import_file(conn: Connection, csv_file: CsvFile, report: FileReport, tick: Callable[[], None]) -> None:
    detect_variant(csv_file.header, csv_file.display)
    write_batch(conn, read_batch(csv_file, report, tick), report)
