"""Telegram Bot API webhook, authenticated by the secret token.

Telegram sends the ``secret_token`` given to ``setWebhook`` in the
``X-Telegram-Bot-Api-Secret-Token`` header. Unlike the stock connector this
one never calls Telegram when Rasa starts (the stock one runs setWebhook in
``get_output_channel`` and getMe on every message): set the webhook once with
``python -m tactful.channels.messaging.telegram_webhook set``.

Only private chats are handled: in a group, linking would tie a whole group to
one customer's orders. Updates are deduplicated by ``update_id``.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.core.channels.channel import OutputChannel
from rasa.shared.exceptions import InvalidConfigException
from sanic.request import Request

from tactful.channels.messaging.base import Inbound, MessagingInput, Webhook, json_body
from tactful.channels.messaging.config import api_base, required
from tactful.channels.messaging.formatting import chunks
from tactful.channels.messaging.http import ProviderHttp
from tactful.channels.messaging.signatures import telegram_secret_valid

TELEGRAM_TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit for a button's callback_data
SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # the characters setWebhook accepts
# Bot commands every Telegram user sees; said in words the NLU understands.
COMMANDS = {"/start": "hello", "/help": "what can you help with"}


def inline_keyboard(options: list[dict[str, Any]]) -> dict[str, Any]:
    buttons = []
    for option in options:
        data = str(option.get("payload") or option.get("title") or "")
        if option.get("title") and len(data.encode()) <= CALLBACK_DATA_LIMIT:
            buttons.append({"text": str(option["title"]), "callback_data": data})
    return {"inline_keyboard": [buttons]}


class TelegramOutput(OutputChannel):  # type: ignore[misc]  # rasa ships no type information
    """sendMessage, with an inline keyboard for choices."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, http: ProviderHttp, base: str, token: str) -> None:
        super().__init__()
        self._http = http
        self._base = f"{base}/bot{token}"

    async def call(self, method: str, body: dict[str, Any]) -> Any:
        return await self._http.post(f"{self._base}/{method}", what=method, json_body=body)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in chunks(text, TELEGRAM_TEXT_LIMIT):
            await self.call("sendMessage", {"chat_id": recipient_id, "text": part})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.call(
            "sendMessage",
            {
                "chat_id": recipient_id,
                "text": text[:TELEGRAM_TEXT_LIMIT],
                "reply_markup": inline_keyboard(buttons),
            },
        )

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        message = dict(json_message)
        if message.get("quick_replies") and message.get("text"):
            await self.send_quick_replies(recipient_id, message["text"], message["quick_replies"])
        elif message.get("text"):
            await self.call("sendMessage", {"chat_id": recipient_id, **message})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.call("sendPhoto", {"chat_id": recipient_id, "photo": image})


class TelegramInput(MessagingInput):
    provider = "telegram"

    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        secret = required(credentials, "secret_token", cls.name())
        if not SECRET_TOKEN.match(secret):
            raise InvalidConfigException(
                "The 'telegram' channel's 'secret_token' must be 1-256 characters of A-Z, a-z, 0-9, _ and -."
            )
        return cls(
            token=required(credentials, "access_token", cls.name()),
            secret_token=secret,
            api_base=api_base(cls.provider, credentials),
        )

    def __init__(self, token: str, secret_token: str, api_base: str, **kwargs: Any) -> None:
        super().__init__(api_base, **kwargs)
        self.token = token
        self.secret_token = secret_token

    def is_signed(self, request: Request) -> bool:
        return telegram_secret_valid(
            self.secret_token, request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        )

    def read(self, request: Request) -> Webhook:
        update = json_body(request)
        event_id = str(update.get("update_id")) if update.get("update_id") is not None else None
        callback = update.get("callback_query")
        if isinstance(callback, dict):
            chat = ((callback.get("message") or {}).get("chat")) or {}
            data = callback.get("data")
            if chat.get("type") != "private" or not data:
                return Webhook()
            route = {"callback_query_id": str(callback.get("id") or "")}
            return Webhook([Inbound(str(chat.get("id")), str(data), event_id, route)])
        # ``edited_message`` is ignored on purpose: an edit must not re-run a turn.
        message = update.get("message")
        if not isinstance(message, dict):
            return Webhook()
        chat = message.get("chat") or {}
        text = message.get("text")
        if chat.get("type") != "private" or not isinstance(text, str) or not text.strip():
            return Webhook()
        text = COMMANDS.get(text.strip().split("@")[0].lower(), text)
        return Webhook([Inbound(str(chat.get("id")), text, event_id)])

    async def before_handling(self, message: Inbound) -> None:
        # Stops the spinner on the tapped button.
        if message.route.get("callback_query_id"):
            output = self.output_for(None)
            assert isinstance(output, TelegramOutput)
            await output.call(
                "answerCallbackQuery", {"callback_query_id": message.route["callback_query_id"]}
            )

    def output_for(self, message: Inbound | None) -> OutputChannel:
        return TelegramOutput(self.http, self.api_base, self.token)
