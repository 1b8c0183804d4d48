"""Reply shapes shared by the output channels."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def numbered_text(text: str, titles: Sequence[str]) -> str:
    """One message that lists the choices by number, never showing a payload.

    Same wording as actions/replies.py, so "1" / "2" mean the same everywhere.
    """
    if not titles:
        return text
    options = [f"{index} for {title}" for index, title in enumerate(titles, start=1)]
    listed = options[0] if len(options) == 1 else ", ".join(options[:-1]) + " or " + options[-1]
    return f"{text}\nReply {listed}."


def titles_of(options: Iterable[dict[str, Any]]) -> list[str]:
    return [str(option.get("title") or "") for option in options if option.get("title")]


def chunks(text: str, limit: int) -> list[str]:
    """Split an over-long text at line or word breaks so each part fits ``limit``."""
    text = text.strip()
    parts: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        cut = cut if cut > 0 else limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts
