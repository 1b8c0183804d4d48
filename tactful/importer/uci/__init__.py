"""UCI Online Retail rows → customers, products, orders and order lines.

Two variants are detected by their header: the original CSV (ISO dates,
CustomerID like ``17850.0``, missing customer ``0.0``) and R's ``write.csv``
export (a leading unnamed row-number column, US dates, missing ``NA``).
The rules are documented in docs/import.md; the constants in ``parse`` and
``write`` name them. A file is parsed row by row (``parse``), gathered per
invoice (``batch``), then written in bulk (``write``).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Connection

from tactful.engine.codes import is_non_product
from tactful.importer.reader import CsvFile
from tactful.importer.report import FileReport
from tactful.importer.uci.batch import UciBatch, read_batch
from tactful.importer.uci.parse import COLUMNS, UciLine, detect_variant, parse_row
from tactful.importer.uci.write import refresh_products, write_batch

__all__ = [
    "COLUMNS",
    "UciBatch",
    "UciLine",
    "detect_variant",
    "import_file",
    "is_non_product",
    "parse_row",
    "read_batch",
    "refresh_products",
    "write_batch",
]


def import_file(conn: Connection, csv_file: CsvFile, report: FileReport, tick: Callable[[], None]) -> None:
    detect_variant(csv_file.header, csv_file.display)
    write_batch(conn, read_batch(csv_file, report, tick), report)
