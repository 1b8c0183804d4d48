"""What every shop file shares: its header check and typed access to a row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from tactful.importer.fields import check_length
from tactful.importer.reader import Row
from tactful.importer.report import FileReport, RowRejected, UsageError

T = TypeVar("T")
Tick = Callable[[], None]


@dataclass(frozen=True)
class Layout:
    """The columns of one shop file: all required ones, then optional ones."""

    required: tuple[str, ...]
    optional: tuple[str, ...]

    def check(self, header: list[str], display: str, kind: str) -> None:
        missing = [name for name in self.required if name not in header]
        unknown = [name for name in header if name not in self.required + self.optional]
        duplicated = sorted(name for name, n in Counter(header).items() if n > 1)
        problems = []
        if missing:
            problems.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown column(s) {', '.join(repr(u) for u in unknown)}")
        if duplicated:
            problems.append(f"duplicated column(s) {', '.join(duplicated)}")
        if problems:
            raise UsageError(
                f"{display}:1: not a {kind} header: {'; '.join(problems)} "
                f"(columns: {','.join(self.required + self.optional)})"
            )


class Fields:
    """Typed access to one row's values; every failure names its column."""

    def __init__(self, row: Row) -> None:
        self._values = row.values

    def text(self, column: str, limit: int, required: bool = False) -> str | None:
        value = self._values.get(column, "").strip()
        if not value:
            if required:
                raise RowRejected(column, "missing")
            return None
        return self.parse(column, lambda t: check_length(t, limit), value)

    def parse(self, column: str, parse: Callable[[str], T], text: str) -> T:
        try:
            return parse(text)
        except ValueError as error:
            raise RowRejected(column, str(error)) from None

    def optional(self, column: str, parse: Callable[[str], T]) -> T | None:
        value = self._values.get(column, "").strip()
        return None if not value else self.parse(column, parse, value)

    def required(self, column: str, parse: Callable[[str], T]) -> T:
        value = self._values.get(column, "").strip()
        if not value:
            raise RowRejected(column, "missing")
        return self.parse(column, parse, value)


def reject_each(
    rows: Sequence[Row], report: FileReport, parse: Callable[[Row], T], tick: Tick
) -> list[tuple[Row, T]]:
    parsed = []
    for row in rows:
        tick()
        try:
            parsed.append((row, parse(row)))
        except RowRejected as rejected:
            report.reject(row.line, rejected.column, rejected.reason)
    return parsed


def unique(
    rows: list[tuple[Row, dict[str, Any]]], key: str, report: FileReport
) -> list[tuple[Row, dict[str, Any]]]:
    """A key twice in one file is ambiguous: keep the first, reject the rest."""
    seen: dict[Any, int] = {}
    kept = []
    for row, values in rows:
        first = seen.setdefault(values[key], row.line)
        if first != row.line:
            report.reject(row.line, key, f"duplicate of line {first}")
        else:
            kept.append((row, values))
    return kept
