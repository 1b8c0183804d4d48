"""Generate a large synthetic shop (customers, orders, order lines) for benchmarks.

Uses the demo catalog so the default policy's rules fire. Rows are streamed
with PostgreSQL COPY or SQLite executemany; indexes exist before loading (the
migration creates them), which is slower to load but is what production has.
"""

from __future__ import annotations

import io
import random
import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import make_url

from tactful.demo.loader import load_demo
from tactful.store.database import get_engine, is_sqlite
from tactful.store.migrate import upgrade

LINES_PER_ORDER = (1, 2, 3, 4, 5)  # mean 3
SKUS = (
    "CAM-X100",
    "CAM-X200",
    "SD-64",
    "SD-128",
    "BAT-X",
    "BAG-CAM",
    "TRIPOD-T1",
    "HP-100",
    "HP-200",
    "LAP-13",
    "SLV-13",
    "HUB-C",
    "PLAN-BASIC",
    "PLAN-PRO",
)
STATUSES = ("delivered",) * 8 + ("shipped", "returned")


def customer_id(index: int) -> str:
    return f"G{index:07d}"


def _rows(customers: int, lines: int, seed: int, now: datetime) -> Iterator[tuple[str, list[tuple]]]:
    """Yield (order row, its lines) until ``lines`` order lines were produced."""
    rng = random.Random(seed)
    produced = 0
    order_number = 0
    while produced < lines:
        order_number += 1
        count = min(rng.choice(LINES_PER_ORDER), lines - produced)
        placed = now - timedelta(days=rng.uniform(0, 400))
        order_id = f"B{order_number:09d}"
        order = (order_id, customer_id(rng.randrange(customers)), rng.choice(STATUSES), placed)
        order_lines = [(order_id, f"L{n}", rng.choice(SKUS), 1, "10.00") for n in range(count)]
        produced += count
        yield order, order_lines


def _chunks(
    customers: int, lines: int, seed: int, now: datetime, size: int = 50_000
) -> Iterator[tuple[list, list]]:
    orders: list[tuple] = []
    order_lines: list[tuple] = []
    for order, its_lines in _rows(customers, lines, seed, now):
        orders.append((*order, "bench"))
        order_lines.extend(its_lines)
        if len(orders) >= size:
            yield orders, order_lines
            orders, order_lines = [], []
    if orders:
        yield orders, order_lines


def _customers(count: int, now: datetime) -> Iterator[tuple]:
    for index in range(count):
        yield customer_id(index), f"Customer {index}", "United Kingdom", now


def _pg_copy(cursor, table: str, columns: str, rows: Iterator[tuple] | list[tuple]) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(str(value) for value in row) + "\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


CUSTOMER_COLUMNS = "id, name, region, created_at"
ORDER_COLUMNS = "id, customer_id, status, placed_at, source"
LINE_COLUMNS = "order_id, line_key, sku, quantity, unit_price"


def generate(url: str, customers: int, lines: int, seed: int = 1) -> float:
    """Create the schema, demo catalog and synthetic history; returns seconds taken."""
    started = time.perf_counter()
    upgrade(url)
    load_demo(url)
    now = datetime.utcnow().replace(microsecond=0)
    if is_sqlite(url):
        _generate_sqlite(make_url(url).database, customers, lines, seed, now)
    else:
        _generate_postgres(url, customers, lines, seed, now)
    return time.perf_counter() - started


def _generate_sqlite(database: str, customers: int, lines: int, seed: int, now: datetime) -> None:
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA synchronous=OFF")

    def insert(table: str, columns: str, rows) -> None:
        marks = ",".join("?" * len(columns.split(",")))
        connection.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)

    insert("customers", CUSTOMER_COLUMNS, _customers(customers, now))
    for orders, order_lines in _chunks(customers, lines, seed, now):
        insert("orders", ORDER_COLUMNS, orders)
        insert("order_lines", LINE_COLUMNS, order_lines)
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()


def _generate_postgres(url: str, customers: int, lines: int, seed: int, now: datetime) -> None:
    raw = get_engine(url).raw_connection()
    try:
        cursor = raw.cursor()
        _pg_copy(cursor, "customers", CUSTOMER_COLUMNS, _customers(customers, now))
        for orders, order_lines in _chunks(customers, lines, seed, now):
            _pg_copy(cursor, "orders", ORDER_COLUMNS, orders)
            _pg_copy(cursor, "order_lines", LINE_COLUMNS, order_lines)
        raw.commit()
    finally:
        raw.close()
    with get_engine(url).connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
