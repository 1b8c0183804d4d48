"""customers.csv: one row per customer, keyed on ``id``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from tactful.importer import bulk
from tactful.importer.reader import CsvFile, Row
from tactful.importer.report import FileReport, RowRejected
from tactful.importer.shop.rows import Fields, Layout, Tick, reject_each, unique
from tactful.store.models import Customer

CUSTOMERS = Layout(required=("id",), optional=("name", "email", "region"))


def parse_customer(row: Row) -> dict[str, Any]:
    f = Fields(row)
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
    rows = unique(reject_each(list(csv_file.rows(report)), report, parse_customer, tick), "id", report)
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
