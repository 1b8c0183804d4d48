"""What each provider's API expects and answers, as the fake provider checks it.

The test credentials the fake accepts, the ``Call`` it records (with the
recipient, text and choices read the provider's way), one check per provider
of the documented request format (auth, content type, required fields,
limits), the ``CHECKS`` table that routes a path prefix to its check, and the
answer each API gives. The server itself is in fake_provider.py.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

SLACK_TOKEN = "xoxb-test-bot-token"
FACEBOOK_PAGE_TOKEN = "EAAtest-page-token"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-test-auth-token"
TELEGRAM_TOKEN = "123456:TEST-telegram-token"
# A payload such as "/accept_offer" must never be shown on a numbered channel;
# URLs ("https://shop/x") do not match because of what precedes the slash.
SHOWN_PAYLOAD = re.compile(r"(?<![\w/:.])/[a-z_]{3,}")


@dataclass
class Call:
    provider: str
    method: str  # the API method: chat.postMessage, me/messages, Messages.json, sendMessage...
    body: dict[str, Any]
    headers: dict[str, str]
    query: dict[str, list[str]]
    errors: list[str] = field(default_factory=list)

    @property
    def recipient(self) -> str:
        body = self.body
        if self.provider == "slack":
            return str(body.get("channel"))
        if self.provider == "facebook":
            return str((body.get("recipient") or {}).get("id"))
        if self.provider == "twilio":
            return str(body.get("To"))
        return str(body.get("chat_id"))

    @property
    def text(self) -> str:
        body = self.body
        if self.provider == "facebook":
            return str((body.get("message") or {}).get("text") or "")
        if self.provider == "twilio":
            return str(body.get("Body") or "")
        return str(body.get("text") or "")

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(title, payload) of the buttons / quick replies the message offers."""
        body = self.body
        if self.provider == "slack":
            return [
                (element["text"]["text"], element["value"])
                for block in body.get("blocks") or []
                if block.get("type") == "actions"
                for element in block.get("elements") or []
            ]
        if self.provider == "facebook":
            return [
                (reply["title"], reply["payload"])
                for reply in (body.get("message") or {}).get("quick_replies") or []
            ]
        if self.provider == "telegram":
            keyboard = (body.get("reply_markup") or {}).get("inline_keyboard") or []
            return [(button["text"], button["callback_data"]) for row in keyboard for button in row]
        return []


def _json(raw: bytes, headers: dict[str, str], errors: list[str]) -> dict[str, Any]:
    if "application/json" not in headers.get("content-type", ""):
        errors.append(f"content-type is {headers.get('content-type')!r}, not JSON")
    try:
        body = json.loads(raw)
    except json.JSONDecodeError:
        errors.append("body is not JSON")
        return {}
    if not isinstance(body, dict):
        errors.append("body is not a JSON object")
        return {}
    return body


def _check_slack(method: str, query: dict, headers: dict[str, str], raw: bytes) -> Call:
    errors: list[str] = []
    body = _json(raw, headers, errors)
    if headers.get("authorization") != f"Bearer {SLACK_TOKEN}":
        errors.append("missing or wrong bearer token")
    if method != "chat.postMessage":
        errors.append(f"unexpected method {method}")
    if not isinstance(body.get("channel"), str) or not body.get("channel"):
        errors.append("channel is required")
    if not isinstance(body.get("text"), str) or not body.get("text"):
        errors.append("text is required (the fallback for notifications)")
    blocks = body.get("blocks")
    if blocks is not None:
        if not isinstance(blocks, list) or not blocks:
            errors.append("blocks must be a non-empty list")
        for block in blocks or []:
            if block.get("type") not in ("section", "actions", "image"):
                errors.append(f"unexpected block type {block.get('type')}")
            if block.get("type") == "section" and block.get("text", {}).get("type") not in (
                "mrkdwn",
                "plain_text",
            ):
                errors.append("section text needs a type")
            if block.get("type") == "actions":
                ids = [element.get("action_id") for element in block.get("elements") or []]
                if len(ids) != len(set(ids)) or not 0 < len(ids) <= 25:
                    errors.append("actions need 1-25 elements with unique action_id")
                for element in block.get("elements") or []:
                    label = element.get("text") or {}
                    if element.get("type") != "button" or label.get("type") != "plain_text":
                        errors.append("a button needs type=button and plain_text text")
                    if (
                        not 0 < len(label.get("text") or "") <= 75
                        or not 0 < len(element.get("value") or "") <= 2000
                    ):
                        errors.append("button text 1-75 chars, value 1-2000 chars")
    return Call("slack", method, body, headers, query, errors)


