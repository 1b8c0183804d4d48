"""Typed access to a parsed YAML document that collects errors with line numbers.

Validation reports every problem at once (a shop fixing a policy file should not
have to run the check ten times), so readers never raise: they record an issue
naming the file, the key path and the line, and return a safe default.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any


@dataclass(frozen=True)
class PolicyIssue:
    file: str
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.path or '<top>'}: {self.message}"


class Issues:
    """The error list for one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[PolicyIssue] = []

    def add(self, path: str, line: int | None, message: str) -> None:
        self.items.append(PolicyIssue(self.file, path, line, message))


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _line_of_key(container: Any, key: str) -> int | None:
    try:
        return int(container.lc.key(key)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return None


def _line_of_value(container: Any, key: str) -> int | None:
    try:
        return int(container.lc.value(key)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return _line_of_key(container, key)


def _line_of_item(seq: Any, index: int) -> int | None:
    try:
        return int(seq.lc.item(index)[0]) + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return None


class Section:
    """One YAML mapping at a key path, with typed getters."""

    def __init__(self, data: dict[str, Any], path: str, line: int | None, issues: Issues) -> None:
        self.data = data
        self.path = path
        self.line = line
        self.issues = issues

    # -- plumbing ---------------------------------------------------------------------------
    def sub(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key in self.data

    def key_line(self, key: str) -> int | None:
        return _line_of_key(self.data, key) or self.line

    def value_line(self, key: str) -> int | None:
        return _line_of_value(self.data, key) or self.line

    def error(self, key: str | None, message: str) -> None:
        if key is None:
            self.issues.add(self.path, self.line, message)
        else:
            self.issues.add(self.sub(key), self.value_line(key), message)

    def only_keys(self, allowed: set[str] | frozenset[str]) -> None:
        for key in self.data:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.issues.add(self.sub(str(key)), self.key_line(str(key)), f"unknown key (known: {known})")

    def _raw(self, key: str) -> Any:
        return self.data.get(key)

    # -- scalars ----------------------------------------------------------------------------
    def integer(self, key: str, default: int, *, minimum: int | None = None) -> int:
        if key not in self.data:
            return default
        value = self._raw(key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(key, f"expected a whole number, got {_type_name(value)}")
            return default
        if minimum is not None and value < minimum:
            self.error(key, f"must be at least {minimum}, got {value}")
            return default
        return int(value)

    def days(self, key: str, default: int) -> int:
        """A number of days: a whole number above zero."""
        return self.integer(key, default, minimum=1)

    def number(
        self,
        key: str,
        default: Decimal,
        *,
        minimum: Decimal | None = None,
        maximum: Decimal | None = None,
    ) -> Decimal:
        if key not in self.data:
            return default
        value = self._raw(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(key, f"expected a number, got {_type_name(value)}")
            return default
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.error(key, f"not a number: {value!r}")
            return default
        if not number.is_finite():
            self.error(key, "must be a finite number")
            return default
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            self.error(key, f"must be between {minimum} and {maximum}, got {value}")
            return default
        return number

    def share(self, key: str, default: float) -> float:
        """A fraction in [0, 1]."""
        return float(self.number(key, Decimal(str(default)), minimum=Decimal(0), maximum=Decimal(1)))

    def flag(self, key: str, default: bool) -> bool:
        if key not in self.data:
            return default
        value = self._raw(key)
        if not isinstance(value, bool):
            # YAML 1.2 reads on/off/yes/no as strings; say so rather than guess.
            self.error(key, f"expected true or false, got {_type_name(value)} {value!r}")
            return default
        return value

    def text(self, key: str, default: str | None, *, required: bool = False) -> str | None:
        if key not in self.data:
            if required:
                self.issues.add(self.sub(key), self.line, "is required")
            return default
        value = self._raw(key)
        if not isinstance(value, str) or not value.strip():
            self.error(key, f"expected a non-empty string, got {_type_name(value)}")
            return default
        return str(value)

    def names(self, key: str, *, known: frozenset[str] | None = None, what: str = "value") -> frozenset[str]:
        """A string or a list of strings, optionally from a known set."""
        if key not in self.data:
            return frozenset()
        value = self._raw(key)
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            self.error(key, f"expected a string or a list of strings, got {_type_name(value)}")
            return frozenset()
        result: set[str] = set()
        for index, item in enumerate(items):
            line = _line_of_item(items, index) or self.value_line(key)
            path = f"{self.sub(key)}[{index}]" if items is value else self.sub(key)
            if not isinstance(item, str) or not item.strip():
                self.issues.add(path, line, f"expected a string, got {_type_name(item)}")
                continue
            if known is not None and item not in known:
                options = ", ".join(sorted(known))
                self.issues.add(path, line, f"unknown {what} {item!r} (known: {options})")
                continue
            result.add(item)
        return frozenset(result)

    # -- containers ---------------------------------------------------------------------------
    def section(self, key: str) -> Section | None:
        if key not in self.data:
            return None
        value = self._raw(key)
        if not isinstance(value, dict):
            self.error(key, f"expected a mapping, got {_type_name(value)}")
            return None
        return Section(value, self.sub(key), self.value_line(key), self.issues)

    def items(self, key: str) -> Iterator[tuple[int, Any, str, int | None]]:
        """Yield (index, item, path, line) for a list value."""
        if key not in self.data:
            return
        value = self._raw(key)
        if not isinstance(value, list):
            self.error(key, f"expected a list, got {_type_name(value)}")
            return
        for index, item in enumerate(value):
            line = _line_of_item(value, index) or self.value_line(key)
            yield index, item, f"{self.sub(key)}[{index}]", line

    def as_section(self, item: Any, path: str, line: int | None) -> Section | None:
        if not isinstance(item, dict):
            self.issues.add(path, line, f"expected a mapping, got {_type_name(item)}")
            return None
        return Section(item, path, line, self.issues)
