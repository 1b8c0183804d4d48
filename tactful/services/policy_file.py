"""Read the offer policy file: the I/O half of policy loading.

The engine validates text and opens no files (docs/architecture.md), so the
file is read here and handed over with its name, which every error message
then starts with.
"""

from __future__ import annotations

from pathlib import Path

from tactful.engine.policy import PolicyError, PolicyIssue, parse_policy_text
from tactful.engine.policy_model import Policy


def load_policy(path: str | Path) -> Policy:
    """The validated policy in ``path``; raises PolicyError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError([PolicyIssue(str(path), "", None, f"cannot read file: {exc}")]) from exc
    return parse_policy_text(text, str(path))


def check_file(path: str | Path) -> list[str]:
    """Error lines for ``tactful policy check`` (``file:line: key: message``); empty when fine."""
    try:
        load_policy(path)
    except PolicyError as exc:
        return [str(issue) for issue in exc.errors]
    return []
