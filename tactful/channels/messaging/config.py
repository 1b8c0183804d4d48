"""Where each provider's API lives and how credentials are read.

Secrets come from ``credentials.yml`` (which takes them from environment
variables with ``${VAR}``). API base URLs are optional, so they are read here
from the environment: tests and staging point them at a local fake provider.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from rasa.shared.exceptions import InvalidConfigException
from sanic.request import Request

DEFAULT_API_BASES = {
    "slack": "https://slack.com/api",
    "facebook": "https://graph.facebook.com/v19.0",
    "twilio": "https://api.twilio.com",
    "telegram": "https://api.telegram.org",
}
API_BASE_ENV = {
    "slack": "TACTFUL_SLACK_API_BASE",
    "facebook": "TACTFUL_FACEBOOK_API_BASE",
    "twilio": "TACTFUL_TWILIO_API_BASE",
    "telegram": "TACTFUL_TELEGRAM_API_BASE",
}
# The public https base URL the providers call (e.g. https://bot.example.com).
# Twilio signs the exact URL it called; behind a TLS-terminating proxy Rasa sees
# another scheme and host, so the signature check needs the public one.
PUBLIC_URL_ENV = "TACTFUL_PUBLIC_URL"


def api_base(provider: str, credentials: Mapping[str, Any] | None = None) -> str:
    """The provider's API base: credentials ``api_base``, else env, else the real URL."""
    configured = (credentials or {}).get("api_base") or os.environ.get(API_BASE_ENV[provider], "")
    return str(configured or DEFAULT_API_BASES[provider]).rstrip("/")


def required(credentials: Mapping[str, Any] | None, key: str, channel: str) -> str:
    """A credentials value that must be present: a connector never runs unsigned."""
    value = (credentials or {}).get(key)
    if value is None or not str(value).strip():
        raise InvalidConfigException(
            f"The '{channel}' channel needs '{key}' in credentials.yml (set its environment"
            " variable; see docs/channels.md)."
        )
    return str(value).strip()


def optional(credentials: Mapping[str, Any] | None, key: str) -> str | None:
    value = (credentials or {}).get(key)
    return str(value).strip() if value is not None and str(value).strip() else None


def public_url(request: Request) -> str:
    """The URL the provider called: TACTFUL_PUBLIC_URL + path when set, else as received."""
    base = os.environ.get(PUBLIC_URL_ENV, "").rstrip("/")
    if not base:
        return request.url
    query = f"?{request.query_string}" if request.query_string else ""
    return f"{base}{request.path}{query}"
