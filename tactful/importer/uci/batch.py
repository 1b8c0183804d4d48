"""A file's valid lines gathered per invoice, ready for bulk insertion."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from tactful.importer.reader import CsvFile
from tactful.importer.report import FileReport, RowRejected
from tactful.importer.uci.parse import UciLine, check_sign, parse_row, skip_rule


@dataclass
class _Invoice:
    first_line: int
    customer_id: str | None
    country: str | None
    placed_at: datetime
    cancelled: bool


@dataclass
class UciBatch:
    """Everything one file contributes, ready for bulk insertion."""

    invoices: dict[str, _Invoice] = field(default_factory=dict)
    customers: dict[str, str | None] = field(default_factory=dict)
    lines: list[dict[str, object]] = field(default_factory=list)
    latest: dict[str, UciLine] = field(default_factory=dict)
    occurrences: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, line: UciLine) -> None:
        """Add a valid line, or raise RowRejected if it contradicts its invoice."""
        invoice = self.invoices.get(line.invoice)
        if invoice is None:
            invoice = _Invoice(line.line, line.customer_id, line.country, line.placed_at, line.cancelled)
            self.invoices[line.invoice] = invoice
        elif invoice.customer_id != line.customer_id:
            raise RowRejected(
                "CustomerID",
                f"invoice {line.invoice} belongs to customer {invoice.customer_id or 'none'} "
                f"(line {invoice.first_line})",
            )
        invoice.placed_at = min(invoice.placed_at, line.placed_at)
        if line.customer_id is not None and line.customer_id not in self.customers:
            self.customers[line.customer_id] = line.country
        previous = self.latest.get(line.code)
        if previous is None or line.placed_at >= previous.placed_at:
            self.latest[line.code] = line
        # Occurrence index within the invoice in file order: stable across
        # re-runs of the same file, so re-imports hit the unique key.
        self.occurrences[(line.invoice, line.code)] += 1
        self.lines.append(
            {
                "order_id": line.invoice,
                "line_key": f"{line.code}:{self.occurrences[(line.invoice, line.code)]}",
                "sku": line.code,
                "description": line.description,
                # Cancellations are negative in the file; a returned order
                # stores what was returned as a positive quantity.
                "quantity": abs(line.quantity),
                "unit_price": line.unit_price,
            }
        )


def read_batch(csv_file: CsvFile, report: FileReport, tick: Callable[[], None]) -> UciBatch:
    batch = UciBatch()
    for row in csv_file.rows(report):
        tick()
        try:
            line = parse_row(row)
            rule = skip_rule(line)
            if rule is not None:
                report.skip(rule)
                continue
            check_sign(line)
            batch.add(line)
        except RowRejected as rejected:
            report.reject(row.line, rejected.column, rejected.reason)
    return batch
