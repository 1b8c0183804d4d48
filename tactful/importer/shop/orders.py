"""orders.csv: one row per order line; the order's own columns repeat on each line."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from tactful.importer import bulk
from tactful.importer.fields import parse_int, parse_iso_datetime, parse_price
from tactful.importer.reader import CsvFile, Row
from tactful.importer.report import FileReport, RowRejected
from tactful.importer.shop.rows import Fields, Layout, Tick, reject_each
from tactful.store.kinds import ORDER_STATUSES
from tactful.store.models import Customer, Order, OrderLine, Product

ORDERS = Layout(
    required=("order_id", "status", "placed_at", "sku", "quantity", "unit_price"),
    optional=("customer_id", "shipped_at", "delivered_at", "expected_delivery", "region"),
)
# Columns of the order itself: every line of one order must agree on them.
ORDER_FIELDS = (
    "customer_id",
    "status",
    "placed_at",
    "shipped_at",
    "delivered_at",
    "expected_delivery",
    "region",
)


def parse_order_line(row: Row) -> dict[str, Any]:
    f = Fields(row)
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
    parsed = reject_each(list(csv_file.rows(report)), report, parse_order_line, tick)
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
