"""The shop's own CSV format: products.csv, customers.csv and orders.csv.

The shop is the source of truth for these rows, so re-importing a file
updates existing rows (upsert) instead of ignoring them. Every column is
documented in docs/import.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Connection

from tactful.importer import bulk
from tactful.importer.fields import (
    check_length,
    parse_bool,
    parse_decimal,
    parse_int,
    parse_iso_datetime,
    parse_list,
    parse_price,
)
from tactful.importer.reader import CsvFile, Row
from tactful.importer.report import FileReport, RowRejected, UsageError
from tactful.store.models import (
    ORDER_STATUSES,
    Customer,
    Order,
    OrderLine,
    Product,
    ProductCompatibility,
)

T = TypeVar("T")
MARGIN_PLACES = Decimal("0.0001")  # margin_rate is Numeric(5, 4)
Tick = Callable[[], None]


@dataclass(frozen=True)
class Layout:
    """The columns of one shop file: all required ones, then optional ones."""

    required: tuple[str, ...]
    optional: tuple[str, ...]

    def check(self, header: list[str], display: str, kind: str) -> None:
        missing = [name for name in self.required if name not in header]
        unknown = [name for name in header if name not in self.required + self.optional]
        duplicated = sorted(name for name, n in Counter(header).items() if n > 1)
        problems = []
        if missing:
            problems.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown column(s) {', '.join(repr(u) for u in unknown)}")
        if duplicated:
            problems.append(f"duplicated column(s) {', '.join(duplicated)}")
        if problems:
            raise UsageError(
                f"{display}:1: not a {kind} header: {'; '.join(problems)} "
                f"(columns: {','.join(self.required + self.optional)})"
            )


PRODUCTS = Layout(
    required=("sku", "name", "category", "price"),
    optional=(
        "margin_rate",
        "stock",
        "tier",
        "upgrade_to",
        "need_group",
        "compatible_with",
        "offer_regions",
        "offer_channels",
        "description",
        "includes",
        "is_subscription",
        "offerable",
    ),
)
CUSTOMERS = Layout(required=("id",), optional=("name", "email", "region"))
ORDERS = Layout(
    required=("order_id", "status", "placed_at", "sku", "quantity", "unit_price"),
    optional=("customer_id", "shipped_at", "delivered_at", "expected_delivery", "region"),
)
ORDER_FIELDS = (
    "customer_id",
    "status",
    "placed_at",
    "shipped_at",
    "delivered_at",
    "expected_delivery",
    "region",
)


class _Fields:
    """Typed access to one row's values; every failure names its column."""

    def __init__(self, row: Row) -> None:
        self._values = row.values

    def text(self, column: str, limit: int, required: bool = False) -> str | None:
        value = self._values.get(column, "").strip()
        if not value:
            if required:
                raise RowRejected(column, "missing")
            return None
        return self.parse(column, lambda t: check_length(t, limit), value)

    def parse(self, column: str, parse: Callable[[str], T], text: str) -> T:
        try:
            return parse(text)
        except ValueError as error:
            raise RowRejected(column, str(error)) from None

    def optional(self, column: str, parse: Callable[[str], T]) -> T | None:
        value = self._values.get(column, "").strip()
        return None if not value else self.parse(column, parse, value)

    def required(self, column: str, parse: Callable[[str], T]) -> T:
        value = self._values.get(column, "").strip()
        if not value:
            raise RowRejected(column, "missing")
        return self.parse(column, parse, value)


def _reject_each(
    rows: Sequence[Row], report: FileReport, parse: Callable[[Row], T], tick: Tick
) -> list[tuple[Row, T]]:
    parsed = []
    for row in rows:
        tick()
        try:
            parsed.append((row, parse(row)))
        except RowRejected as rejected:
            report.reject(row.line, rejected.column, rejected.reason)
    return parsed


# --------------------------------------------------------------------------- customers


def parse_customer(row: Row) -> dict[str, Any]:
    f = _Fields(row)
    email = f.text("email", 320)
    if email is not None and not _looks_like_email(email):
        raise RowRejected("email", f"not an email address: {email!r}")
    return {
        "id": f.text("id", 64, required=True),
        "name": f.text("name", 200),
        "email": email,
        "region": f.text("region", 100),
    }


def _looks_like_email(text: str) -> bool:
    local, at, domain = text.rpartition("@")
    return bool(at and local and "." in domain and " " not in text)


def import_customers(conn: Connection, csv_file: CsvFile, report: FileReport, tick: Tick) -> None:
    CUSTOMERS.check(csv_file.header, csv_file.display, "customers.csv")
    rows = _unique(_reject_each(list(csv_file.rows(report)), report, parse_customer, tick), "id", report)
    before = bulk.count(conn, Customer.__table__)
    now = datetime.utcnow()
    bulk.upsert(
        conn,
        Customer.__table__,
        [{**values, "created_at": now} for _, values in rows],
        key=["id"],
        update=["name", "email", "region"],
    )
    report.imported += len(rows)
    report.new["customers"] = bulk.count(conn, Customer.__table__) - before


def _unique(
    rows: list[tuple[Row, dict[str, Any]]], key: str, report: FileReport
) -> list[tuple[Row, dict[str, Any]]]:
    """A key twice in one file is ambiguous: keep the first, reject the rest."""
    seen: dict[Any, int] = {}
    kept = []
    for row, values in rows:
        first = seen.setdefault(values[key], row.line)
        if first != row.line:
            report.reject(row.line, key, f"duplicate of line {first}")
        else:
            kept.append((row, values))
    return kept


# --------------------------------------------------------------------------- products


@dataclass
class _ProductRow:
    values: dict[str, Any]
    upgrade_to: str | None
    compatible_with: list[str] = field(default_factory=list)


def parse_product(row: Row) -> _ProductRow:
    f = _Fields(row)
    sku = f.text("sku", 64, required=True)
    margin = f.optional("margin_rate", parse_decimal)
    if margin is not None and not 0 <= margin <= 1:
        raise RowRejected("margin_rate", f"must be between 0 and 1: {margin}")
    if margin is not None and margin != margin.quantize(MARGIN_PLACES):
        raise RowRejected("margin_rate", f"more than 4 decimal places: {margin}")
    stock = f.optional("stock", parse_int)
    if stock is not None and stock < 0:
        raise RowRejected("stock", f"negative stock: {stock}")
    tier = f.optional("tier", parse_int)
    if tier is not None and tier < 1:
        raise RowRejected("tier", f"tiers start at 1: {tier}")
    upgrade_to = f.text("upgrade_to", 64)
    if upgrade_to == sku:
        raise RowRejected("upgrade_to", "a product cannot upgrade to itself")
    compatible = f.optional("compatible_with", parse_list) or []
    regions = f.optional("offer_regions", parse_list)
    channels = f.optional("offer_channels", parse_list)
    offerable = f.optional("offerable", parse_bool)
    values = {
        "sku": sku,
        "name": f.text("name", 300, required=True),
        "category": f.text("category", 100, required=True),
        "price": f.required("price", parse_price),
        "margin_rate": margin,
        "stock": stock or 0,
        "tier": tier,
        "upgrade_to_sku": None,
        "need_group": f.text("need_group", 100),
        "description": f.optional("description", str),
        "includes": f.optional("includes", str),
        # Empty means "anywhere" / "any channel" (NULL), not "nowhere".
        "offer_regions": regions or None,
        "offer_channels": channels or None,
        "offerable": offerable if offerable is not None else True,
        "is_subscription": bool(f.optional("is_subscription", parse_bool)),
    }
    return _ProductRow(values, upgrade_to, [sku_ for sku_ in compatible if sku_ != sku])


def _check_references(
    conn: Connection, parsed: list[tuple[Row, _ProductRow]], report: FileReport
) -> list[tuple[Row, _ProductRow]]:
    """Reject rows that point at SKUs neither in the file nor in the database.

    Rejecting a row can orphan another row's reference, so repeat until stable.
    """
    referenced = {p.upgrade_to for _, p in parsed if p.upgrade_to} | {
        sku for _, p in parsed for sku in p.compatible_with
    }
    in_db = bulk.existing(conn, Product.__table__.c.sku, referenced)
    kept = parsed
    while True:
        known = in_db | {p.values["sku"] for _, p in kept}
        still: list[tuple[Row, _ProductRow]] = []
        for row, product in kept:
            if product.upgrade_to and product.upgrade_to not in known:
                report.reject(row.line, "upgrade_to", f"unknown sku {product.upgrade_to!r}")
                continue
            unknown = [sku for sku in product.compatible_with if sku not in known]
            if unknown:
                report.reject(row.line, "compatible_with", f"unknown sku(s) {', '.join(map(repr, unknown))}")
                continue
            still.append((row, product))
        if len(still) == len(kept):
            return still
        kept = still


def import_products(conn: Connection, csv_file: CsvFile, report: FileReport, tick: Tick) -> None:
    PRODUCTS.check(csv_file.header, csv_file.display, "products.csv")
    parsed = _reject_each(list(csv_file.rows(report)), report, parse_product, tick)
    seen: dict[str, int] = {}
    unique = []
    for row, product in parsed:
        first = seen.setdefault(product.values["sku"], row.line)
        if first != row.line:
            report.reject(row.line, "sku", f"duplicate of line {first}")
        else:
            unique.append((row, product))
    products = _check_references(conn, unique, report)
    table = Product.__table__
    before = bulk.count(conn, table)
    rows = [product.values for _, product in products]
    # Upgrade links are set after every row exists: the target may come later
    # in the file, and the foreign key is checked statement by statement.
    bulk.upsert(conn, table, rows, key=["sku"], update=[c for c in rows[0] if c != "sku"] if rows else [])
    links = [{"b_sku": p.values["sku"], "b_upgrade": p.upgrade_to} for _, p in products]
    if links:
        conn.execute(
            update(table)
            .where(table.c.sku == bindparam("b_sku"))
            .values(upgrade_to_sku=bindparam("b_upgrade")),
            links,
        )
    # compatible_with is the full list for the product: replace, not merge.
    skus = [product.values["sku"] for _, product in products]
    compatibility = ProductCompatibility.__table__
    for chunk in bulk.chunks(skus, 500):
        conn.execute(delete(compatibility).where(compatibility.c.sku.in_(list(chunk))))
    bulk.insert_ignore(
        conn,
        compatibility,
        [
            {"sku": product.values["sku"], "compatible_sku": other}
            for _, product in products
            for other in dict.fromkeys(product.compatible_with)
        ],
    )
    report.imported += len(products)
    report.new["products"] = bulk.count(conn, table) - before


