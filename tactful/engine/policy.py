"""Validate the shop's offer policy: YAML text or data in, a ``Policy`` out.

Both entry points return a ``Policy`` or raise ``PolicyError`` listing every
problem with its key path (and, for YAML text, file and line). The engine opens
no files: reading the policy file is the job of
``tactful.services.policy_file``. Turning offers off when the policy is bad is
the caller's job too (docs/policy.md): support never depends on it.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from tactful.engine.policy_errors import Marks, PolicyError, PolicyIssue, issues_from
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
from tactful.engine.policy_schema import PolicyFile

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
    "parse_policy_text",
    "policy_from_data",
]


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
    # "no"/"on" are strings, so booleans must be written true/false. It refuses
    # a key given twice, which a plain load would silently overwrite.
    try:
        document = YAML(typ="rt").load(text)
    except YAMLError as exc:
        raise PolicyError([_yaml_problem(exc, source)]) from exc
    if document is None:
        raise PolicyError([PolicyIssue(source, "", 1, "the file is empty")])
    return _validated(document, source)


def policy_from_data(data: Any, source: str = "<data>") -> Policy:
    """Validate a policy given as plain data (the shape of the YAML file).

    The same rules as for a file apply; problems carry no line numbers.
    """
    return _validated(data, source)


def _validated(document: Any, source: str) -> Policy:
    marks = Marks(document)
    if not isinstance(document, dict):
        raise PolicyError([PolicyIssue(source, "", marks.top, "the top level must be a mapping")])
    try:
        schema = PolicyFile.validate(document)
    except ValidationError as exc:
        raise PolicyError(issues_from(exc, document, PolicyFile, source)) from None
    return schema.to_policy(source, [marks.line(("offers", index)) for index in range(len(schema.offers))])
