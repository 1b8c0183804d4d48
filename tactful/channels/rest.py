"""REST channel that validates its input.

The stock channel answers 500 to a JSON array, files a message without
``sender`` under a shared "default" conversation and silently drops a
non-string ``message``. This one answers 400 with a clear error instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from tactful.channels.guards import (
    MAX_MESSAGE_CHARS,
    MAX_SENDER_CHARS,
    neutralise_payload,
    start_new_session_if_customer_changed,
)
from tactful.channels.pause import pause_aware

SENDER_PREFIX = "rest:"


def conversation_key(sender: str) -> str:
    """The Rasa conversation id for a REST client's ``sender``."""
    return f"{SENDER_PREFIX}{sender}"


def body_error(body: Any) -> str | None:
    """Why a REST webhook body is unacceptable, or None when it is fine."""
    if not isinstance(body, dict):
        return "the body must be a JSON object with 'sender' and 'message'"
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        return "'sender' is required and must be a non-empty string"
    if len(sender) > MAX_SENDER_CHARS:
        return f"'sender' must be at most {MAX_SENDER_CHARS} characters"
    message = body.get("message")
    if not isinstance(message, str):
        return "'message' is required and must be a string"
    if not message.strip():
        return "'message' must not be empty"
    if len(message) > MAX_MESSAGE_CHARS:
        return f"'message' must be at most {MAX_MESSAGE_CHARS} characters"
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return "'metadata' must be a JSON object when given"
    return None


def _parse_json(request: Request) -> tuple[Any, str | None]:
    try:
        return request.json, None
    except Exception:  # noqa: BLE001 - sanic raises several types for bad JSON
        return None, "the body is not valid JSON"


class ValidatedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    async def _extract_sender(self, req: Request) -> str | None:
        # REST conversations live in their own namespace, so a client cannot
        # post into a Slack, SMS or widget conversation by choosing its id.
        return conversation_key(req.json["sender"])

    def _extract_message(self, req: Request) -> str | None:
        return neutralise_payload(req.json["message"])

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        blueprint = super().blueprint(pause_aware(on_new_message))

        @blueprint.middleware("request")
        async def validate(request: Request) -> HTTPResponse | None:
            if request.method != "POST" or not request.path.endswith("/webhook"):
                return None
            body, error = _parse_json(request)
            error = error or body_error(body)
            if error:
                return response.json({"error": error}, status=400)
            await start_new_session_if_customer_changed(
                request.app, conversation_key(body["sender"]), body.get("metadata"), self.name()
            )
            return None

        return blueprint
