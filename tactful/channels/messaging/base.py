"""The shared base of every messaging channel.

One webhook route per channel, handled the same way for every provider:

1. an unsigned handshake the provider needs (Messenger's GET verification)
   may answer first;
2. the signature is checked on the raw body: unsigned or forged requests get
   403 and never reach Rasa;
3. the provider's events are parsed into ``Inbound`` messages;
4. events already seen (provider retries) are dropped;
5. the webhook is acknowledged at once and the messages are handled in the
   background, in order. Providers time out quickly (Slack after 3 s) and
   retry; a dropped retry never runs the conversation twice.

Every text is cleaned and limited (``tactful.channels.inbound``): a user who
types ``/restart`` or ``/order_status{"customer_id": "C7"}`` sends plain text,
not an intent. No metadata is taken from the payload, so nobody can smuggle a
``customer_token`` in: messaging users are anonymous until they link their
account (tactful/linking). Each conversation is ``<channel>:<provider id>``
(tactful.channels.ids); replies reach the provider with its own id again.
Bodies over ``TACTFUL_MAX_PROVIDER_BODY_BYTES`` get 413 before any parsing.
"""

from __future__ import annotations

import abc
import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from tactful import bootstrap
from tactful.channels.ids import BadConversationId, conversation_key, local_id_of
from tactful.channels.inbound import BadInput, message_text
from tactful.channels.messaging.http import ProviderHttp
from tactful.channels.output import RoutedOutput
from tactful.channels.pipeline import MessagePipeline, pipeline_for
from tactful.channels.startup import cap_request_size, check_rasa_process
from tactful.dedupe import RetryFilter

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


@dataclass(frozen=True)
class Inbound:
    """One user message taken from a provider's webhook."""

    sender_id: str
    text: str
    # The provider's id of this event; retries carry the same one.
    event_id: str | None
    # Provider routing for the reply (a Slack channel id, a Telegram callback id).
    route: dict[str, str] = field(default_factory=dict)


@dataclass
class Webhook:
    """What a webhook carried, and the answer the provider expects."""

    messages: list[Inbound] = field(default_factory=list)
    answer: HTTPResponse | None = None


class BadWebhook(ValueError):
    """A signed request whose body is not in the provider's format."""


def json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BadWebhook("body is not JSON") from error
    if not isinstance(body, dict):
        raise BadWebhook("body is not a JSON object")
    return body


class MessagingInput(InputChannel, abc.ABC):  # type: ignore[misc]  # rasa ships no type information
    """Signature check, retry dedupe, background handling; providers fill in the rest."""

    provider: ClassVar[str]

    def __init__(self, api_base: str, retry_filter: RetryFilter | None = None) -> None:
        check_rasa_process()
        self.api_base = api_base
        self.http = ProviderHttp(self.provider)
        self._retry_filter = retry_filter
        self._tasks: set[asyncio.Task[None]] = set()

    # -- provider hooks ---------------------------------------------------

    async def handshake(self, request: Request) -> HTTPResponse | None:
        """Answer a provider handshake that is not signed (None: not a handshake)."""
        return None

    @abc.abstractmethod
    def is_signed(self, request: Request) -> bool:
        """Whether the request carries the provider's valid signature."""

    @abc.abstractmethod
    def read(self, request: Request) -> Webhook:
        """The user messages in a signed webhook (raise BadWebhook if malformed)."""

    @abc.abstractmethod
    def output_for(self, message: Inbound | None) -> OutputChannel:
        """Where replies to ``message`` go (None: to the sender id Rasa passes)."""

    def acknowledgement(self) -> HTTPResponse:
        return response.text("ok")

    async def before_handling(self, message: Inbound) -> None:
        """Provider bookkeeping before Rasa sees the message (e.g. ack a button)."""

    # -- shared behaviour -------------------------------------------------

    def local_id(self, sender_id: str) -> str:
        """The provider's id as it goes into the conversation id (Twilio strips "whatsapp:")."""
        return sender_id

    def routed(self, output: OutputChannel) -> OutputChannel:
        """``output`` addressed with the provider's id instead of the conversation id."""
        return RoutedOutput(output, local_id_of)

    def get_output_channel(self) -> OutputChannel:
        return self.routed(self.output_for(None))

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint(f"tactful_{self.name()}_webhook", __name__)
        cap_request_size(webhook)

        @webhook.route("/", methods=["GET"])  # type: ignore[misc]  # sanic's Blueprint decorators are untyped
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        handler = pipeline_for(on_new_message)

        @webhook.route("/webhook", methods=["GET", "POST"])  # type: ignore[misc]  # sanic's Blueprint decorators are untyped
        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request, handler)

        return webhook

    async def receive(self, request: Request, on_new_message: MessagePipeline) -> HTTPResponse:
        limit = bootstrap.root().settings.limits.provider_body_bytes
        if len(request.body or b"") > limit:
            return response.text(f"body over {limit} bytes", status=413)
        early = await self.handshake(request)
        if early is not None:
            return early
        if request.method != "POST":
            return response.text("method not allowed", status=405)
        if not self.is_signed(request):
            logger.warning("%s: rejected a webhook without a valid signature", self.name())
            return response.text("invalid or missing signature", status=403)
        try:
            webhook = self.read(request)
        except BadWebhook as error:
            logger.warning("%s: malformed webhook: %s", self.name(), error)
            return response.text(f"malformed webhook: {error}", status=400)
        fresh = [message for message in webhook.messages if await self._first_time(message)]
        if fresh:
            self._spawn(self._handle(fresh, on_new_message))
        return webhook.answer or self.acknowledgement()

    def _key(self, message: Inbound) -> str | None:
        try:
            return conversation_key(self.name(), self.local_id(message.sender_id))
        except BadConversationId:
            return None

    async def _first_time(self, message: Inbound) -> bool:
        if self._key(message) is None:
            logger.warning("%s: dropped a message without a usable sender id", self.name())
            return False
        if message.event_id is None:
            return True
        retry_filter = self._retry_filter or bootstrap.root().retry_filter
        if await retry_filter.first_time(f"{self.name()}:{message.event_id}"):
            return True
        logger.info("%s: retry of event %s answered once", self.name(), message.event_id)
        return False

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        # Keep a reference, or the task may be garbage-collected mid-run.
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, messages: list[Inbound], pipeline: MessagePipeline) -> None:
        limit = bootstrap.root().settings.limits.message_chars
        for message in messages:
            key = self._key(message)
            try:
                await self.before_handling(message)
                text = message_text(message.text[:limit], limit)
                output = self.routed(self.output_for(message))
                verdict = await pipeline(UserMessage(text, output, key, input_channel=self.name()))
                if verdict.refused:
                    await output.send_text_message(key, verdict.refusal)
            except BadInput:
                logger.info("%s: skipped an empty message in event %s", self.name(), message.event_id)
            except Exception:  # noqa: BLE001 - one bad message must not stop the others
                logger.exception("%s: failed to handle event %s", self.name(), message.event_id)
