"""Load and validate the shop's offer policy file.

``load_policy`` returns a ``Policy`` or raises ``PolicyError`` listing every
problem with its file, key path and line. Turning offers off when the file is bad
is the caller's job (DESIGN, "Failure"): support never depends on this file.
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from tactful.engine.policy_model import (
    KNOWN_CHANNELS,
    KNOWN_STAGES,
    Caps,
    Channels,
    Declines,
    Exclusions,
    Frustration,
    Holdout,
    IntRange,
    Links,
    Mining,
    OfferRule,
    Policy,
    Target,
    Trigger,
    Variant,
    WindowCap,
)
from tactful.engine.policy_parse import parse_document
from tactful.engine.policy_reader import Issues, PolicyIssue

__all__ = [
    "KNOWN_CHANNELS",
    "KNOWN_STAGES",
    "Caps",
    "Channels",
    "Declines",
    "Exclusions",
    "Frustration",
    "Holdout",
    "IntRange",
    "Links",
    "Mining",
    "OfferRule",
    "Policy",
    "PolicyError",
    "PolicyIssue",
    "Target",
    "Trigger",
    "Variant",
    "WindowCap",
    "check_file",
    "load_policy",
    "parse_policy_text",
]


class PolicyError(Exception):
    """The policy file is unusable; ``errors`` says where and why."""

    def __init__(self, errors: list[PolicyIssue]) -> None:
        self.errors = list(errors)
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.errors)
        lines = [f"invalid offer policy ({count} problem{'s' if count != 1 else ''}):"]
        lines.extend(f"  {issue}" for issue in self.errors)
        return "\n".join(lines)


def _yaml_problem(exc: YAMLError, source: str) -> PolicyIssue:
    line: int | None = None
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = " ".join(part for part in (exc.context, exc.problem) if part) or message
    return PolicyIssue(source, "", line, f"YAML syntax: {message}")


def parse_policy_text(text: str, source: str = "<policy>") -> Policy:
    """Parse policy YAML text; raises PolicyError with every problem found."""
    # Round-trip loading keeps line numbers; it also reads YAML 1.2, where
    # "no"/"on" are strings, so booleans must be written true/false.
    yaml = YAML(typ="rt")
    try:
        document = yaml.load(text)
    except YAMLError as exc:
        raise PolicyError([_yaml_problem(exc, source)]) from exc
    issues = Issues(source)
    policy = parse_document(document, source, issues)
    if issues.items:
        # Report in file order, so the list reads top to bottom like the file.
        raise PolicyError(sorted(issues.items, key=lambda i: (i.line is None, i.line or 0)))
    return policy


def load_policy(path: str | Path) -> Policy:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError([PolicyIssue(str(path), "", None, f"cannot read file: {exc}")]) from exc
    return parse_policy_text(text, str(path))


def check_file(path: str | Path) -> list[str]:
    """Error lines for a CLI (``tactful policy check``); empty when the file is fine."""
    try:
        load_policy(path)
    except PolicyError as exc:
        return [str(issue) for issue in exc.errors]
    return []
