"""Facebook Messenger (a Page's webhook), signed with the app secret.

Meta sends ``X-Hub-Signature-256`` (and the legacy SHA-1 ``X-Hub-Signature``);
one POST may batch several events, each handled in order and deduplicated by
its message id. Choices go out as quick replies; a tap comes back as
``message.quick_reply.payload``.
"""

from __future__ import annotations

import hmac
from typing import Any

from rasa.core.channels.channel import OutputChannel
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from tactful.channels.messaging.base import Inbound, MessagingInput, Webhook, json_body
from tactful.channels.messaging.config import api_base, required
from tactful.channels.messaging.formatting import chunks
from tactful.channels.messaging.http import ProviderHttp
from tactful.channels.messaging.signatures import hub_signature_valid

MESSENGER_TEXT_LIMIT = 2000
QUICK_REPLY_LIMIT = 13
QUICK_REPLY_TITLE_LIMIT = 20


def quick_replies(options: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {
            "content_type": "text",
            "title": str(option["title"])[:QUICK_REPLY_TITLE_LIMIT],
            "payload": str(option.get("payload") or option["title"]),
        }
        for option in options[:QUICK_REPLY_LIMIT]
        if option.get("title")
    ]


class MessengerOutput(OutputChannel):  # type: ignore[misc]  # rasa ships no type information
    """Send API: POST /me/messages with the page access token."""

    @classmethod
    def name(cls) -> str:
        return "facebook"

    def __init__(self, http: ProviderHttp, base: str, page_token: str) -> None:
        super().__init__()
        self._http = http
        self._url = f"{base}/me/messages"
        self._page_token = page_token

    async def _send(self, recipient_id: str, message: dict[str, Any]) -> None:
        await self._http.post(
            self._url,
            what="me/messages",
            params={"access_token": self._page_token},
            json_body={"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE", "message": message},
        )

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in chunks(text, MESSENGER_TEXT_LIMIT):
            await self._send(recipient_id, {"text": part})

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies_: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._send(
            recipient_id,
            {"text": text[:MESSENGER_TEXT_LIMIT], "quick_replies": quick_replies(quick_replies_)},
        )

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_quick_replies(recipient_id, text, buttons)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        message = dict(json_message)
        if message.get("quick_replies") and message.get("text"):
            await self.send_quick_replies(recipient_id, message["text"], message["quick_replies"])
        else:
            await self._send(recipient_id, message)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send(
            recipient_id, {"attachment": {"type": "image", "payload": {"url": image, "is_reusable": True}}}
        )


class FacebookInput(MessagingInput):
    provider = "facebook"

    @classmethod
    def name(cls) -> str:
        return "facebook"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> FacebookInput:
        return cls(
            verify_token=required(credentials, "verify", cls.name()),
            app_secret=required(credentials, "secret", cls.name()),
            page_token=required(credentials, "page-access-token", cls.name()),
            api_base=api_base(cls.provider, credentials),
        )

    def __init__(self, verify_token: str, app_secret: str, page_token: str, api_base: str, **kwargs: Any):
        super().__init__(api_base, **kwargs)
        self.verify_token = verify_token
        self.app_secret = app_secret
        self.page_token = page_token

    async def handshake(self, request: Request) -> HTTPResponse | None:
        """Meta's subscription check: GET with hub.mode, hub.verify_token, hub.challenge."""
        if request.method != "GET":
            return None
        token = request.args.get("hub.verify_token") or ""
        if request.args.get("hub.mode") == "subscribe" and hmac.compare_digest(
            token.encode(), self.verify_token.encode()
        ):
            return response.text(request.args.get("hub.challenge") or "")
        return response.text("verification failed", status=403)

    def is_signed(self, request: Request) -> bool:
        return hub_signature_valid(
            self.app_secret,
            request.body or b"",
            request.headers.get("X-Hub-Signature-256"),
            request.headers.get("X-Hub-Signature"),
        )

    def read(self, request: Request) -> Webhook:
        body = json_body(request)
        if body.get("object") != "page":
            return Webhook()
        messages = [
            message
            for entry in body.get("entry") or []
            if isinstance(entry, dict)
            for event in entry.get("messaging") or []
            if isinstance(event, dict)
            for message in [self._message(event)]
            if message is not None
        ]
        return Webhook(messages)

    @staticmethod
    def _message(event: dict[str, Any]) -> Inbound | None:
        sender = str((event.get("sender") or {}).get("id") or "")
        message = event.get("message")
        if isinstance(message, dict):
            if message.get("is_echo"):
                return None  # the page's own replies, echoed back
            quick_reply = message.get("quick_reply") or {}
            # A quick-reply tap also carries the title as text: the payload wins.
            text = quick_reply.get("payload") or message.get("text")
            if not text:
                return None  # stickers, attachments: nothing to read
            return Inbound(sender, str(text), event_id=str(message.get("mid") or "") or None)
        postback = event.get("postback")
        if isinstance(postback, dict) and postback.get("payload"):
            event_id = postback.get("mid") or f"{sender}:{event.get('timestamp')}:postback"
            return Inbound(sender, str(postback["payload"]), event_id=str(event_id))
        return None  # deliveries, reads, reactions

    def output_for(self, message: Inbound | None) -> OutputChannel:
        return MessengerOutput(self.http, self.api_base, self.page_token)
