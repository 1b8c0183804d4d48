"""The shop's own CSV format: round trip into the database and back, updates
on re-import, and row-level rejections (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from tactful.importer.runner import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, run_import
from tactful.store.models import Customer, Order, OrderLine, Product, ProductCompatibility
from tactful.store.unit_of_work import uow_for

PRODUCT_COLUMNS = [
    "sku",
    "name",
    "category",
    "price",
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
]
PRODUCTS = [
    # The upgrade target comes later in the file on purpose.
    ["CAM-1", "Camera One", "camera", "499.00", "0.18", "3", "1", "CAM-2", "camera", "", "", "", "", "", ""],
    [
        "CAM-2",
        'Camera "Two", weatherproof',
        "camera",
        "749",
        "",
        "1",
        "2",
        "",
        "camera",
        "",
        "United Kingdom; Germany",
        "web;slack",
        "Line one,\nline two — ünïcödé",
        "Body; lens; strap",
        "no",
    ],
    [
        "SD-1",
        "SD card",
        "memory_card",
        "24.99",
        "0.45",
        "0",
        "",
        "",
        "memory_card",
        "CAM-1;CAM-2",
        "",
        "",
        "",
        "",
        "",
    ],
    ["PLAN-1", "Plan", "subscription", "5.00", "0.8", "100000", "1", "", "plan", "", "", "", "", "", "yes"],
]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _run(kind: str, path: Path, url: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_import(kind, [str(path)], url, quiet=True, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _load_shop(url: str, tmp_path: Path, new_orders: int = 2, new_lines: int = 4) -> None:
    assert _run("products", _write(tmp_path / "products.csv", PRODUCT_COLUMNS, PRODUCTS), url)[0] == EXIT_OK
    customers = _write(
        tmp_path / "customers.csv",
        ["id", "name", "email", "region"],
        [["K1", "Kim, Jr.", "kim@example.com", "United Kingdom"], ["K2", "", "", ""]],
    )
    assert _run("customers", customers, url)[0] == EXIT_OK
    orders = _write(
        tmp_path / "orders.csv",
        [
            "order_id",
            "customer_id",
            "status",
            "placed_at",
            "sku",
            "quantity",
            "unit_price",
            "shipped_at",
            "delivered_at",
            "expected_delivery",
            "region",
        ],
        [
            [
                "1001",
                "K1",
                "shipped",
                "2026-01-02 10:00",
                "CAM-1",
                "1",
                "499.00",
                "2026-01-03",
                "",
                "2026-01-07",
                "UK",
            ],
            [
                "1001",
                "K1",
                "shipped",
                "2026-01-02 10:00",
                "SD-1",
                "2",
                "20.00",
                "2026-01-03",
                "",
                "2026-01-07",
                "UK",
            ],
            [
                "1001",
                "K1",
                "shipped",
                "2026-01-02 10:00",
                "SD-1",
                "1",
                "24.99",
                "2026-01-03",
                "",
                "2026-01-07",
                "UK",
            ],
            ["1002", "", "placed", "2026-01-05T08:00:00+01:00", "PLAN-1", "1", "5", "", "", "", ""],
        ],
    )
    code, out, err = _run("orders", orders, url)
    assert code == EXIT_OK, err
    assert f"new rows: {new_orders} orders, {new_lines} order lines" in out


def test_round_trip(db_url: str, tmp_path: Path) -> None:
    _load_shop(db_url, tmp_path)
    with uow_for(db_url) as uow:
        one, two, card, plan = (uow.products.get(s) for s in ("CAM-1", "CAM-2", "SD-1", "PLAN-1"))
        assert (one.name, one.price, one.margin_rate, one.stock, one.tier) == (
            "Camera One",
            Decimal("499.00"),
            Decimal("0.1800"),
            3,
            1,
        )
        assert one.upgrade_to_sku == "CAM-2" and one.offer_regions is None and one.offerable
        assert two.name == 'Camera "Two", weatherproof' and two.price == Decimal("749.00")
        assert two.offer_regions == ["United Kingdom", "Germany"] and two.offer_channels == ["web", "slack"]
        assert two.description == "Line one,\nline two — ünïcödé" and two.includes == "Body; lens; strap"
        assert two.margin_rate is None and two.is_subscription is False
        assert card.stock == 0 and card.tier is None
        assert plan.is_subscription is True
        assert sorted(uow.products.compatibility_pairs()) == [("SD-1", "CAM-1"), ("SD-1", "CAM-2")]
        kim = uow.customers.get("K1")
        assert (kim.name, kim.email, kim.region) == ("Kim, Jr.", "kim@example.com", "United Kingdom")
        assert uow.customers.get("K2").name is None
        order = uow.orders.get_for_customer("1001", "K1")
        assert (order.status, order.placed_at, order.shipped_at, order.delivered_at) == (
            "shipped",
            datetime(2026, 1, 2, 10, 0),
            datetime(2026, 1, 3),
            None,
        )
        assert order.source == "shop" and order.region == "UK"
        lines = sorted(
            (line.line_key, line.quantity, line.unit_price, line.description) for line in order.lines
        )
        assert lines == [
            ("CAM-1:1", 1, Decimal("499.00"), "Camera One"),
            ("SD-1:1", 2, Decimal("20.00"), "SD card"),
            ("SD-1:2", 1, Decimal("24.99"), "SD card"),
        ]
        guest = uow.session.get(Order, "1002")
        assert guest.customer_id is None
        assert guest.placed_at == datetime(2026, 1, 5, 7, 0)  # offsets become naive UTC


def test_reimport_updates_without_duplicating(db_url: str, tmp_path: Path) -> None:
    _load_shop(db_url, tmp_path)
    _load_shop(db_url, tmp_path, new_orders=0, new_lines=0)
    with uow_for(db_url) as uow:
        counts = [
            uow.session.execute(select(func.count()).select_from(m)).scalar_one()
            for m in (Product, ProductCompatibility, Customer, Order, OrderLine)
        ]
    assert counts == [4, 2, 2, 2, 4]
    changed = [list(row) for row in PRODUCTS]
    changed[0][3] = "449.00"  # price cut
    changed[2][9] = "CAM-2"  # no longer listed as fitting CAM-1
    assert _run("products", _write(tmp_path / "p2.csv", PRODUCT_COLUMNS, changed), db_url)[0] == EXIT_OK
    with uow_for(db_url) as uow:
        assert uow.products.get("CAM-1").price == Decimal("449.00")
        assert uow.products.get("CAM-1").upgrade_to_sku == "CAM-2"
        assert uow.products.compatibility_pairs() == [("SD-1", "CAM-2")]


def test_shop_rows_rejected_with_reasons(db_url: str, tmp_path: Path) -> None:
    _load_shop(db_url, tmp_path)
    products = _write(
        tmp_path / "bad_products.csv",
        PRODUCT_COLUMNS,
        [
            ["X-1", "X", "misc", "-1", "", "", "", "", "", "", "", "", "", "", ""],
            ["X-2", "X", "misc", "1.999", "", "", "", "", "", "", "", "", "", "", ""],
            ["X-3", "X", "misc", "1", "1.5", "", "", "", "", "", "", "", "", "", ""],
            ["X-4", "X", "misc", "1", "", "-2", "", "", "", "", "", "", "", "", ""],
            ["X-5", "X", "misc", "1", "", "", "", "NOPE", "", "", "", "", "", "", ""],
            ["X-6", "X", "misc", "1", "", "", "", "", "", "CAM-1;GHOST", "", "", "", "", ""],
            ["X-7", "X", "misc", "1", "", "", "", "X-5", "", "", "", "", "", "", ""],
            ["X-8", "", "misc", "1", "", "", "", "", "", "", "", "", "", "", "maybe"],
            ["X-9", "Fine", "misc", "1", "", "", "", "CAM-1", "", "", "", "", "", "", ""],
            ["X-9", "Again", "misc", "1", "", "", "", "", "", "", "", "", "", "", ""],
            ["X-10", "X", "misc", "1", "0.12345", "", "", "", "", "", "", "", "", "", ""],
        ],
    )
    code, out, err = _run("products", products, db_url)
    shown = str(products)
    assert code == EXIT_REJECTED
    assert err.splitlines() == (
        [
            f"{shown}:2: column 'price': price is negative: -1",
            f"{shown}:3: column 'price': more than 2 decimal places: 1.999",
            f"{shown}:4: column 'margin_rate': must be between 0 and 1: 1.5",
            f"{shown}:5: column 'stock': negative stock: -2",
            f"{shown}:6: column 'upgrade_to': unknown sku 'NOPE'",
            f"{shown}:7: column 'compatible_with': unknown sku(s) 'GHOST'",
            # X-7 points at X-5, which was itself rejected.
            f"{shown}:8: column 'upgrade_to': unknown sku 'X-5'",
            f"{shown}:9: column 'name': missing",
            f"{shown}:11: column 'sku': duplicate of line 10",
            f"{shown}:12: column 'margin_rate': more than 4 decimal places: 0.12345",
        ]
    )
    assert "imported 1" in out
    orders = _write(
        tmp_path / "bad_orders.csv",
        ["order_id", "customer_id", "status", "placed_at", "sku", "quantity", "unit_price"],
        [
            ["2001", "K1", "lost", "2026-01-02", "CAM-1", "1", "1"],
            ["2002", "NOBODY", "placed", "2026-01-02", "CAM-1", "1", "1"],
            ["2003", "K1", "placed", "2026-01-02", "GHOST", "1", "1"],
            ["2004", "K1", "placed", "2026-01-02", "CAM-1", "0", "1"],
            ["2005", "K1", "placed", "02/01/2026", "CAM-1", "1", "1"],
            ["2006", "K1", "placed", "2026-01-02", "CAM-1", "1", "1"],
            ["2006", "K1", "shipped", "2026-01-02", "SD-1", "1", "1"],
        ],
    )
    code, _, err = _run("orders", orders, db_url)
    shown = str(orders)
    assert code == EXIT_REJECTED
    assert err.splitlines() == [
        f"{shown}:2: column 'status': unknown status 'lost' (one of placed, shipped, delivered, cancelled, returned)",
        f"{shown}:3: column 'customer_id': unknown customer 'NOBODY' (import customers first)",
        f"{shown}:4: column 'sku': unknown sku 'GHOST' (import products first)",
        f"{shown}:5: column 'quantity': must be positive: 0",
        f"{shown}:6: column 'placed_at': bad date '02/01/2026' (expected YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS])",
        f"{shown}:8: column 'status': shipped differs from line 7 of order 2006 (placed)",
    ]
    with uow_for(db_url) as uow:
        assert [line.sku for line in uow.orders.get_for_customer("2006", "K1").lines] == ["CAM-1"]


def test_shop_header_errors(sqlite_url: str, tmp_path: Path) -> None:
    path = _write(tmp_path / "p.csv", ["sku", "name", "prise", "category"], [["A", "B", "1", "c"]])
    code, _, err = _run("products", path, sqlite_url)
    assert code == EXIT_USAGE
    assert err.startswith(
        f"error: {path}:1: not a products.csv header: missing column(s) price; unknown column(s) 'prise'"
    )
