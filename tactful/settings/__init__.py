"""Every setting Tactful reads from the environment, in one place.

This module is the only reader of the environment (README "Configuration").
``load_settings()`` reads it when called, never at import, so a test builds
its own ``Settings`` from its own mapping and hands it to its own composition
root (``tactful.bootstrap``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from tactful.settings.model import (
    PRODUCTION,
    BackendSettings,
    DashboardSettings,
    HelpdeskSettings,
    Limits,
    LinkDeliverySettings,
    MessagingSettings,
    Settings,
    WebSettings,
)

__all__ = [
    "BackendSettings",
    "DashboardSettings",
    "HelpdeskSettings",
    "Limits",
    "LinkDeliverySettings",
    "MessagingSettings",
    "PRODUCTION",
    "REPO_ROOT",
    "Settings",
    "SettingsError",
    "WebSettings",
    "load_settings",
]

REPO_ROOT = Path(__file__).resolve().parents[2]

DEFAULT_CONTACT = "You can reach our support team at support@example.com or 0800 123 4567 (Mon–Fri, 9am–6pm)."
DEFAULT_API_BASES = {
    "slack": "https://slack.com/api",
    "facebook": "https://graph.facebook.com/v19.0",
    "twilio": "https://api.twilio.com",
    "telegram": "https://api.telegram.org",
}


class SettingsError(ValueError):
    """A setting is present but unusable; the message names the variable."""


class _Reader:
    """Typed reads of one environment mapping; blank counts as unset."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def text(self, name: str, default: str | None = None) -> str | None:
        value = (self._environ.get(name) or "").strip()
        return value or default

    def raw(self, name: str) -> str | None:
        """A secret exactly as given (no stripping: spaces may be part of it)."""
        return self._environ.get(name) or None

    def number(self, name: str, default: float) -> float:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a number, not {raw!r}") from None
        if value <= 0:
            raise SettingsError(f"{name} must be positive, not {raw!r}")
        return value

    def whole(self, name: str, default: int) -> int:
        value = self.number(name, default)
        if value != int(value):
            raise SettingsError(f"{name} must be a whole number, not {value!r}")
        return int(value)

    def flag(self, name: str) -> bool:
        return (self.text(name) or "").lower() in ("1", "true", "yes", "on")


def _limits(env: _Reader) -> Limits:
    return Limits(
        request_bytes=env.whole("TACTFUL_MAX_REQUEST_BYTES", 1024 * 1024),
        body_bytes=env.whole("TACTFUL_MAX_BODY_BYTES", 16 * 1024),
        provider_body_bytes=env.whole("TACTFUL_MAX_PROVIDER_BODY_BYTES", 256 * 1024),
        message_chars=env.whole("TACTFUL_MAX_MESSAGE_CHARS", 2000),
        metadata_bytes=env.whole("TACTFUL_MAX_METADATA_BYTES", 4096),
        messages_per_sender_per_minute=env.whole("TACTFUL_RATE_SENDER_PER_MINUTE", 30),
        messages_per_customer_per_minute=env.whole("TACTFUL_RATE_CUSTOMER_PER_MINUTE", 60),
        sessions_per_client_per_minute=env.whole("TACTFUL_RATE_SESSIONS_PER_MINUTE", 60),
    )


def _helpdesk(env: _Reader, contact: str) -> HelpdeskSettings:
    return HelpdeskSettings(
        url=env.text("TACTFUL_HELPDESK_URL"),
        secret=env.raw("TACTFUL_HELPDESK_SECRET"),
        adapter=env.text("TACTFUL_HELPDESK_ADAPTER", "webhook") or "webhook",
        timeout_seconds=env.number("TACTFUL_HELPDESK_TIMEOUT", 5.0),
        retry_seconds=env.number("TACTFUL_HELPDESK_RETRY_SECONDS", 10.0),
        retry_max_seconds=env.number("TACTFUL_HELPDESK_RETRY_MAX_SECONDS", 300.0),
        support_contact=contact,
    )


def _link_delivery(env: _Reader) -> LinkDeliverySettings:
    url = env.text("TACTFUL_LINK_WEBHOOK_URL")
    kind = (env.text("TACTFUL_LINK_DELIVERY") or ("webhook" if url else "outbox")).lower()
    if kind not in ("outbox", "webhook"):
        raise SettingsError(f"TACTFUL_LINK_DELIVERY must be 'outbox' or 'webhook', not {kind!r}")
    outbox = env.text("TACTFUL_LINK_OUTBOX") or str(REPO_ROOT / "var" / "link_codes.outbox.jsonl")
    return LinkDeliverySettings(kind, url, env.raw("TACTFUL_LINK_WEBHOOK_SECRET"), Path(outbox))


