"""Policy problems as the shop owner reads them: file, line, key path, message.

pydantic names a problem by its location in the data (``('offers', 0,
'message')``); the YAML document still knows the line of every key and item,
so each location is looked up there. Data built in code has no lines, and its
problems name only the key path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from tactful.engine.policy_fields import Loc

_ROOT = "__root__"  # pydantic's location of a whole-model check


@dataclass(frozen=True)
class PolicyIssue:
    file: str
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.path or '<top>'}: {self.message}"


class PolicyError(Exception):
    """The policy is unusable; ``errors`` says where and why."""

    def __init__(self, errors: list[PolicyIssue]) -> None:
        self.errors = list(errors)
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.errors)
        lines = [f"invalid offer policy ({count} problem{'s' if count != 1 else ''}):"]
        lines.extend(f"  {issue}" for issue in self.errors)
        return "\n".join(lines)


def _mark(container: Any, how: str, key: Any) -> int | None:
    """1-based line of a key, value or item, from ruamel.yaml's round-trip marks."""
    try:
        return int(getattr(container.lc, how)(key)[0]) + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return None


class Marks:
    """Lines of a loaded YAML document, looked up by pydantic location."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.top = 1 if hasattr(document, "lc") else None

    def _walk(self, loc: Loc) -> tuple[Any, int | None, int]:
        """The deepest node on ``loc`` that exists, its line, and how many parts led there."""
        node, line = self.document, self.top
        for depth, part in enumerate(loc):
            if isinstance(node, dict) and part in node:
                # An empty value (``caps:``) has no place of its own: use its key's.
                line = _mark(node, "value" if node[part] is not None else "key", part) or line
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                line = _mark(node, "item", part) or line
            else:
                return node, line, depth
            node = node[part]
        return node, line, len(loc)

    def line(self, loc: Loc) -> int | None:
        """The value's line; for a missing key, the line of the mapping that lacks it."""
        return self._walk(loc)[1]

    def key_line(self, loc: Loc) -> int | None:
        parent, line, depth = self._walk(loc[:-1])
        if depth == len(loc) - 1 and loc:
            return _mark(parent, "key", loc[-1]) or line
        return line


def dotted(loc: Loc) -> str:
    """``offers[0].trigger.owns_sku``: the key path as written in docs/policy.md."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _model_at(schema: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The schema model of the mapping at ``loc`` (list indexes pass through)."""
    model = schema
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.__fields__.get(part)
        inner = field.type_ if field is not None else None
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return None
        model = inner
    return model


def _message(kind: str, msg: str, loc: Loc, schema: type[BaseModel]) -> str:
    model = _model_at(schema, loc[:-1])
    if kind == "value_error.extra":
        known = ", ".join(sorted(model.__fields__)) if model is not None else "none"
        return f"unknown key (known: {known})"
    if kind == "value_error.missing":
        field = model.__fields__.get(str(loc[-1])) if model is not None and loc else None
        hint = field.field_info.extra.get("hint") if field is not None else None
        return f"is required ({hint})" if hint else "is required"
    return msg


def issues_from(
    error: ValidationError, document: Any, schema: type[BaseModel], source: str
) -> list[PolicyIssue]:
    """Every problem pydantic found, in file order (the list reads like the file)."""
    marks = Marks(document)
    issues: list[PolicyIssue] = []
    for item in error.errors():
        loc: Loc = tuple(part for part in item["loc"] if part != _ROOT)
        ctx = item.get("ctx") or {}
        at_key = item["type"] == "value_error.extra" or ctx.get("at_key", False)
        line = marks.key_line(loc) if at_key else marks.line(loc)
        message = _message(item["type"], item["msg"], loc, schema)
        if "first_index" in ctx:
            # A duplicate names its first occurrence: the same list, another index.
            index = max(i for i, part in enumerate(loc) if isinstance(part, int))
            first = (*loc[:index], ctx["first_index"], *loc[index + 1 :])
            first_line = marks.line(first)
            message += f" (first on line {first_line})" if first_line else f" (first at {dotted(first)})"
        issues.append(PolicyIssue(source, dotted(loc), line, message))
    return in_file_order(issues)


def in_file_order(issues: list[PolicyIssue]) -> list[PolicyIssue]:
    return sorted(issues, key=lambda issue: (issue.line is None, issue.line or 0))
