"""Read a CSV file as numbered rows, keeping every problem attached to a line.

Files are decoded as UTF-8 (a BOM is allowed) with ``surrogateescape`` so one
bad byte rejects one row, naming its column, instead of aborting the file.
Line numbers are physical lines: the header is line 1, and a row whose quoted
field spans lines is reported at the line where it starts.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from tactful.importer.report import FileReport, UsageError


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]


def _bad_byte(text: str) -> int | None:
    """The first undecodable byte smuggled in as a lone surrogate, if any."""
    for char in text:
        if "\udc80" <= char <= "\udcff":
            return ord(char) - 0xDC00
    return None


class CsvFile:
    """An open CSV file whose header has been read and checked for shape."""

    def __init__(self, path: Path, display: str, handle: TextIO, reader, header: list[str]) -> None:  # type: ignore[no-untyped-def]
        self.path = path
        self.display = display
        self.header = header
        self._handle = handle
        self._reader = reader

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> CsvFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def data_lines(self) -> int:
        """Physical lines after the header, for the progress bar's total."""
        with self.path.open("rb") as raw:
            return max(0, sum(chunk.count(b"\n") for chunk in iter(lambda: raw.read(1 << 20), b"")) - 1)

    def rows(self, report: FileReport) -> Iterator[Row]:
        """Rows with exactly one value per header column, as a name → text map.

        Rows of the wrong width, with undecodable bytes or broken quoting are
        rejected into ``report`` and not yielded. Blank lines are ignored.
        """
        width = len(self.header)
        while True:
            start = self._reader.line_num + 1
            try:
                fields = next(self._reader)
            except StopIteration:
                return
            except csv.Error as error:
                report.read += 1
                report.reject(start, None, f"malformed CSV: {error}")
                continue
            if not fields:
                continue
            report.read += 1
            if len(fields) < width:
                missing = self.header[len(fields)]
                report.reject(start, missing, f"missing (row has {len(fields)} fields, header has {width})")
                continue
            if len(fields) > width:
                report.reject(start, None, f"row has {len(fields)} fields, header has {width}")
                continue
            bad = next(
                (
                    (name, byte)
                    for name, value in zip(self.header, fields, strict=True)
                    if (byte := _bad_byte(value)) is not None
                ),
                None,
            )
            if bad is not None:
                report.reject(start, bad[0], f"not valid UTF-8 (byte 0x{bad[1]:02X})")
                continue
            yield Row(start, dict(zip(self.header, fields, strict=True)))


def open_csv(path: Path, display: str | None = None) -> CsvFile:
    """Open ``path`` and read its header, or raise UsageError saying why not."""
    shown = display or str(path)
    if not path.exists():
        raise UsageError(f"{shown}: no such file")
    if path.is_dir():
        raise UsageError(f"{shown}: is a directory, not a CSV file")
    try:
        handle = path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as error:
        raise UsageError(f"{shown}: cannot open: {error.strerror or error}") from error
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        handle.close()
        raise UsageError(f"{shown}: empty file (no header line)") from None
    except (csv.Error, OSError) as error:
        handle.close()
        raise UsageError(f"{shown}:1: unreadable header: {error}") from error
    if any(_bad_byte(name) is not None for name in header):
        handle.close()
        raise UsageError(f"{shown}:1: unreadable header: not valid UTF-8")
    return CsvFile(path, shown, handle, reader, [name.strip() for name in header])