def _messaging(env: _Reader) -> MessagingSettings:
    bases = {
        provider: (env.text(f"TACTFUL_{provider.upper()}_API_BASE") or default).rstrip("/")
        for provider, default in DEFAULT_API_BASES.items()
    }
    return MessagingSettings(
        api_bases=bases,
        public_url=(env.text("TACTFUL_PUBLIC_URL") or "").rstrip("/") or None,
        dedupe_ttl_seconds=env.number("TACTFUL_WEBHOOK_DEDUPE_TTL", 24 * 3600.0),
        telegram_bot_token=env.raw("TACTFUL_TELEGRAM_BOT_TOKEN"),
        telegram_secret_token=env.raw("TACTFUL_TELEGRAM_SECRET_TOKEN"),
    )


def _web(env: _Reader) -> WebSettings:
    port = env.whole("TACTFUL_WEB_PORT", 8080)
    listed = env.text("TACTFUL_WEB_ORIGINS")
    origins = tuple(o.strip().rstrip("/") for o in (listed or "").split(",") if o.strip())
    rasa_url = env.text("TACTFUL_RASA_URL") or f"http://127.0.0.1:{env.whole('TACTFUL_RASA_PORT', 5005)}"
    return WebSettings(
        rasa_url=rasa_url.rstrip("/"),
        host=env.text("TACTFUL_WEB_HOST", "127.0.0.1") or "127.0.0.1",
        port=port,
        token_ttl_seconds=env.whole("TACTFUL_TOKEN_TTL", 15 * 60),
        web_root=Path(env.text("TACTFUL_WEB_ROOT") or REPO_ROOT / "web"),
        secure_cookie=env.flag("TACTFUL_WEB_SECURE_COOKIE"),
        origins=origins,
    )


def _backends(env: _Reader) -> BackendSettings:
    action_url = env.text("TACTFUL_ACTION_URL")
    if action_url is None:
        action_url = f"http://127.0.0.1:{env.whole('TACTFUL_ACTION_PORT', 5055)}/webhook"
    return BackendSettings(
        tracker_db=env.text("TACTFUL_TRACKER_DB") or str(REPO_ROOT / "var" / "tracker.db"),
        action_url=action_url,
        rabbitmq_url=env.text("TACTFUL_RABBITMQ_URL"),
        event_queue=env.text("TACTFUL_EVENT_QUEUE", "tactful_events") or "tactful_events",
        socketio_channel=env.text("TACTFUL_SOCKETIO_CHANNEL", "tactful-socketio") or "tactful-socketio",
    )


def _log_format(env: _Reader) -> str:
    production = (env.text("TACTFUL_ENV") or "").lower() == PRODUCTION
    value = (env.text("TACTFUL_LOG_FORMAT") or ("json" if production else "text")).lower()
    if value not in ("json", "text"):
        raise SettingsError(f"TACTFUL_LOG_FORMAT must be 'json' or 'text', not {value!r}")
    return value


SECRET_NAMES = (
    "TACTFUL_JWT_SECRET",
    "TACTFUL_ACTION_SECRET",
    "TACTFUL_SESSION_SECRET",
    "TACTFUL_LINK_SECRET",
    "TACTFUL_HELPDESK_SECRET",
)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings now (not at import) from ``environ`` (default: the process environment)."""
    env = _Reader(os.environ if environ is None else environ)
    jwt_secret = env.raw("TACTFUL_JWT_SECRET")
    contact = env.text("TACTFUL_SUPPORT_CONTACT") or DEFAULT_CONTACT
    return Settings(
        shop_db_url=env.text("TACTFUL_SHOP_DB_URL") or f"sqlite:///{REPO_ROOT / 'var' / 'shop.db'}",
        jwt_secret=jwt_secret,
        policy_file=Path(env.text("TACTFUL_POLICY_FILE") or REPO_ROOT / "policy.yml"),
        action_secret=env.raw("TACTFUL_ACTION_SECRET"),
        action_host=env.text("TACTFUL_ACTION_HOST", "127.0.0.1") or "127.0.0.1",
        action_port=env.whole("TACTFUL_ACTION_PORT", 5055),
        db_timeout_seconds=env.number("TACTFUL_DB_TIMEOUT", 5.0),
        environment=(env.text("TACTFUL_ENV") or "development").lower(),
        redis_url=env.text("TACTFUL_REDIS_URL"),
        session_secret=env.raw("TACTFUL_SESSION_SECRET") or jwt_secret,
        link_secret=env.raw("TACTFUL_LINK_SECRET") or jwt_secret,
        explicit_secrets={name: env.raw(name) for name in SECRET_NAMES},
        support_contact=contact,
        log_level=(env.text("TACTFUL_LOG_LEVEL") or "INFO").upper(),
        log_format=_log_format(env),
        debug=env.flag("TACTFUL_DEBUG"),
        limits=_limits(env),
        helpdesk=_helpdesk(env, contact),
        link_delivery=_link_delivery(env),
        messaging=_messaging(env),
        web=_web(env),
        backends=_backends(env),
        dashboard=DashboardSettings(
            host=env.text("TACTFUL_DASHBOARD_HOST", "127.0.0.1") or "127.0.0.1",
            port=env.whole("TACTFUL_DASHBOARD_PORT", 8090),
            token=env.raw("TACTFUL_DASHBOARD_TOKEN"),
        ),
    )
