"""The JSON events a helpdesk receives (schema in docs/handoff.md).

``id`` is stable across retries, so a receiver deduplicates on it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tactful.handoff.summary import iso

CREATED = "handoff.created"
MESSAGE = "handoff.message"


def created_event(
    handoff_id: int, conversation_id: str, summary: dict[str, Any], created_at: datetime
) -> dict[str, Any]:
    return {
        "id": f"handoff-{handoff_id}",
        "type": CREATED,
        "handoff_id": handoff_id,
        "conversation_id": conversation_id,
        "created_at": iso(created_at),
        "summary": summary,
    }


def message_event(
    handoff_id: int, conversation_id: str, message_id: int, text: str, sent_at: datetime
) -> dict[str, Any]:
    return {
        "id": f"handoff-{handoff_id}-message-{message_id}",
        "type": MESSAGE,
        "handoff_id": handoff_id,
        "conversation_id": conversation_id,
        "created_at": iso(sent_at),
        "message": {"id": message_id, "from": "customer", "text": text, "sent_at": iso(sent_at)},
    }
