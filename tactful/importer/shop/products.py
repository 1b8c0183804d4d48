"""products.csv: one row per SKU, with upgrade and compatibility links to other SKUs."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, delete, update
from sqlalchemy.engine import Connection

from tactful.importer import bulk
from tactful.importer.fields import parse_bool, parse_decimal, parse_int, parse_list, parse_price
from tactful.importer.reader import CsvFile, Row
from tactful.importer.report import FileReport, RowRejected
from tactful.importer.shop.rows import Fields, Layout, Tick, reject_each
from tactful.store.models import Product, ProductCompatibility

MARGIN_PLACES = Decimal("0.0001")  # margin_rate is Numeric(5, 4)
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


@dataclass
class _ProductRow:
    values: dict[str, Any]
    upgrade_to: str | None
    compatible_with: list[str] = field(default_factory=list)


def parse_product(row: Row) -> _ProductRow:
    f = Fields(row)
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
    parsed = reject_each(list(csv_file.rows(report)), report, parse_product, tick)
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
