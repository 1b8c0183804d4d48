"""``python -m tactful import`` as a real subprocess: messages and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tactful import cli
from tactful.store.models import OrderLine
from tactful.store.unit_of_work import uow_for

REPO_ROOT = Path(__file__).resolve().parents[2]
HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


def tactful(*args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TACTFUL_SHOP_DB_URL"}
    if url:
        env["TACTFUL_SHOP_DB_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "tactful", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _line_count(url: str) -> int:
    with uow_for(url) as uow:
        return int(uow.session.execute(select(func.count()).select_from(OrderLine)).scalar_one())


def test_rejected_rows_exit_1_with_messages(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        HEADER
        + "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n"
        + "536365,71053,WHITE METAL LANTERN,6,yesterday,3.39,17850.0,United Kingdom\n"
        + "536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,17850.0\n",
        encoding="utf-8",
    )
    done = tactful("import", "uci", str(path), url=sqlite_url)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"{path}:3: column 'InvoiceDate': bad date 'yesterday' (expected YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS])",
        f"{path}:4: column 'Country': missing (row has 7 fields, header has 8)",
    ]
    assert done.stdout.startswith(f"{path}: rows read 3, imported 1, skipped 0, rejected 2")
    assert _line_count(sqlite_url) == 1


def test_real_file_on_postgresql_via_db_url(pg_url: str, shared_data: Path) -> None:
    done = tactful(
        "import", "uci", str(shared_data / "online_retail_r_export.csv"), "--quiet", "--db-url", pg_url
    )
    assert done.returncode == 0, done.stderr
    assert "rows read 2709, imported 2698, skipped 11, rejected 0" in done.stdout
    assert done.stderr == ""
    assert _line_count(pg_url) == 2698


def test_usage_errors_exit_2_without_traceback(sqlite_url: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    done = tactful("import", "uci", str(tmp_path / "missing.csv"), str(empty), url=sqlite_url)
    # Files are checked in order before anything is written; the first problem is reported.
    assert (done.returncode, done.stderr) == (2, f"error: {tmp_path / 'missing.csv'}: no such file\n")
    done = tactful("import", "uci", str(empty), url=sqlite_url)
    assert (done.returncode, done.stderr) == (2, f"error: {empty}: empty file (no header line)\n")


def test_argument_errors(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    for argv, message in (
        (["import", "nonsense", "x.csv"], "invalid choice: 'nonsense'"),
        (["import", "uci"], "the following arguments are required: FILE"),
    ):
        with pytest.raises(SystemExit) as exited:
            cli.main([*argv, "--db-url", sqlite_url])
        assert exited.value.code == 2
        assert message in capsys.readouterr().err


def test_unmigrated_database_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "h.csv"
    path.write_text(HEADER, encoding="utf-8")
    assert cli.main(["import", "uci", str(path), "--db-url", f"sqlite:///{tmp_path / 'blank.db'}"]) == 3
    assert "run `python -m tactful db upgrade` first" in capsys.readouterr().err
