"""Reading baskets from a file: the I/O side of co-purchase mining (the engine reads nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


def iter_baskets(path: str | Path) -> Iterator[list[str]]:
    """Baskets from a file with one basket per line, comma-separated item codes."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            items = [code.strip() for code in line.rstrip("\n").split(",")]
            items = [code for code in items if code]
            if items:
                yield items


def read_baskets(path: str | Path) -> list[list[str]]:
    return list(iter_baskets(path))
