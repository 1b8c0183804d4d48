"""Slack (Events API + interactivity), signed with the app's signing secret.

Only direct messages to the bot are handled. In a shared channel the reply
(order details, once the user has linked their account) would be visible to
everyone in it, so mentions there are ignored.

Slack retries an event it did not get a 2xx for within 3 s, with the same
``event_id`` and an ``X-Slack-Retry-Num`` header; the base answers it once.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import parse_qs

from rasa.core.channels.channel import OutputChannel
from sanic import response
from sanic.request import Request

from tactful.channels.messaging.base import BadWebhook, Inbound, MessagingInput, Webhook, json_body
from tactful.channels.messaging.config import api_base, required
from tactful.channels.messaging.formatting import chunks
from tactful.channels.messaging.http import ProviderHttp
from tactful.channels.messaging.signatures import slack_signature_valid

SLACK_TEXT_LIMIT = 3000  # a section block's text limit; messages stay well under it
_LINK = re.compile(r"<(?:mailto:|https?://)[^|>]*\|([^>]*)>")  # <mailto:a@b.c|a@b.c> -> a@b.c
_BARE_LINK = re.compile(r"<((?:mailto:|https?://)[^|>]*)>")
_MENTION = re.compile(r"<[@#!][^>]*>")


def clean_text(text: str) -> str:
    """Slack's markup back to what the user typed (emails matter for linking)."""
    text = _LINK.sub(r"\1", text)
    text = _BARE_LINK.sub(lambda match: match.group(1).removeprefix("mailto:"), text)
    text = _MENTION.sub(" ", text)
    return html.unescape(text).strip()


class SlackOutput(OutputChannel):  # type: ignore[misc]  # rasa ships no type information
    """chat.postMessage, with Block Kit buttons for choices."""

    @classmethod
    def name(cls) -> str:
        return "slack"

    def __init__(self, http: ProviderHttp, base: str, token: str, channel_id: str | None = None) -> None:
        super().__init__()
        self._http = http
        self._url = f"{base}/chat.postMessage"
        self._token = token
        self._channel_id = channel_id

    async def _post(self, recipient_id: str, **fields: Any) -> None:
        # Without a channel id (replies triggered through Rasa's HTTP API) the
        # user id works too: Slack posts in the app's DM with that user.
        body = {"channel": self._channel_id or recipient_id, **fields}
        await self._http.post(
            self._url,
            what="chat.postMessage",
            json_body=body,
            headers={"Authorization": f"Bearer {self._token}"},
        )

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in chunks(text, SLACK_TEXT_LIMIT):
            await self._post(recipient_id, text=part)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        elements = [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": str(button["title"])[:75]},
                "value": str(button.get("payload") or button["title"]),
                "action_id": f"choice_{index}",
            }
            for index, button in enumerate(buttons[:5], start=1)
        ]
        blocks = [
            {"type": "section", "text": {"type": "mrkdwn", "text": text[:SLACK_TEXT_LIMIT]}},
            {"type": "actions", "elements": elements},
        ]
        # ``text`` stays as the notification / accessibility fallback.
        await self._post(recipient_id, text=text, blocks=blocks)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        message = dict(json_message)
        if message.get("quick_replies") and message.get("text"):
            await self.send_quick_replies(recipient_id, message["text"], message["quick_replies"])
            return
        await self._post(recipient_id, **message)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._post(
            recipient_id, text=image, blocks=[{"type": "image", "image_url": image, "alt_text": "image"}]
        )


class SlackInput(MessagingInput):
    provider = "slack"

    @classmethod
    def name(cls) -> str:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SlackInput:
        return cls(
            token=required(credentials, "slack_token", cls.name()),
            signing_secret=required(credentials, "slack_signing_secret", cls.name()),
            api_base=api_base(cls.provider, credentials),
        )

    def __init__(self, token: str, signing_secret: str, api_base: str, **kwargs: Any) -> None:
        super().__init__(api_base, **kwargs)
        self.token = token
        self.signing_secret = signing_secret

    def is_signed(self, request: Request) -> bool:
        return slack_signature_valid(
            self.signing_secret,
            request.headers.get("X-Slack-Request-Timestamp"),
            request.headers.get("X-Slack-Signature"),
            request.body or b"",
        )

    def read(self, request: Request) -> Webhook:
        if "application/x-www-form-urlencoded" in (request.headers.get("content-type") or ""):
            return self._read_interaction(request)
        body = json_body(request)
        if body.get("type") == "url_verification":
            return Webhook(answer=response.json({"challenge": str(body.get("challenge", ""))}))
        if body.get("type") != "event_callback":
            return Webhook()
        event = body.get("event")
        if not isinstance(event, dict) or not self._is_direct_message_from_a_person(event, body):
            return Webhook()
        text = clean_text(str(event.get("text") or ""))
        if not text:
            return Webhook()
        return Webhook(
            [
                Inbound(
                    sender_id=str(event["user"]),
                    text=text,
                    event_id=str(body.get("event_id") or event.get("client_msg_id") or event.get("ts")),
                    route={"channel": str(event.get("channel") or "")},
                )
            ]
        )

    @staticmethod
    def _is_direct_message_from_a_person(event: dict[str, Any], body: dict[str, Any]) -> bool:
        bot_users = {
            str(item.get("user_id"))
            for item in body.get("authorizations") or []
            if isinstance(item, dict) and item.get("is_bot")
        }
        return (
            event.get("type") == "message"
            and event.get("channel_type") == "im"
            # Edits, deletions, joins and the bot's own posts all carry a
            # subtype or a bot_id; answering them would loop or repeat.
            and not event.get("subtype")
            and not event.get("bot_id")
            and bool(event.get("user"))
            and str(event.get("user")) not in bot_users
        )

    def _read_interaction(self, request: Request) -> Webhook:
        form = parse_qs((request.body or b"").decode("utf-8", "replace"))
        try:
            payload = json.loads(form["payload"][0])
        except (KeyError, IndexError, json.JSONDecodeError) as error:
            raise BadWebhook("interaction without a JSON payload") from error
        actions = payload.get("actions") or []
        user = (payload.get("user") or {}).get("id")
        if payload.get("type") != "block_actions" or not actions or not user:
            return Webhook()
        action = actions[0]
        value = action.get("value")
        if action.get("type") != "button" or not value:
            return Webhook()  # link buttons have no value and need no answer
        channel = (payload.get("channel") or {}).get("id") or (payload.get("container") or {}).get(
            "channel_id"
        )
        return Webhook(
            [
                Inbound(
                    sender_id=str(user),
                    text=str(value),
                    event_id=f"{user}:{action.get('action_ts') or payload.get('trigger_id')}",
                    route={"channel": str(channel or "")},
                )
            ]
        )

    def output_for(self, message: Inbound | None) -> OutputChannel:
        channel = message.route.get("channel") if message else None
        return SlackOutput(self.http, self.api_base, self.token, channel or None)
