"""How handoff events reach a helpdesk.

An adapter has one job: deliver one JSON event or raise ``DeliveryError``.
Delivery is at least once (a retry may repeat an event that arrived but whose
answer was lost), so every event carries a stable ``id`` to deduplicate on.
Adapters are called on a worker thread, never on the event loop.

``SignedWebhookAdapter`` is the generic one. A Zendesk, Freshdesk or Chatwoot
adapter is a class with the same ``deliver`` method, named in
``TACTFUL_HELPDESK_ADAPTER`` as ``package.module:factory`` (see docs/handoff.md).
"""

from __future__ import annotations

import importlib
import json
import urllib.error
import urllib.request
from typing import Any, Protocol

from tactful.settings import HelpdeskSettings
from tactful.signing import signed_headers

USER_AGENT = "Tactful-Helpdesk-Webhook/1"
MAX_ERROR_CHARS = 500


class DeliveryError(Exception):
    """The helpdesk did not accept the event; it stays queued for a retry."""


class HelpdeskAdapter(Protocol):
    def deliver(self, event: dict[str, Any]) -> None:
        """Deliver one event or raise DeliveryError."""


def encode(event: dict[str, Any]) -> bytes:
    # Compact and key-sorted: the bytes signed are the bytes sent.
    return json.dumps(event, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode("utf-8")


class SignedWebhookAdapter:
    """POST each event as JSON, signed with ``tactful.signing``.

    Each attempt, retries included, is signed afresh (new timestamp and
    ``X-Tactful-Id``), so a receiver that refuses replayed ids still accepts the
    retry; ``X-Tactful-Delivery`` stays the event id to deduplicate on.
    """

    def __init__(self, url: str | None, secret: str | None, timeout_seconds: float) -> None:
        self._url = url
        self._secret = secret
        self._timeout = timeout_seconds

    def deliver(self, event: dict[str, Any]) -> None:
        if not self._url:
            raise DeliveryError("no helpdesk configured (set TACTFUL_HELPDESK_URL)")
        if not self._secret:
            raise DeliveryError("no signing secret configured (set TACTFUL_HELPDESK_SECRET)")
        body = encode(event)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Tactful-Event": str(event.get("type", "")),
            "X-Tactful-Delivery": str(event.get("id", "")),
            **signed_headers(self._secret, body),
        }
        request = urllib.request.Request(self._url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                response.read(MAX_ERROR_CHARS)
        except urllib.error.HTTPError as error:
            detail = error.read(MAX_ERROR_CHARS).decode("utf-8", "replace")
            raise DeliveryError(f"helpdesk answered {error.code}: {detail}".strip()) from None
        except (OSError, ValueError) as error:
            # URLError, timeouts, refused connections and malformed URLs.
            raise DeliveryError(f"helpdesk unreachable: {error}") from None


def load_adapter(settings: HelpdeskSettings) -> HelpdeskAdapter:
    """The configured adapter: "webhook" or a ``module:factory(settings)`` path."""
    if settings.adapter == "webhook":
        return SignedWebhookAdapter(settings.url, settings.secret, settings.timeout_seconds)
    module_name, _, attribute = settings.adapter.partition(":")
    if not module_name or not attribute:
        raise ValueError(
            f"TACTFUL_HELPDESK_ADAPTER must be 'webhook' or 'package.module:factory', not {settings.adapter!r}"
        )
    factory = getattr(importlib.import_module(module_name), attribute)
    adapter: HelpdeskAdapter = factory(settings)
    return adapter
