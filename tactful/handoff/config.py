"""Helpdesk configuration from environment variables (read when called)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from tactful.settings import load_settings

DEFAULT_ADAPTER = "webhook"


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive, not {raw!r}")
    return value


@dataclass(frozen=True)
class HelpdeskSettings:
    # Where the signed webhook adapter posts events (unset: handoffs queue up).
    url: str | None
    # Signs outgoing webhooks and authenticates the agent endpoints.
    secret: str | None
    # "webhook" or "package.module:Factory" for a custom adapter.
    adapter: str
    timeout_seconds: float
    retry_seconds: float
    retry_max_seconds: float
    support_contact: str


def load_helpdesk_settings() -> HelpdeskSettings:
    return HelpdeskSettings(
        url=os.environ.get("TACTFUL_HELPDESK_URL", "").strip() or None,
        secret=os.environ.get("TACTFUL_HELPDESK_SECRET", "") or None,
        adapter=os.environ.get("TACTFUL_HELPDESK_ADAPTER", "").strip() or DEFAULT_ADAPTER,
        timeout_seconds=_float("TACTFUL_HELPDESK_TIMEOUT", 5.0),
        retry_seconds=_float("TACTFUL_HELPDESK_RETRY_SECONDS", 10.0),
        retry_max_seconds=_float("TACTFUL_HELPDESK_RETRY_MAX_SECONDS", 300.0),
        support_contact=load_settings().support_contact,
    )