def _check_facebook(method: str, query: dict, headers: dict[str, str], raw: bytes) -> Call:
    errors: list[str] = []
    body = _json(raw, headers, errors)
    if query.get("access_token") != [FACEBOOK_PAGE_TOKEN]:
        errors.append("missing or wrong access_token")
    if method != "me/messages":
        errors.append(f"unexpected endpoint {method}")
    if not (body.get("recipient") or {}).get("id"):
        errors.append("recipient.id is required")
    if body.get("messaging_type") not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
        errors.append("messaging_type must be RESPONSE, UPDATE or MESSAGE_TAG")
    message = body.get("message") or {}
    if not message.get("text") and not message.get("attachment"):
        errors.append("message needs text or an attachment")
    if len(message.get("text") or "") > 2000:
        errors.append("text over 2000 characters")
    replies = message.get("quick_replies")
    if replies is not None:
        if not isinstance(replies, list) or not 0 < len(replies) <= 13:
            errors.append("quick_replies: 1-13 items")
        for reply in replies or []:
            if reply.get("content_type") != "text":
                errors.append("quick reply content_type must be text")
            if not 0 < len(reply.get("title") or "") <= 20 or not 0 < len(reply.get("payload") or "") <= 1000:
                errors.append("quick reply title 1-20 chars, payload 1-1000 chars")
    return Call("facebook", method, body, headers, query, errors)


def _check_twilio(path: str, query: dict, headers: dict[str, str], raw: bytes) -> Call:
    errors: list[str] = []
    sid, _, rest = path.partition("/")
    if sid != TWILIO_SID or rest != "Messages.json":
        errors.append(f"unexpected resource {path}")
    if "application/x-www-form-urlencoded" not in headers.get("content-type", ""):
        errors.append("body must be form-encoded")
    expected = "Basic " + base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
    if headers.get("authorization") != expected:
        errors.append("missing or wrong basic auth")
    form = {key: values[0] for key, values in parse_qs(raw.decode(), keep_blank_values=True).items()}
    if not form.get("To") or not form.get("Body"):
        errors.append("To and Body are required")
    if bool(form.get("From")) == bool(form.get("MessagingServiceSid")):
        errors.append("exactly one of From and MessagingServiceSid")
    if len(form.get("Body") or "") > 1600:
        errors.append("Body over 1600 characters")
    sender = form.get("From") or ""
    if sender and form.get("To", "").startswith("whatsapp:") != sender.startswith("whatsapp:"):
        errors.append("To and From must both be whatsapp: addresses or neither")
    if SHOWN_PAYLOAD.search(form.get("Body") or ""):
        errors.append(f"a payload is shown to the user: {form.get('Body')!r}")
    return Call("twilio", "Messages.json", form, headers, query, errors)


def _check_telegram(path: str, query: dict, headers: dict[str, str], raw: bytes) -> Call:
    errors: list[str] = []
    token, _, method = path.partition("/")
    if token != TELEGRAM_TOKEN:
        errors.append("wrong bot token in the path")
    body = _json(raw, headers, errors)
    if method == "sendMessage":
        if body.get("chat_id") in (None, ""):
            errors.append("chat_id is required")
        if not 0 < len(body.get("text") or "") <= 4096:
            errors.append("text must be 1-4096 characters")
        markup = body.get("reply_markup")
        if markup is not None:
            rows = markup.get("inline_keyboard")
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                errors.append("inline_keyboard must be a list of rows")
            for row in rows or []:
                for button in row:
                    if (
                        not button.get("text")
                        or not 0 < len((button.get("callback_data") or "").encode()) <= 64
                    ):
                        errors.append("a button needs text and 1-64 bytes of callback_data")
    elif method == "answerCallbackQuery":
        if not body.get("callback_query_id"):
            errors.append("callback_query_id is required")
    elif method == "setWebhook":
        if not body.get("url") or not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", body.get("secret_token") or ""):
            errors.append("setWebhook needs url and a valid secret_token")
    elif method not in ("getWebhookInfo", "deleteWebhook"):
        errors.append(f"unexpected method {method}")
    return Call("telegram", method, body, headers, query, errors)


def answer(call: Call) -> dict[str, Any]:
    if call.errors:
        return {"ok": False, "error": "; ".join(call.errors)}
    if call.provider == "slack":
        return {"ok": True, "channel": call.body.get("channel"), "ts": f"{time.time():.6f}"}
    if call.provider == "facebook":
        return {"recipient_id": call.recipient, "message_id": f"m_{time.time_ns()}"}
    if call.provider == "twilio":
        return {"sid": f"SM{time.time_ns():032d}"[:34], "status": "queued"}
    if call.method == "getWebhookInfo":
        return {"ok": True, "result": {"url": "", "pending_update_count": 0}}
    return {"ok": True, "result": True if call.method != "sendMessage" else {"message_id": 1}}


# Where each provider's API sits on the fake server, and the check for its calls.
CHECKS: tuple[tuple[str, Callable[[str, dict, dict[str, str], bytes], Call]], ...] = (
    ("/slack/api/", _check_slack),
    ("/facebook/v19.0/", _check_facebook),
    ("/twilio/2010-04-01/Accounts/", _check_twilio),
    ("/telegram/bot", _check_telegram),
)
