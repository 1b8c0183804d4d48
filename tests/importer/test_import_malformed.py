"""Malformed input: exact ``file:line: column 'X': why`` messages, exit codes,
and the valid rows of a file still imported (on SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tactful.importer.runner import EXIT_DATABASE, EXIT_OK, EXIT_REJECTED, EXIT_USAGE, run_import
from tactful.store.migrate import head_revision
from tactful.store.models import Order, OrderLine
from tactful.store.unit_of_work import uow_for

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
R_HEADER = (
    '"","InvoiceNo","StockCode","Description","Quantity","InvoiceDate","UnitPrice","CustomerID","Country"\n'
)

MIXED = (
    HEADER.encode()
    + b"536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n"
    + b"536365,71053,WHITE METAL LANTERN,six,2010-12-01 08:26:00,3.39,17850.0,United Kingdom\n"
    + b"536366,22633,HAND WARMER UNION JACK,6,2010-13-01 08:28:00,1.85,17850.0,United Kingdom\n"
    + b"536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,2010-12-01 08:34:00,1.69,13047.0\n"
    + b"536367,22745,POPPY'S PLAYHOUSE BEDROOM ,6,2010-12-01 08:34:00,-2.10,13047.0,United Kingdom\n"
    + b"536367,,NO CODE,1,2010-12-01 08:34:00,1.00,13047.0,United Kingdom\n"
    + b"536368,22960,JAM MAKING SET caf\xe9,6,2010-12-01 08:34:00,4.25,13047.0,United Kingdom\n"
    + b"536369,21756,BATH BUILDING BLOCK WORD,3,2010-12-01 08:35:00,5.95,ABC,United Kingdom\n"
    + b"536370,22728,ALARM CLOCK BAKELIKE PINK,24,2010-12-01 08:45:00,0.0,0.0,United Kingdom\n"
    + b"536371,22086,PAPER CHAIN KIT,-5,2010-12-01 09:00:00,2.55,13047.0,United Kingdom\n"
    + b"C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527.0,United Kingdom\n"
    + b"536365,22752,SET 7 BABUSHKA NESTING BOXES,2,2010-12-01 08:26:00,7.65,99999.0,United Kingdom\n"
    + b'536372,22632,"HAND WARMER\nRED POLKA DOT",6,2010-12-01 09:01:00,1.85,,United Kingdom\n'
    + b"536373,22633,HAND WARMER UNION JACK,1.5,2010-12-01 09:02:00,1.85,17850.0,United Kingdom\n"
    + b"536373,22633,HAND WARMER UNION JACK,1,2010-12-01 09:02:00,1.85,17850.0,United Kingdom,extra\n"
    + b"C536374,22633,HAND WARMER UNION JACK,3,2010-12-01 09:02:00,1.85,17850.0,United Kingdom\n"
    + b"536375,22633,HAND WARMER UNION JACK,0,2010-12-01 09:02:00,1.85,17850.0,United Kingdom\n"
)


def _expected(path: Path) -> list[str]:
    return [
        f"{path}:3: column 'Quantity': not an integer: 'six'",
        f"{path}:4: column 'InvoiceDate': bad date '2010-13-01 08:28:00' "
        "(expected YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS])",
        f"{path}:5: column 'Country': missing (row has 7 fields, header has 8)",
        f"{path}:6: column 'UnitPrice': price is negative: -2.10",
        f"{path}:7: column 'StockCode': missing",
        f"{path}:8: column 'Description': not valid UTF-8 (byte 0xE9)",
        f"{path}:9: column 'CustomerID': not a customer number: 'ABC'",
        f"{path}:11: column 'Quantity': negative quantity -5 on sale invoice 536371 "
        "(only invoices starting with C are cancellations)",
        f"{path}:13: column 'CustomerID': invoice 536365 belongs to customer 17850 (line 2)",
        # Line 14's quoted field spans two lines, so the next row starts on 16.
        f"{path}:16: column 'Quantity': not an integer: '1.5'",
        f"{path}:17: row has 9 fields, header has 8",
        f"{path}:18: column 'Quantity': positive quantity 3 on cancellation invoice C536374",
    ]


def _run(kind: str, paths: list[Path | str], url: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_import(kind, [str(p) for p in paths], url, quiet=True, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _lines(url: str) -> list[tuple[str, str, int, str | None]]:
    with uow_for(url) as uow:
        rows = uow.session.execute(
            select(OrderLine.order_id, OrderLine.sku, OrderLine.quantity, OrderLine.description).order_by(
                OrderLine.order_id
            )
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_malformed_rows_are_reported_and_valid_rows_imported(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(MIXED)
    code, out, err = _run("uci", [path], db_url)
    assert code == EXIT_REJECTED
    assert err.splitlines() == _expected(path)
    assert out.startswith(f"{path}: rows read 17, imported 3, skipped 2, rejected 12")
    assert "quantity 0: 1" in out and "unit price 0 (stock adjustment, not a sale): 1" in out
    assert _lines(db_url) == [
        ("536365", "85123A", 6, "WHITE HANGING HEART T-LIGHT HOLDER"),
        ("536372", "22632", 6, "HAND WARMER\nRED POLKA DOT"),
        ("C536379", "D", 1, "Discount"),
    ]
    with uow_for(db_url) as uow:
        assert uow.session.get(Order, "536372").customer_id is None
        assert uow.session.get(Order, "C536379").status == "returned"
    # Re-running reports the same problems and adds nothing.
    assert _run("uci", [path], db_url)[:1] == (EXIT_REJECTED,)
    assert len(_lines(db_url)) == 3


def test_r_export_variant_errors(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        R_HEADER
        + '"1","573442","21479","WHITE SKULL HOT WATER BOTTLE ",4,"10/31/2011 10:42",4.25,12488,"France"\n'
        + '"2","573443","21480","X",4,"13/31/2011 10:42",4.25,NA,"France"\n'
        + '"3","573444","21481","Y",4,"10/31/2011 10:42",abc,NA,"France"\n',
        encoding="utf-8",
    )
    code, _, err = _run("uci", [path], db_url)
    assert code == EXIT_REJECTED
    assert err.splitlines() == [
        f"{path}:3: column 'InvoiceDate': bad date '13/31/2011 10:42' (expected M/D/YYYY H:MM)",
        f"{path}:4: column 'UnitPrice': not a number: 'abc'",
    ]
    assert _lines(db_url) == [("573442", "21479", 4, "WHITE SKULL HOT WATER BOTTLE ")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file (no header line)"),
        (b"Invoice,Code\n1,2\n", "1: not a UCI Online Retail header; expected InvoiceNo,StockCode,"),
        (HEADER.replace("Country", "Land").encode(), "1: not a UCI Online Retail header"),
        (b"InvoiceNo,StockC\xf6de\n", "1: unreadable header: not valid UTF-8"),
    ],
    ids=["empty", "wrong-header", "renamed-column", "non-utf8-header"],
)
def test_usage_errors_stop_before_anything_is_written(
    sqlite_url: str, tmp_path: Path, content: bytes, message: str
) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(MIXED.splitlines(keepends=True)[0] + MIXED.splitlines(keepends=True)[1])
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    code, out, err = _run("uci", [good, bad], sqlite_url)
    assert code == EXIT_USAGE
    assert err.startswith(f"error: {bad}:") and message in err
    assert out == ""
    assert _lines(sqlite_url) == []  # the good file was not imported either


def test_missing_file_and_directory(sqlite_url: str, tmp_path: Path) -> None:
    code, _, err = _run("uci", [tmp_path / "nope.csv"], sqlite_url)
    assert (code, err) == (EXIT_USAGE, f"error: {tmp_path / 'nope.csv'}: no such file\n")
    code, _, err = _run("uci", [tmp_path], sqlite_url)
    assert (code, err) == (EXIT_USAGE, f"error: {tmp_path}: is a directory, not a CSV file\n")


def test_header_only_file_imports_nothing(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text(HEADER, encoding="utf-8")
    code, out, _ = _run("uci", [path], sqlite_url)
    assert code == EXIT_OK
    assert out.startswith(f"{path}: rows read 0, imported 0, skipped 0, rejected 0")


def test_unmigrated_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text(HEADER, encoding="utf-8")
    code, _, err = _run("uci", [path], f"sqlite:///{tmp_path / 'empty.db'}")
    assert code == EXIT_DATABASE
    assert f"not {head_revision()}; run `python -m tactful db upgrade` first" in err


def test_ten_thousand_rows_all_import(db_url: str, tmp_path: Path) -> None:
    # Its speed (goal: under 8 s) is measured by bench/bench_import.py.
    rows = [HEADER]
    for n in range(10_000):
        invoice = 600000 + n // 8
        customer = 13000 + invoice % 700
        rows.append(
            f"{invoice},{20000 + n % 900},ITEM {n % 900},{1 + n % 5},2011-01-01 10:00,1.25,{customer}.0,UK\n"
        )
    path = tmp_path / "big.csv"
    path.write_text("".join(rows), encoding="utf-8")
    code, out, err = _run("uci", [path], db_url)
    assert code == EXIT_OK, err
    assert err == ""
    assert out.startswith(f"{path}: rows read 10000, imported 10000, skipped 0, rejected 0")
    with uow_for(db_url) as uow:
        assert uow.session.execute(select(func.count()).select_from(OrderLine)).scalar_one() == 10_000
        assert uow.session.execute(select(func.count()).select_from(Order)).scalar_one() == 1_250
