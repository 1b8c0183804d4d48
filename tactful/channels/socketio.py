"""socket.io channel for the website widget that never errors on bad input.

The stock channel raises on a malformed ``customData`` string and trusts any
``session_id`` a client sends. This one ignores unreadable metadata (the
visitor is then anonymous), answers a malformed message with a short error,
and accepts a session id only from the socket that requested it.

It also states which page origins may connect. The stock server disables
python-engineio's origin handling (``cors_allowed_origins=[]``): it sends no
CORS headers, so a page on another port cannot use socket.io's long-polling
transport (the first one socket.io-client tries), and it accepts a WebSocket
from any site. With origins configured, engineio answers CORS for those pages
and refuses connections from every other page.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic

from tactful.channels.guards import (
    MAX_MESSAGE_CHARS,
    MAX_SENDER_CHARS,
    neutralise_payload,
    start_new_session_if_customer_changed,
)
from tactful.channels.pause import pause_aware

logger = logging.getLogger(__name__)
UNREADABLE = "Sorry, I couldn't read that message. Please try again."
SESSION_EXPIRED = "Your chat session expired. Please reload the page."


def parse_custom_data(raw: Any) -> dict[str, Any]:
    """customData as a dict; anything unreadable becomes {} (anonymous)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (ValueError, TypeError, RecursionError):
            return {}
    return raw if isinstance(raw, dict) else {}


def allowed_origins(configured: Any, environ: dict[str, str] | None = None) -> list[str]:
    """Page origins allowed to connect; [] keeps the stock behaviour.

    Order: TACTFUL_WEB_ORIGINS (comma-separated), then ``cors_allowed_origins``
    from credentials.yml, then the demo page on TACTFUL_WEB_PORT (both the
    127.0.0.1 and the localhost spelling, since a browser treats them as two
    origins).
    """
    env = os.environ if environ is None else environ
    listed = env.get("TACTFUL_WEB_ORIGINS")
    if listed:
        return _clean(listed.split(","))
    if isinstance(configured, str):
        return _clean(configured.split(","))
    if isinstance(configured, Iterable):
        return _clean(str(item) for item in configured)
    port = env.get("TACTFUL_WEB_PORT")
    if port and port.isdigit():
        return [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
    return []


def _clean(origins: Iterable[str]) -> list[str]:
    return [origin.strip().rstrip("/") for origin in origins if origin.strip()]


class ValidatedSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        channel = super().from_credentials(credentials)
        assert isinstance(channel, ValidatedSocketIOInput)
        channel.origins = tuple(allowed_origins((credentials or {}).get("cors_allowed_origins")))
        return channel

    # Empty: the stock behaviour (no CORS handling). Set by from_credentials.
    origins: tuple[str, ...] = ()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = pause_aware(on_new_message)
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None
        if self.origins:
            # Read by engineio on every request, so setting it after the stock
            # blueprint built the server is enough.
            sio.eio.cors_allowed_origins = list(self.origins)
            logger.info("socket.io accepts pages from %s", ", ".join(self.origins))
        sessions: dict[str, str] = {}
        apps: list[Sanic] = []

        # Remember the Rasa app this channel is registered on, rather than
        # Sanic.get_app(), which fails when a process holds more than one app.
        @blueprint.listener("before_server_start")
        async def remember_app(app: Sanic, _loop: Any) -> None:
            apps.append(app)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            if not isinstance(requested, str) or not requested or len(requested) > MAX_SENDER_CHARS:
                requested = uuid.uuid4().hex
            sessions[sid] = requested
            if self.session_persistence:
                # python-socketio is pinned to 5.9, where enter_room is
                # synchronous; from 5.10 it is a coroutine that must be
                # awaited or every bot reply is lost (rasa#13027).
                entered = sio.enter_room(sid, requested, namespace=self.namespace or "/")
                if inspect.isawaitable(entered):
                    await entered
            await sio.emit("session_confirm", requested, room=sid, namespace=self.namespace)

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            sessions.pop(sid, None)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any = None, *_extra: Any) -> None:
            output = SocketIOOutput(sio, self.bot_message_evt)
            if not isinstance(data, dict):
                await output.send_text_message(sid, UNREADABLE)
                return
            sender_id = sid
            if self.session_persistence:
                session_id = data.get("session_id")
                if session_id is None or session_id != sessions.get(sid):
                    await output.send_text_message(sid, SESSION_EXPIRED)
                    return
                sender_id = session_id
            text = data.get("message")
            if text is None or (isinstance(text, str) and not text.strip()):
                # rasa-webchat sends its initPayload when the chat first opens,
                # with no message when none is configured: nothing to answer.
                return
            if not isinstance(text, str) or len(text) > MAX_MESSAGE_CHARS:
                await output.send_text_message(sender_id, UNREADABLE)
                return
            metadata = parse_custom_data(data.get(self.metadata_key))
            try:
                app = apps[0] if apps else Sanic.get_app()
                await start_new_session_if_customer_changed(app, sender_id, metadata, self.name())
            except Exception:  # noqa: BLE001 - a failed check must not lose the message
                logger.exception("session check failed for %s", sender_id)
            await on_new_message(
                UserMessage(
                    neutralise_payload(text), output, sender_id, input_channel=self.name(), metadata=metadata
                )
            )

        return blueprint
