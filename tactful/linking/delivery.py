"""How a link code reaches the customer.

Any object with ``send(email, code)`` will do (a mail service, a CRM). Two ship
with Tactful:

* ``OutboxDelivery`` (default): appends one JSON line per code to a file in
  var/ (mode 0600). For development and tests: the file holds live codes, so do
  not use it in production.
* ``WebhookDelivery``: POSTs the code as JSON to the shop's own mailer,
  signed like every webhook of ours (``tactful.signing``: timestamp, unique id,
  ``X-Tactful-Signature: v1=...``), so the mailer can refuse stale or replayed
  requests.

``delivery_for`` picks one from the settings: TACTFUL_LINK_DELIVERY = outbox |
webhook (default: webhook when TACTFUL_LINK_WEBHOOK_URL is set, else outbox).
"""

from __future__ import annotations

import json
import os
import threading
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from tactful.settings import LinkDeliverySettings
from tactful.signing import signed_headers

SUBJECT = "Your code to link your chat"


def email_text(code: str, minutes: int) -> str:
    return (
        f"Your code is {code}. Type it in the chat to link it to your account. It expires in"
        f" {minutes} minutes. If you did not ask for it, you can ignore this email."
    )


class CodeDelivery(Protocol):
    def send(self, email: str, code: str) -> None:
        """Deliver ``code`` to ``email``; raise on failure."""
        ...


class OutboxDelivery:
    def __init__(self, path: Path, minutes: int = 10) -> None:
        self.path = path
        self._minutes = minutes
        self._lock = threading.Lock()

    def send(self, email: str, code: str) -> None:
        record = {
            "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "to": email,
            "subject": SUBJECT,
            "code": code,
            "text": email_text(code, self._minutes),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = (json.dumps(record) + "\n").encode()
        with self._lock:
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(descriptor, line)
            finally:
                os.close(descriptor)


class WebhookDelivery:
    def __init__(self, url: str, secret: str, minutes: int = 10, timeout_seconds: float = 10.0) -> None:
        self.url = url
        self._secret = secret
        self._minutes = minutes
        self._timeout = timeout_seconds

    def send(self, email: str, code: str) -> None:
        body = json.dumps(
            {
                "type": "account_link_code",
                "to": email,
                "subject": SUBJECT,
                "code": code,
                "expires_in_minutes": self._minutes,
                "text": email_text(code, self._minutes),
            }
        ).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            headers={"Content-Type": "application/json", **signed_headers(self._secret, body)},
        )
        # Called off the event loop (run_blocking); urlopen raises on HTTP errors.
        with urllib.request.urlopen(request, timeout=self._timeout):
            pass


def delivery_for(settings: LinkDeliverySettings, minutes: int = 10) -> CodeDelivery:
    if settings.kind == "webhook":
        if not settings.webhook_url or not settings.webhook_secret:
            raise ValueError("TACTFUL_LINK_DELIVERY=webhook needs TACTFUL_LINK_WEBHOOK_URL and _SECRET")
        return WebhookDelivery(settings.webhook_url, settings.webhook_secret, minutes)
    return OutboxDelivery(settings.outbox, minutes)
