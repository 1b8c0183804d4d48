"""The helpdesk's way back into a conversation: agent replies, handback, agent offers.

Rasa mounts this channel at ``/webhooks/helpdesk/``. Every POST is signed like
our outgoing webhooks (``tactful.signing``): stale or unsigned calls get 401, a
wrong signature 403, a replayed request id 409, a malformed body 400. The channel also runs
the loop that retries handoff deliveries the helpdesk has not accepted yet.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationResumed, Event, SlotSet
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from tactful import bootstrap, wiring
from tactful.channels import conversations
from tactful.channels.ids import channel_of, is_conversation_id
from tactful.channels.inbound import clean_text
from tactful.channels.startup import cap_request_size, check_rasa_process
from tactful.handoff.conversation import sender_of
from tactful.handoff.service import HandoffInfo
from tactful.services.agent_offers import AgentOfferRequest
from tactful.services.aio import run_blocking
from tactful.services.clock import utcnow
from tactful.signing import SignatureError, verify_once

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_TEXT_CHARS = 5000
MAX_ID_CHARS = 300
RETRY_PASS_TIMEOUT = 120.0
HANDBACK_NOTICE = "You're back with the assistant. Ask me anything, or ask for a person again at any time."


class BadRequest(Exception):
    pass


def _error(status: int, message: str, **extra: Any) -> HTTPResponse:
    return response.json({"error": message, **extra}, status=status)


async def _authenticated_body(request: Request) -> dict[str, Any]:
    """The verified, first-seen JSON object of the request; raises SignatureError or BadRequest."""
    secret = wiring.helpdesk_settings().secret
    if not secret:
        raise SignatureError(503, "the helpdesk endpoints are off: TACTFUL_HELPDESK_SECRET is not set")
    body = request.body or b""
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(f"the body must be at most {MAX_BODY_BYTES} bytes")
    await verify_once(secret, request.headers, body, bootstrap.root().replay_guard)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise BadRequest("the body must be a JSON object")
    return payload


def _text_field(payload: dict[str, Any], name: str, limit: int) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"'{name}' is required and must be a non-empty string")
    if len(value) > limit:
        raise BadRequest(f"'{name}' must be at most {limit} characters")
    return value


Handler = Callable[[Request, dict[str, str], HandoffInfo], Awaitable[HTTPResponse]]


def _endpoint(
    handler: Handler, fields: dict[str, int]
) -> Callable[[Request], Coroutine[Any, Any, HTTPResponse]]:
    """Authenticate, validate ``fields`` (name: max length), find the open handoff, run ``handler``."""

    async def endpoint(request: Request) -> HTTPResponse:
        try:
            payload = await _authenticated_body(request)
            values = {name: _text_field(payload, name, limit) for name, limit in fields.items()}
        except SignatureError as error:
            return _error(error.status, error.message)
        except BadRequest as error:
            return _error(400, str(error))
        if not is_conversation_id(values["conversation_id"]):
            return _error(404, "no handoff for this conversation")
        if "text" in values:
            # What no database can store (NUL, lone surrogates) never reaches one.
            values["text"] = clean_text(values["text"])
            if not values["text"].strip():
                return _error(400, "'text' must contain text")
        info = await run_blocking(wiring.handoff_service().find, values["conversation_id"])
        if info is None:
            return _error(404, "no handoff for this conversation")
        if not info.is_open:
            return _error(409, "this conversation was handed back; the assistant is answering")
        return await handler(request, values, info)

    return endpoint


async def _tell_customer(
    app: Sanic,
    info: HandoffInfo,
    text: str,
    author: str,
    before: list[Event] | None = None,
    after: list[Event] | None = None,
) -> str:
    """Record ``text`` in the conversation and push it, or hold it for the next request.

    Returns "sent" or "queued".
    """
    agent = app.ctx.agent
    sender = sender_of(info.conversation_id)
    events = [*(before or []), BotUttered(text, metadata={"source": author}), *(after or [])]
    await conversations.append_events(agent, sender, events)
    # The handoff's own channel, read from its conversation id, which the
    # server built: never the channel of whoever wrote in last.
    output = conversations.push_channel(app, channel_of(sender))
    pushed = False
    if output is not None:
        try:
            await output.send_text_message(sender, text)
            pushed = True
        except Exception:  # noqa: BLE001 - held instead, for the customer's next message
            logger.exception("could not push a %s message to %s", author, info.conversation_id)
    await run_blocking(wiring.handoff_service().add_for_customer, info.id, text, author, pushed, utcnow())
    return "sent" if pushed else "queued"


async def reply(request: Request, values: dict[str, str], info: HandoffInfo) -> HTTPResponse:
    text = values["text"]
    # The agent answered, so the helpdesk has the handoff even if our attempt looked failed.
    await run_blocking(wiring.handoff_service().mark_received, info.id, utcnow())
    status = await _tell_customer(request.app, info, text, "agent")
    return response.json({"status": status, "conversation_id": info.conversation_id})


async def handback(request: Request, values: dict[str, str], info: HandoffInfo) -> HTTPResponse:
    # "returned" keeps the offer gate shut for the rest of this conversation;
    # action_listen lets the next customer message start a normal turn.
    resume: list[Event] = [ConversationResumed(), SlotSet("handoff_state", "returned")]
    status = await _tell_customer(
        request.app,
        info,
        HANDBACK_NOTICE,
        "system",
        before=resume,
        after=[ActionExecuted(ACTION_LISTEN_NAME)],
    )
    await run_blocking(wiring.handoff_service().close, info.id, utcnow())
    return response.json({"status": "resumed", "notice": status, "conversation_id": info.conversation_id})


async def agent_offer(request: Request, values: dict[str, str], info: HandoffInfo) -> HTTPResponse:
    offer_id, variant_id = values["offer_id"], values["variant_id"]
    if info.customer_id is None:
        return _error(
            409, "the customer is not verified, so no offer may be made", reasons=["gate:unverified"]
        )
    offer_request = AgentOfferRequest(
        customer_id=info.customer_id,
        conversation_id=info.conversation_id,
        channel=info.channel or "unknown",
        stage=info.stage,
        offer_id=offer_id,
        variant_id=variant_id,
    )
    result = await run_blocking(wiring.agent_offers().record, offer_request, utcnow())
    if result.unknown_offer:
        return _error(422, f"unknown offer {offer_id!r} with variant {variant_id!r}")
    if not result.recorded:
        return _error(409, f"this offer may not be made: {result.explanation}", reasons=list(result.reasons))
    offer = result.offer
    details = None
    if offer is not None:
        details = {
            "offer_id": offer.offer_id,
            "variant_id": offer.variant_id,
            "target_sku": offer.target_sku,
            "target_name": offer.target_name,
            "final_price": str(offer.final_price),
            "message": offer.message,
            "reason": offer.reason,
            "link": offer.link,
        }
    return response.json({"status": "recorded", "offer": details}, status=201)


async def retry_forever(interval: float) -> None:
    """Redeliver queued handoffs and messages until the server stops."""
    while True:
        try:
            await run_blocking(wiring.handoff_service().retry_pending, utcnow(), timeout=RETRY_PASS_TIMEOUT)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - keep retrying; the next pass may succeed
            logger.exception("handoff retry pass failed")
        await asyncio.sleep(interval)


class HelpdeskInput(InputChannel):  # type: ignore[misc]  # rasa ships no type information
    @classmethod
    def name(cls) -> str:
        return "helpdesk"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        check_rasa_process()
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("tactful_helpdesk", __name__)
        cap_request_size(blueprint)

        @blueprint.route("/", methods=["GET"])  # type: ignore[misc]  # sanic's Blueprint decorators are untyped
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        conversation = {"conversation_id": MAX_ID_CHARS}
        routes: list[tuple[str, Handler, dict[str, int]]] = [
            ("reply", reply, {**conversation, "text": MAX_TEXT_CHARS}),
            ("handback", handback, conversation),
            ("offer", agent_offer, {**conversation, "offer_id": MAX_ID_CHARS, "variant_id": MAX_ID_CHARS}),
        ]
        for name, handler, fields in routes:
            blueprint.add_route(_endpoint(handler, fields), f"/{name}", methods=["POST"], name=name)

        @blueprint.listener("after_server_start")  # type: ignore[misc]  # sanic's Blueprint decorators are untyped
        async def start_retries(app: Sanic, _loop: Any) -> None:
            interval = wiring.helpdesk_settings().retry_seconds
            app.ctx.tactful_handoff_retries = asyncio.create_task(retry_forever(interval))

        @blueprint.listener("before_server_stop")  # type: ignore[misc]  # sanic's Blueprint decorators are untyped
        async def stop_retries(app: Sanic, _loop: Any) -> None:
            task = getattr(app.ctx, "tactful_handoff_retries", None)
            if task is not None:
                task.cancel()

        return blueprint
