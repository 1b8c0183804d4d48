"""REST channel that checks everything itself, on every path variant.

The stock channel answers 500 to a JSON array, files a message without
``sender`` under a shared "default" conversation, silently drops a
non-string ``message`` and takes ``input_channel`` from the body. This one
owns its route: the checks run inside the handler, so ``/webhook``,
``/webhook/`` and any other spelling Sanic routes here get the same checks.

* The body is limited in bytes, the message in characters, the metadata in
  bytes (README "Limits"); anything else gets 400 or 413 with a clear error.
* The conversation id is ``rest:<sender>``, with ``sender`` in the safe
  alphabet (``tactful.channels.ids``), and the input channel is always "rest".
* A conversation another customer owns answers 403; too many messages 429.

Replies come back in the response body, as with the stock channel (streaming
is not offered).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from tactful import bootstrap
from tactful.channels.ids import conversation_key, local_id_error
from tactful.channels.inbound import BadInput, client_metadata, message_text, verified_metadata
from tactful.channels.pipeline import pipeline_for
from tactful.channels.startup import cap_request_size, check_rasa_process
from tactful.settings import Settings

REFUSAL_STATUS = {"rate_limited": 429, "other_customer": 403, "signed_out": 403}


def error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def read_message(
    body: bytes, settings: Settings, output: CollectingOutputChannel, channel: str
) -> UserMessage:
    """The UserMessage a REST body asks for; raises BadInput with the reason."""
    try:
        payload = json.loads(body or b"null")
    except (ValueError, RecursionError):
        raise BadInput("the body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise BadInput("the body must be a JSON object with 'sender' and 'message'")
    sender = payload.get("sender")
    problem = local_id_error(sender)
    if problem:
        raise BadInput(f"'sender': {problem}")
    text = message_text(payload.get("message"), settings.limits.message_chars)
    metadata = client_metadata(payload.get("metadata"), settings.limits.metadata_bytes)
    return UserMessage(
        text,
        output,
        conversation_key(channel, sender),
        input_channel=channel,
        metadata=verified_metadata(metadata, settings.jwt_secret),
    )


class ValidatedRestInput(InputChannel):  # type: ignore[misc]  # rasa ships no type information
    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        check_rasa_process()
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("tactful_rest_webhook", __name__)
        settings = bootstrap.root().settings
        pipeline = pipeline_for(on_new_message)

        cap_request_size(blueprint)

        @blueprint.route("/", methods=["GET"])  # type: ignore[misc]  # sanic's Blueprint decorators are untyped
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])  # type: ignore[misc]  # sanic's Blueprint decorators are untyped
        async def receive(request: Request) -> HTTPResponse:
            if len(request.body or b"") > settings.limits.body_bytes:
                return error(413, f"the body must be at most {settings.limits.body_bytes} bytes")
            collector = CollectingOutputChannel()
            try:
                message = read_message(request.body, settings, collector, self.name())
            except BadInput as bad:
                return error(400, str(bad))
            verdict = await pipeline(message)
            if verdict.refused:
                return error(REFUSAL_STATUS[verdict.kind], verdict.refusal)
            return response.json(collector.messages)

        return blueprint
