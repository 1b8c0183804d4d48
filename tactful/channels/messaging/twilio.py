"""Twilio Programmable Messaging: SMS (``twilio``) and WhatsApp (``twilio_whatsapp``).

Both are signed with ``X-Twilio-Signature`` (HMAC-SHA1 of the public URL and
the form fields, blank ones included) and deduplicated by ``MessageSid``.
Replies go out through the Messages API (form-encoded, basic auth), one
message per bot utterance; choices are numbered ("Reply 1 for ... or 2 for
...") and the actions read a typed "1" / "2" (actions/replies.py). The two
channels differ in their addresses (``whatsapp:+44...``) and in keywords:

* SMS: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT (opt out),
  START, UNSTOP (opt in) and HELP, INFO are carrier keywords. Twilio answers
  them itself and blocks further messages after an opt-out, so the bot stays
  silent: no reply, no NLU (a lone "cancel" is not ``cancel_order``). "YES"
  also opts back in but is a normal chat answer; with Advanced Opt-Out
  Twilio marks a keyword message with ``OptOutType``, which is honoured too.
* WhatsApp: Twilio does not filter keywords there; opt-out words are still
  never answered as chat, while HELP / START reach the assistant.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar
from urllib.parse import parse_qs

from rasa.core.channels.channel import OutputChannel
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from tactful.channels.messaging.base import Inbound, MessagingInput, Webhook
from tactful.channels.messaging.config import api_base, optional, public_url, required
from tactful.channels.messaging.formatting import chunks, numbered_text, titles_of
from tactful.channels.messaging.http import ProviderHttp
from tactful.channels.messaging.signatures import twilio_signature_valid

logger = logging.getLogger(__name__)

OPT_OUT_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
OPT_IN_WORDS = frozenset({"START", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})
TWILIO_BODY_LIMIT = 1600
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def is_keyword(body: str, keywords: frozenset[str]) -> bool:
    """Twilio matches a keyword only as the whole message, in any case."""
    return body.strip().upper() in keywords


class TwilioOutput(OutputChannel):  # type: ignore[misc]  # rasa ships no type information
    """Messages API: POST /2010-04-01/Accounts/{sid}/Messages.json."""

    address_prefix: ClassVar[str] = ""

    @classmethod
    def name(cls) -> str:
        return "twilio"

    def __init__(
        self, http: ProviderHttp, base: str, account_sid: str, auth_token: str, sender: dict[str, str]
    ) -> None:
        super().__init__()
        self._http = http
        self._url = f"{base}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self._auth = (account_sid, auth_token)
        self._sender = sender  # {"From": number} or {"MessagingServiceSid": sid}

    def _address(self, recipient_id: str) -> str:
        if self.address_prefix and not recipient_id.startswith(self.address_prefix):
            return self.address_prefix + recipient_id
        return recipient_id

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        # One message per utterance (the stock connector splits paragraphs into
        # several SMS); only text over Twilio's 1600-character limit is split.
        for part in chunks(text, TWILIO_BODY_LIMIT):
            await self._http.post(
                self._url,
                what="Messages.json",
                form={"To": self._address(recipient_id), **self._sender, "Body": part},
                basic_auth=self._auth,
            )

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        # Rasa's default lists "1: title (payload)"; a payload is never shown.
        await self.send_text_message(recipient_id, numbered_text(text, titles_of(buttons)))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        text = str(json_message.get("text") or json_message.get("body") or "")
        options = json_message.get("quick_replies") or json_message.get("buttons") or []
        if text:
            await self.send_text_with_buttons(recipient_id, text, list(options))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, image)


class TwilioWhatsAppOutput(TwilioOutput):
    address_prefix = "whatsapp:"

    @classmethod
    def name(cls) -> str:
        return "twilio_whatsapp"


class TwilioInput(MessagingInput):
    """SMS through a Twilio phone number (or Messaging Service)."""

    provider = "twilio"
    output: ClassVar[type[TwilioOutput]] = TwilioOutput
    silent_keywords: ClassVar[frozenset[str]] = OPT_OUT_WORDS | OPT_IN_WORDS | HELP_WORDS

    @classmethod
    def name(cls) -> str:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TwilioInput:
        number = optional(credentials, "twilio_number")
        service = optional(credentials, "messaging_service_sid")
        if not number and not service:
            required(credentials, "twilio_number", cls.name())
        return cls(
            account_sid=required(credentials, "account_sid", cls.name()),
            auth_token=required(credentials, "auth_token", cls.name()),
            sender={"MessagingServiceSid": service} if service else {"From": cls._with_prefix(number or "")},
            api_base=api_base(cls.provider, credentials),
        )

    @classmethod
    def _with_prefix(cls, address: str) -> str:
        prefix = cls.output.address_prefix
        return address if address.startswith(prefix) else prefix + address

    def __init__(
        self, account_sid: str, auth_token: str, sender: dict[str, str], api_base: str, **kwargs: Any
    ) -> None:
        super().__init__(api_base, **kwargs)
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sender = sender

    def local_id(self, sender_id: str) -> str:
        # "whatsapp:+1415..." -> "+1415...": the channel name already says WhatsApp.
        return sender_id.removeprefix(self.output.address_prefix) if self.output.address_prefix else sender_id

    @staticmethod
    def _form(request: Request) -> dict[str, list[str]]:
        # Sanic's request.form drops blank fields, but Twilio signs them.
        return parse_qs((request.body or b"").decode("utf-8", "replace"), keep_blank_values=True)

    def is_signed(self, request: Request) -> bool:
        return twilio_signature_valid(
            self.auth_token,
            public_url(request),
            self._form(request),
            request.headers.get("X-Twilio-Signature"),
        )

    def read(self, request: Request) -> Webhook:
        form = {key: values[0] for key, values in self._form(request).items() if values}
        sender = form.get("From", "")
        body = form.get("Body", "")
        if form.get("OptOutType") or is_keyword(body, self.silent_keywords):
            logger.info(
                "%s: carrier keyword %r from a user; left to Twilio", self.name(), body.strip().upper()
            )
            return Webhook()
        if not sender or not body.strip():
            return Webhook()  # media-only or status callbacks
        message_id = form.get("MessageSid") or form.get("SmsMessageSid") or form.get("SmsSid")
        return Webhook([Inbound(sender_id=sender, text=body, event_id=message_id or None)])

    def acknowledgement(self) -> HTTPResponse:
        # Replies go out through the API, so the TwiML answer is empty.
        return response.text(EMPTY_TWIML, content_type="application/xml")

    def output_for(self, message: Inbound | None) -> OutputChannel:
        return self.output(self.http, self.api_base, self.account_sid, self.auth_token, self.sender)


class TwilioWhatsAppInput(TwilioInput):
    """WhatsApp through Twilio: addresses are ``whatsapp:+<number>``."""

    output = TwilioWhatsAppOutput
    silent_keywords = OPT_OUT_WORDS

    @classmethod
    def name(cls) -> str:
        return "twilio_whatsapp"
