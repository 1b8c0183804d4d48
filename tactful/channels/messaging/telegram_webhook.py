"""Point Telegram at the bot's webhook, once, outside Rasa's start-up.

    python -m tactful.channels.messaging.telegram_webhook set https://bot.example.com
    python -m tactful.channels.messaging.telegram_webhook info
    python -m tactful.channels.messaging.telegram_webhook delete

Reads TACTFUL_TELEGRAM_BOT_TOKEN and TACTFUL_TELEGRAM_SECRET_TOKEN (and
TACTFUL_TELEGRAM_API_BASE). ``set`` takes the public base URL (or
TACTFUL_PUBLIC_URL) and registers ``<base>/webhooks/telegram/webhook`` with the
secret token, so Telegram signs every update with it.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from tactful.channels.messaging.config import PUBLIC_URL_ENV
from tactful.settings import load_settings

WEBHOOK_PATH = "/webhooks/telegram/webhook"
ALLOWED_UPDATES = ["message", "callback_query"]


def webhook_url(base: str) -> str:
    base = base.rstrip("/")
    return base if base.endswith(WEBHOOK_PATH) else base + WEBHOOK_PATH


def call(token: str, method: str, body: dict[str, Any], base: str) -> dict[str, Any]:
    url = f"{base}/bot{token}/{method}"
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as answer:
            answered: dict[str, Any] = json.loads(answer.read() or b"{}")
            return answered
    except urllib.error.HTTPError as error:
        return json.loads(error.read() or b"{}") or {"ok": False, "description": f"HTTP {error.code}"}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tactful.channels.messaging.telegram_webhook")
    commands = parser.add_subparsers(dest="command", required=True)
    setter = commands.add_parser("set", help="register the webhook with the secret token")
    setter.add_argument("base_url", nargs="?", help=f"public base URL (default ${PUBLIC_URL_ENV})")
    setter.add_argument("--drop-pending", action="store_true", help="discard updates queued at Telegram")
    commands.add_parser("info", help="show Telegram's view of the webhook")
    commands.add_parser("delete", help="remove the webhook")
    args = parser.parse_args(argv)

    settings = load_settings()
    token = settings.messaging.telegram_bot_token or ""
    api = settings.messaging.api_bases["telegram"]
    if not token:
        print("TACTFUL_TELEGRAM_BOT_TOKEN is not set", file=sys.stderr)
        return 2
    if args.command == "set":
        base = args.base_url or settings.messaging.public_url or ""
        secret = settings.messaging.telegram_secret_token or ""
        if not base or not secret:
            print(f"need a base URL (or {PUBLIC_URL_ENV}) and TACTFUL_TELEGRAM_SECRET_TOKEN", file=sys.stderr)
            return 2
        answer = call(
            token,
            "setWebhook",
            {
                "url": webhook_url(base),
                "secret_token": secret,
                "allowed_updates": ALLOWED_UPDATES,
                "drop_pending_updates": bool(args.drop_pending),
            },
            api,
        )
    elif args.command == "info":
        answer = call(token, "getWebhookInfo", {}, api)
    else:
        answer = call(token, "deleteWebhook", {}, api)
    print(json.dumps(answer, indent=2))
    return 0 if answer.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
