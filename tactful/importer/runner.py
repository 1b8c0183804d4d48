"""One ``tactful import KIND FILE...`` run: check, import, report, exit code.

Every file's header is checked before anything is written, so a typo in the
last file name does not leave the first files half-imported. Each file is
then imported in its own transaction: its valid rows commit together.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from tactful.importer import shop, uci
from tactful.importer.progress import progress
from tactful.importer.reader import CsvFile, open_csv
from tactful.importer.report import FileReport, UsageError
from tactful.store.database import get_engine
from tactful.store.migrate import current_revision, head_revision

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_DATABASE = 3
# Bulk statements on a big file may take longer than a chat request may.
IMPORT_TIMEOUT_SECONDS = 120.0

Importer = Callable[[Connection, CsvFile, FileReport, Callable[[], None]], None]
HeaderCheck = Callable[[list[str], str], object]

IMPORTERS: dict[str, tuple[HeaderCheck, Importer]] = {
    "products": (
        lambda header, shown: shop.PRODUCTS.check(header, shown, "products.csv"),
        shop.import_products,
    ),
    "customers": (
        lambda header, shown: shop.CUSTOMERS.check(header, shown, "customers.csv"),
        shop.import_customers,
    ),
    "orders": (lambda header, shown: shop.ORDERS.check(header, shown, "orders.csv"), shop.import_orders),
    "uci": (uci.detect_variant, uci.import_file),
}


def _open_all(kind: str, paths: list[str]) -> list[CsvFile]:
    check, _ = IMPORTERS[kind]
    opened: list[CsvFile] = []
    try:
        for shown in paths:
            csv_file = open_csv(Path(shown), shown)
            opened.append(csv_file)
            check(csv_file.header, shown)
    except UsageError:
        for csv_file in opened:
            csv_file.close()
        raise
    return opened


def _check_database(url: str) -> str | None:
    """Why the database cannot take an import, or None when it can."""
    try:
        current = current_revision(url)
    except SQLAlchemyError as error:
        return f"cannot open the shop database: {_first_line(error)}"
    if current != head_revision():
        return (
            f"the shop database is at revision {current or 'none'}, not {head_revision()}; "
            "run `python -m tactful db upgrade` first"
        )
    return None


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    return str(original).strip().splitlines()[0] if str(original).strip() else type(error).__name__


def run_import(
    kind: str,
    paths: list[str],
    url: str,
    quiet: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    if kind not in IMPORTERS:
        print(f"error: unknown import kind {kind!r} (one of {', '.join(IMPORTERS)})", file=err)
        return EXIT_USAGE
    if not paths:
        print("error: no files given", file=err)
        return EXIT_USAGE
    try:
        files = _open_all(kind, paths)
    except UsageError as error:
        print(f"error: {error}", file=err)
        return EXIT_USAGE
    problem = _check_database(url)
    if problem is not None:
        for csv_file in files:
            csv_file.close()
        print(f"error: {problem}", file=err)
        return EXIT_DATABASE
    _, importer = IMPORTERS[kind]
    engine = get_engine(url, IMPORT_TIMEOUT_SECONDS)
    reports: list[FileReport] = []
    try:
        for csv_file in files:
            report = FileReport(csv_file.display)
            try:
                with progress(csv_file.display, csv_file.data_lines(), quiet) as tick:
                    with engine.begin() as conn:
                        importer(conn, csv_file, report, tick)
            except SQLAlchemyError as error:
                print(
                    f"error: {csv_file.display}: database error, nothing imported from this file: "
                    f"{_first_line(error)}",
                    file=err,
                )
                return EXIT_DATABASE
            finally:
                csv_file.close()
            # Rules run in passes (fields, then references); print in file order.
            for rejection in sorted(report.rejected, key=lambda r: r.line):
                print(rejection, file=err)
            print(report.summary(), file=out)
            reports.append(report)
    finally:
        for csv_file in files:
            csv_file.close()
    if len(reports) > 1:
        print(_total(reports), file=out)
    return EXIT_REJECTED if any(report.rejected for report in reports) else EXIT_OK


def _total(reports: list[FileReport]) -> str:
    return (
        f"total: rows read {sum(r.read for r in reports)}, "
        f"imported {sum(r.imported for r in reports)}, "
        f"skipped {sum(sum(r.skipped.values()) for r in reports)}, "
        f"rejected {sum(len(r.rejected) for r in reports)}"
    )
