"""socket.io channel for the website widget that never errors on bad input.

The stock channel raises on a malformed ``customData`` string and trusts any
``session_id`` a client sends. This one ignores unreadable metadata (the
visitor is then anonymous), answers a malformed message with a short error,
and accepts a session id only from the socket that requested it.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic

from tactful.channels.guards import (
    MAX_MESSAGE_CHARS,
    MAX_SENDER_CHARS,
    neutralise_payload,
    start_new_session_if_customer_changed,
)

logger = logging.getLogger(__name__)
UNREADABLE = "Sorry, I couldn't read that message. Please try again."


def parse_custom_data(raw: Any) -> dict[str, Any]:
    """customData as a dict; anything unreadable becomes {} (anonymous)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (ValueError, TypeError):
            return {}
    return raw if isinstance(raw, dict) else {}


class ValidatedSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        sessions: dict[str, str] = {}

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            if not isinstance(requested, str) or not requested or len(requested) > MAX_SENDER_CHARS:
                requested = uuid.uuid4().hex
            sessions[sid] = requested
            if self.session_persistence:
                # python-socketio is pinned to 5.9, where enter_room is synchronous.
                sio.enter_room(sid, requested)
            await sio.emit("session_confirm", requested, room=sid)

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            sessions.pop(sid, None)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            output = SocketIOOutput(sio, self.bot_message_evt)
            if not isinstance(data, dict):
                await output.send_text_message(sid, UNREADABLE)
                return
            sender_id = sid
            if self.session_persistence:
                session_id = data.get("session_id")
                if session_id != sessions.get(sid):
                    await output.send_text_message(sid, "Your chat session expired. Please reload the page.")
                    return
                sender_id = session_id
            text = data.get("message")
            if not isinstance(text, str) or not text.strip() or len(text) > MAX_MESSAGE_CHARS:
                await output.send_text_message(sender_id, UNREADABLE)
                return
            metadata = parse_custom_data(data.get(self.metadata_key))
            try:
                app = Sanic.get_app()
                await start_new_session_if_customer_changed(app, sender_id, metadata, self.name())
            except Exception:  # noqa: BLE001 - a failed check must not lose the message
                logger.exception("session check failed for %s", sender_id)
            await on_new_message(
                UserMessage(
                    neutralise_payload(text), output, sender_id, input_channel=self.name(), metadata=metadata
                )
            )

        return blueprint