# --------------------------------------------------------------------------- orders


def parse_order_line(row: Row) -> dict[str, Any]:
    f = _Fields(row)
    status = f.text("status", 20, required=True)
    if status not in ORDER_STATUSES:
        raise RowRejected("status", f"unknown status {status!r} (one of {', '.join(ORDER_STATUSES)})")
    placed_at = f.required("placed_at", parse_iso_datetime)
    values: dict[str, Any] = {
        "order_id": f.text("order_id", 64, required=True),
        "customer_id": f.text("customer_id", 64),
        "status": status,
        "placed_at": placed_at,
        "sku": f.text("sku", 64, required=True),
        "quantity": f.required("quantity", parse_int),
        "unit_price": f.required("unit_price", parse_price),
        "region": f.text("region", 100),
    }
    if values["quantity"] <= 0:
        raise RowRejected("quantity", f"must be positive: {values['quantity']}")
    for column in ("shipped_at", "delivered_at", "expected_delivery"):
        values[column] = f.optional(column, parse_iso_datetime)
    for column in ("shipped_at", "delivered_at"):
        if values[column] is not None and values[column] < placed_at:
            raise RowRejected(column, f"before placed_at ({placed_at:%Y-%m-%d %H:%M})")
    return values


def _check_order_lines(
    conn: Connection, parsed: list[tuple[Row, dict[str, Any]]], report: FileReport
) -> list[tuple[Row, dict[str, Any]]]:
    customers = bulk.existing(
        conn, Customer.__table__.c.id, {v["customer_id"] for _, v in parsed if v["customer_id"]}
    )
    skus = bulk.existing(conn, Product.__table__.c.sku, {v["sku"] for _, v in parsed})
    first: dict[str, tuple[int, dict[str, Any]]] = {}
    kept = []
    for row, values in parsed:
        if values["customer_id"] and values["customer_id"] not in customers:
            report.reject(
                row.line,
                "customer_id",
                f"unknown customer {values['customer_id']!r} (import customers first)",
            )
            continue
        if values["sku"] not in skus:
            report.reject(row.line, "sku", f"unknown sku {values['sku']!r} (import products first)")
            continue
        line, order = first.setdefault(values["order_id"], (row.line, values))
        differing = next((c for c in ORDER_FIELDS if values[c] != order[c]), None)
        if differing is not None:
            report.reject(
                row.line,
                differing,
                f"{values[differing]!s} differs from line {line} of order {values['order_id']} ({order[differing]!s})",
            )
            continue
        kept.append((row, values))
    return kept


def import_orders(conn: Connection, csv_file: CsvFile, report: FileReport, tick: Tick) -> None:
    ORDERS.check(csv_file.header, csv_file.display, "orders.csv")
    parsed = _reject_each(list(csv_file.rows(report)), report, parse_order_line, tick)
    lines = _check_order_lines(conn, parsed, report)
    orders: dict[str, dict[str, Any]] = {}
    for _, values in lines:
        orders.setdefault(
            values["order_id"],
            {"id": values["order_id"], **{c: values[c] for c in ORDER_FIELDS}, "source": "shop"},
        )
    names = dict(
        conn.execute(
            select(Product.__table__.c.sku, Product.__table__.c.name).where(
                Product.__table__.c.sku.in_({v["sku"] for _, v in lines})
            )
        ).all()
    )
    occurrences: Counter[tuple[str, str]] = Counter()
    line_rows = []
    for _, values in lines:
        occurrences[(values["order_id"], values["sku"])] += 1
        line_rows.append(
            {
                "order_id": values["order_id"],
                "line_key": f"{values['sku']}:{occurrences[(values['order_id'], values['sku'])]}",
                "sku": values["sku"],
                # The name at the time of import, so old orders read as sold.
                "description": names.get(values["sku"]),
                "quantity": values["quantity"],
                "unit_price": values["unit_price"],
            }
        )
    before_orders = bulk.count(conn, Order.__table__)
    before_lines = bulk.count(conn, OrderLine.__table__)
    bulk.upsert(conn, Order.__table__, list(orders.values()), key=["id"], update=[*ORDER_FIELDS, "source"])
    bulk.upsert(
        conn,
        OrderLine.__table__,
        line_rows,
        key=["order_id", "line_key"],
        update=["sku", "description", "quantity", "unit_price"],
    )
    report.imported += len(line_rows)
    report.new["orders"] = bulk.count(conn, Order.__table__) - before_orders
    report.new["order lines"] = bulk.count(conn, OrderLine.__table__) - before_lines
