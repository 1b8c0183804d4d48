"""What an import run reports: rejected rows, skip counts and the summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


class UsageError(Exception):
    """The run cannot start (missing file, unreadable header): exit code 2."""


@dataclass(frozen=True)
class Rejection:
    """One malformed row, printed as ``file:line: column 'X': why``."""

    file: str
    line: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        if self.column is None:
            return f"{self.file}:{self.line}: {self.reason}"
        return f"{self.file}:{self.line}: column '{self.column}': {self.reason}"


class RowRejected(Exception):
    """Raised while parsing one row; the caller turns it into a Rejection."""

    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass
class FileReport:
    """Counts for one file. ``imported`` counts valid rows written (new or
    already present); ``new`` counts rows the database did not have yet."""

    file: str
    read: int = 0
    imported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    rejected: list[Rejection] = field(default_factory=list)
    new: Counter[str] = field(default_factory=Counter)

    def reject(self, line: int, column: str | None, reason: str) -> None:
        self.rejected.append(Rejection(self.file, line, column, reason))

    def skip(self, rule: str) -> None:
        self.skipped[rule] += 1

    def summary(self) -> str:
        skipped = sum(self.skipped.values())
        parts = [
            f"{self.file}: rows read {self.read}",
            f"imported {self.imported}",
            f"skipped {skipped}",
            f"rejected {len(self.rejected)}",
        ]
        text = ", ".join(parts)
        if self.skipped:
            rules = "; ".join(f"{rule}: {count}" for rule, count in sorted(self.skipped.items()))
            text += f" (skipped by rule: {rules})"
        if self.new:
            created = ", ".join(f"{count} {what}" for what, count in self.new.items())
            text += f"; new rows: {created}"
        return text
