"""The real UCI Online Retail files, imported into SQLite and PostgreSQL.

Expected numbers were counted from the raw files with the csv module and the
documented rules (docs/import.md), independently of the importer.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from tactful.importer.runner import EXIT_OK, run_import
from tactful.store import models
from tactful.store.models import Customer, Order, OrderLine, Product
from tactful.store.unit_of_work import uow_for

SAMPLE = "online_retail_sample.csv"
R_EXPORT = "online_retail_r_export.csv"
NON_PRODUCT = {
    "AMAZONFEE",
    "BANK CHARGES",
    "C2",
    "CRUK",
    "D",
    "DCGSSBOY",
    "DCGSSGIRL",
    "DOT",
    "M",
    "PADS",
    "POST",
    "S",
    "gift_0001_10",
    "gift_0001_20",
    "gift_0001_30",
    "gift_0001_40",
    "gift_0001_50",
    "m",
}


def _import(url: str, *paths: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_import("uci", [str(p) for p in paths], url, quiet=True, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _count(uow, model, *where) -> int:  # type: ignore[no-untyped-def]
    query = select(func.count()).select_from(model)
    for condition in where:
        query = query.where(condition)
    return int(uow.session.execute(query).scalar_one())


def _snapshot(url: str) -> dict[str, object]:
    """Every table's row count plus the product rows' content."""
    with uow_for(url) as uow:
        counts = {
            t.name: uow.session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in models.metadata.sorted_tables
        }
        products = uow.session.execute(
            select(Product.sku, Product.name, Product.price, Product.offerable).order_by(Product.sku)
        ).all()
        lines = uow.session.execute(
            select(OrderLine.order_id, OrderLine.line_key, OrderLine.quantity, OrderLine.unit_price).order_by(
                OrderLine.order_id, OrderLine.line_key
            )
        ).all()
    return {"counts": counts, "products": products, "lines": lines}


def _line(uow, order_id: str, sku: str) -> OrderLine:  # type: ignore[no-untyped-def]
    return uow.session.scalars(
        select(OrderLine).where(OrderLine.order_id == order_id).where(OrderLine.sku == sku)
    ).one()


def test_both_real_files(db_url: str, shared_data: Path) -> None:
    # Its speed (goal: under 15 s) is measured by bench/bench_import.py.
    code, out, err = _import(db_url, shared_data / SAMPLE, shared_data / R_EXPORT)
    assert code == EXIT_OK, err
    assert err == ""
    assert f"{shared_data / SAMPLE}: rows read 4792, imported 4171, skipped 621, rejected 0" in out
    assert "unit price 0 (stock adjustment, not a sale): 620" in out
    assert "invoice starting with A (accounting adjustment): 1" in out
    assert f"{shared_data / R_EXPORT}: rows read 2709, imported 2698, skipped 11, rejected 0" in out
    assert "total: rows read 7501, imported 6869, skipped 632, rejected 0" in out

    with uow_for(db_url) as uow:
        assert _count(uow, Order) == 3392
        assert _count(uow, Order, Order.status == "returned") == 92
        assert _count(uow, Order, Order.status == "delivered") == 3300
        assert _count(uow, Order, Order.source != "uci") == 0
        # Rows without a customer are kept, for co-purchase statistics.
        assert _count(uow, Order, Order.customer_id.is_(None)) == 519
        assert (
            _count(
                uow,
                OrderLine.__table__.join(Order.__table__),
                Order.customer_id.is_(None),
            )
            == 1908  # distinct lines: 12 appear in both files
        )
        assert _count(uow, OrderLine) == 6845
        # 874 + 1171 customers, 408 of them in both files ("17850.0" = "17850").
        assert _count(uow, Customer) == 1637
        assert uow.customers.get("17850") is not None and uow.customers.get("17850.0") is None
        assert {o.id for o in uow.orders.recent_for_customer("17850", limit=100)} >= {"536365", "536373"}
        assert uow.customers.get("12488").region == "France"
        # Non-product codes exist as products but are never offerable.
        assert _count(uow, Product) == 3935
        blocked = set(uow.session.scalars(select(Product.sku).where(Product.offerable.is_(False))))
        assert blocked == NON_PRODUCT
        assert uow.products.get("POST").category == "general"
        assert uow.products.get("POST").margin_rate is None
        # Descriptions keep their odd spacing, quotes and case exactly.
        assert _line(uow, "573442", "21479").description == "WHITE SKULL HOT WATER BOTTLE "
        assert _line(uow, "568137", "23007").description == " SPACEBOY BABY GIFT SET"
        assert _line(uow, "536378", "85099C").description == "JUMBO  BAG BAROQUE BLACK WHITE"
        assert _line(uow, "545464", "90036E").description == 'FLOWER GLASS GARLD NECKL36"AMETHYST'
        # Cancellations: status returned, positive quantity, line data kept.
        returned = _line(uow, "C536383", "35004C")
        assert (returned.quantity, returned.unit_price) == (1, Decimal("4.65"))
        assert returned.description == "SET OF 3 COLOURED  FLYING DUCKS"
        assert returned.order.status == "returned" and returned.order.customer_id == "15311"
        # A line in both files is stored once.
        assert _count(uow, OrderLine, OrderLine.order_id == "536373", OrderLine.sku == "82482") == 1
        # Price is the latest seen; 0.001 rounds to cents.
        assert uow.products.get("PADS").price == Decimal("0.00")
        order = uow.session.get(Order, "536365")
        assert (order.customer_id, order.region, str(order.placed_at)) == (
            "17850",
            "United Kingdom",
            "2010-12-01 08:26:00",
        )

    before = _snapshot(db_url)
    code, out, _ = _import(db_url, shared_data / SAMPLE, shared_data / R_EXPORT)
    assert code == EXIT_OK
    assert "new rows: 0 customers, 0 products, 0 orders, 0 order lines" in out
    assert _snapshot(db_url) == before


def test_file_order_does_not_change_products(sqlite_url: str, shared_data: Path) -> None:
    assert _import(sqlite_url, shared_data / R_EXPORT, shared_data / SAMPLE)[0] == EXIT_OK
    with uow_for(sqlite_url) as uow:
        product = uow.products.get("85123A")
        # Latest line across both files (sample, 2011-12-09), whatever the order.
        assert (product.name, product.price) == ("CREAM HANGING HEART T-LIGHT HOLDER", Decimal("2.95"))
        assert uow.products.get("21479").name == "WHITE SKULL HOT WATER BOTTLE "


def test_12488_with_and_without_decimal_is_one_customer(
    db_url: str, shared_data: Path, tmp_path: Path
) -> None:
    original = tmp_path / "original.csv"
    original.write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "999001,21479,WHITE SKULL HOT WATER BOTTLE ,2,2011-11-30 10:00:00,4.25,12488.0,France\n",
        encoding="utf-8",
    )
    assert _import(db_url, shared_data / R_EXPORT, original)[0] == EXIT_OK
    with uow_for(db_url) as uow:
        assert _count(uow, Customer, Customer.id.like("12488%")) == 1
        orders = {o.id for o in uow.orders.recent_for_customer("12488", limit=10)}
        assert orders == {"573442", "568137", "999001"}
