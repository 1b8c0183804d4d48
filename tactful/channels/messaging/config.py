"""Where each provider's API lives and how credentials are read.

Secrets come from ``credentials.yml`` (which takes them from environment
variables with ``${VAR}``). API base URLs are optional (``TACTFUL_<PROVIDER>_API_BASE``,
read by tactful.settings): tests and staging point them at a local fake provider.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rasa.shared.exceptions import InvalidConfigException
from sanic.request import Request

from tactful import bootstrap

# The public https base URL the providers call (e.g. https://bot.example.com).
# Twilio signs the exact URL it called; behind a TLS-terminating proxy Rasa sees
# another scheme and host, so the signature check needs the public one.
PUBLIC_URL_ENV = "TACTFUL_PUBLIC_URL"


def api_base(provider: str, credentials: Mapping[str, Any] | None = None) -> str:
    """The provider's API base: credentials ``api_base``, else the settings (env or the real URL)."""
    configured = (credentials or {}).get("api_base")
    return str(configured or bootstrap.root().settings.messaging.api_bases[provider]).rstrip("/")


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
    base = bootstrap.root().settings.messaging.public_url
    if not base:
        return request.url
    query = f"?{request.query_string}" if request.query_string else ""
    return f"{base}{request.path}{query}"
