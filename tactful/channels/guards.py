"""Checks every input channel applies before a message reaches Rasa.

* Typed intent payloads (``/restart``, ``/greet{"customer_id": "C7"}``) are
  turned into plain text, so users cannot restart a paused conversation or set
  slots through entities. Only the exact payloads of our own buttons pass.
* When the verified customer behind a conversation changes, a new session
  starts, so nothing said to one customer is shown to another.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic import Sanic

from tactful.identity import identity_from_metadata
from tactful.settings import load_settings

logger = logging.getLogger(__name__)

BUTTON_PAYLOADS = frozenset({"/accept_offer", "/decline_offer", "/affirm", "/deny"})
MAX_MESSAGE_CHARS = 5000
MAX_SENDER_CHARS = 200


def neutralise_payload(text: str) -> str:
    """Keep our own button payloads; make any other typed payload plain text."""
    stripped = text.strip()
    if stripped in BUTTON_PAYLOADS:
        return stripped
    if stripped.startswith("/"):
        return stripped.lstrip("/").strip() or "?"
    return text


def _customer_of(metadata: Any) -> str | None:
    identity = identity_from_metadata(metadata, load_settings().jwt_secret)
    return identity.customer_id if identity else None


async def start_new_session_if_customer_changed(
    app: Sanic, sender_id: str, metadata: dict[str, Any] | None, input_channel: str
) -> bool:
    """Start a fresh session when the token's customer differs from the last one."""
    agent = getattr(app.ctx, "agent", None)
    if agent is None or agent.tracker_store is None:
        return False
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is None:
        return False
    previous = None
    for event in reversed(tracker.events):
        if getattr(event, "type_name", None) == "session_started":
            break
        if getattr(event, "type_name", None) == "user":
            previous = _customer_of(event.metadata)
            break
    if previous is None or previous == _customer_of(metadata):
        return False
    logger.info("Customer changed in conversation %s; starting a new session", sender_id)
    await agent.handle_message(
        UserMessage(
            "/session_start",
            CollectingOutputChannel(),
            sender_id,
            input_channel=input_channel,
            metadata=metadata,
        )
    )
    return True
