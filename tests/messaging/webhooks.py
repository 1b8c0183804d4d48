"""Webhooks as the providers send them: real payload shapes, signed like the real thing.

Each builder returns a ``Webhook`` (path, body bytes, headers); ``forged``
re-signs it with the wrong secret and ``unsigned`` drops the signature. The
signing itself, the secrets and ``Webhook`` are in webhook_signing.py and are
importable from here as well (tests use ``webhooks as hooks`` for all of it).
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from tests.messaging.provider_api import TWILIO_SID, TWILIO_TOKEN
from tests.messaging.webhook_signing import (
    FACEBOOK_APP_SECRET,
    FACEBOOK_PAGE_ID,
    FACEBOOK_VERIFY_TOKEN,
    SLACK_BOT_USER,
    SLACK_SIGNING_SECRET,
    TELEGRAM_SECRET,
    TWILIO_SMS_NUMBER,
    TWILIO_WHATSAPP_NUMBER,
    Webhook,
    next_id,
    sign,
)

# The signing names are re-exported: tests reach everything as ``hooks.<name>``.
__all__ = [
    "FACEBOOK_APP_SECRET",
    "FACEBOOK_PAGE_ID",
    "FACEBOOK_VERIFY_TOKEN",
    "SLACK_BOT_USER",
    "SLACK_SIGNING_SECRET",
    "TELEGRAM_SECRET",
    "TWILIO_SMS_NUMBER",
    "TWILIO_WHATSAPP_NUMBER",
    "Webhook",
    "messenger_message",
    "next_id",
    "sign",
    "slack_button",
    "slack_message",
    "slack_url_verification",
    "telegram_button",
    "telegram_message",
    "twilio_message",
]


# -- Slack ----------------------------------------------------------------


def slack_message(user: str, text: str, channel: str | None = None, event_id: str | None = None) -> Webhook:
    stamp = f"{time.time():.6f}"
    body = {
        "token": "verification-token-unused",
        "team_id": "T0TEAM0001",
        "context_team_id": "T0TEAM0001",
        "api_app_id": "A0APP00001",
        "event": {
            "client_msg_id": f"0e6ec4a1-{next_id()}",
            "type": "message",
            "text": text,
            "user": user,
            "ts": stamp,
            "blocks": [
                {
                    "type": "rich_text",
                    "block_id": "x1",
                    "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
                }
            ],
            "team": "T0TEAM0001",
            "channel": channel or f"D{user[1:]}",
            "event_ts": stamp,
            "channel_type": "im",
        },
        "type": "event_callback",
        "event_id": event_id or f"Ev{next_id()}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": "T0TEAM0001",
                "user_id": SLACK_BOT_USER,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-eyJldCI6Im1lc3NhZ2UifQ",
    }
    return _slack(json.dumps(body).encode(), "application/json")


def slack_url_verification(challenge: str) -> Webhook:
    body = {"token": "unused", "challenge": challenge, "type": "url_verification"}
    return _slack(json.dumps(body).encode(), "application/json")


def slack_button(user: str, value: str, channel: str | None = None) -> Webhook:
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "tester", "team_id": "T0TEAM0001"},
        "api_app_id": "A0APP00001",
        "token": "unused",
        "container": {
            "type": "message",
            "message_ts": "1700000000.000100",
            "channel_id": channel or f"D{user[1:]}",
        },
        "trigger_id": f"{next_id()}.123.abc",
        "team": {"id": "T0TEAM0001", "domain": "shop"},
        "channel": {"id": channel or f"D{user[1:]}", "name": "directmessage"},
        "actions": [
            {
                "action_id": "choice_1",
                "block_id": "b1",
                "text": {"type": "plain_text", "text": "Yes"},
                "value": value,
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    return _slack(body, "application/x-www-form-urlencoded")


def _slack(body: bytes, content_type: str) -> Webhook:
    return sign(
        Webhook(
            "slack", "/webhooks/slack/webhook", body, {"Content-Type": content_type}, SLACK_SIGNING_SECRET
        )
    )


# -- Messenger -------------------------------------------------------------


def messenger_message(
    psid: str, text: str, quick_reply_payload: str | None = None, mid: str | None = None
) -> Webhook:
    message: dict = {"mid": mid or f"m_{next_id()}AbCdEf", "text": text}
    if quick_reply_payload:
        message["quick_reply"] = {"payload": quick_reply_payload}
    now = int(time.time() * 1000)
    body = {
        "object": "page",
        "entry": [
            {
                "id": FACEBOOK_PAGE_ID,
                "time": now,
                "messaging": [
                    {
                        "sender": {"id": psid},
                        "recipient": {"id": FACEBOOK_PAGE_ID},
                        "timestamp": now,
                        "message": message,
                    }
                ],
            }
        ],
    }
    return sign(
        Webhook(
            "facebook",
            "/webhooks/facebook/webhook",
            json.dumps(body).encode(),
            {"Content-Type": "application/json"},
            FACEBOOK_APP_SECRET,
        )
    )


# -- Twilio ------------------------------------------------------------------


def twilio_message(
    rasa_url: str, sender: str, text: str, whatsapp: bool = False, sid: str | None = None
) -> Webhook:
    message_sid = sid or f"SM{next_id():032d}"[:34]
    to = f"whatsapp:{TWILIO_WHATSAPP_NUMBER}" if whatsapp else TWILIO_SMS_NUMBER
    fields = {
        "ToCountry": "US",
        "ToState": "CA",
        "SmsMessageSid": message_sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": message_sid,
        "FromState": "",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": text,
        "FromCountry": "GB",
        "To": to,
        "MessagingServiceSid": "",
        "ToZip": "",
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": message_sid,
        "AccountSid": TWILIO_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    if whatsapp:
        fields.update(
            {"ProfileName": "Tester", "WaId": sender.removeprefix("whatsapp:+"), "MessageType": "text"}
        )
    name = "twilio_whatsapp" if whatsapp else "twilio"
    path = f"/webhooks/{name}/webhook"
    webhook = Webhook(
        name,
        path,
        urlencode(fields).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "I-Twilio-Idempotency-Token": message_sid},
        TWILIO_TOKEN,
    )
    return sign(webhook, rasa_url + path)


# -- Telegram ----------------------------------------------------------------


def telegram_message(
    chat_id: int, text: str, update_id: int | None = None, chat_type: str = "private"
) -> Webhook:
    user = {"id": chat_id, "is_bot": False, "first_name": "Test", "username": "tester", "language_code": "en"}
    chat = {"id": chat_id, "first_name": "Test", "username": "tester", "type": chat_type}
    body = {
        "update_id": update_id or next_id(),
        "message": {
            "message_id": next_id(),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        },
    }
    return _telegram(body)


def telegram_button(chat_id: int, data: str) -> Webhook:
    user = {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": "en"}
    body = {
        "update_id": next_id(),
        "callback_query": {
            "id": str(next_id()),
            "from": user,
            "message": {
                "message_id": next_id(),
                "from": {"id": 123456, "is_bot": True, "first_name": "Tactful", "username": "tactful_bot"},
                "chat": {"id": chat_id, "first_name": "Test", "type": "private"},
                "date": int(time.time()),
                "text": "Would you like it?",
            },
            "chat_instance": "-123456789",
            "data": data,
        },
    }
    return _telegram(body)


def _telegram(body: dict) -> Webhook:
    return sign(
        Webhook(
            "telegram",
            "/webhooks/telegram/webhook",
            json.dumps(body).encode(),
            {"Content-Type": "application/json"},
            TELEGRAM_SECRET,
        )
    )
