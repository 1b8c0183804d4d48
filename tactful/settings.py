"""Configuration read from environment variables, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = "production"
DEFAULT_CONTACT = "You can reach our support team at support@example.com or 0800 123 4567 (Mon–Fri, 9am–6pm)."


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _int(name: str, default: int) -> int:
    raw = (_env(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive, not {raw!r}")
    return value


@dataclass(frozen=True)
class Limits:
    """Input sizes and rates (README "Limits"); every channel applies them."""

    # Any request to the Rasa server (Sanic's REQUEST_MAX_SIZE; the default is 100 MB).
    request_bytes: int
    # Whole request body of a chat webhook (REST, socket.io packet).
    body_bytes: int
    # Messaging providers' webhook bodies (Slack interactivity payloads are large).
    provider_body_bytes: int
    message_chars: int
    # All metadata a client may send with one message (after JSON encoding).
    metadata_bytes: int
    # Messages per conversation (sender) and per verified customer, per minute.
    messages_per_sender_per_minute: int
    messages_per_customer_per_minute: int
    # New conversations (REST senders, socket.io sessions) per client address per minute.
    sessions_per_client_per_minute: int


@dataclass(frozen=True)
class Settings:
    shop_db_url: str
    jwt_secret: str | None
    policy_file: Path
    action_secret: str | None
    db_timeout_seconds: float
    # "production" turns on the fail-closed start-up checks (tactful.production).
    environment: str
    # Shared state across replicas (rate limits, webhook dedupe, replay guard).
    redis_url: str | None
    # Signs the socket.io session ids the server issues.
    session_secret: str | None
    # Keys the hash of account-link codes.
    link_secret: str | None
    support_contact: str
    limits: Limits

    @property
    def is_production(self) -> bool:
        return self.environment == PRODUCTION


def load_limits() -> Limits:
    return Limits(
        request_bytes=_int("TACTFUL_MAX_REQUEST_BYTES", 1024 * 1024),
        body_bytes=_int("TACTFUL_MAX_BODY_BYTES", 16 * 1024),
        provider_body_bytes=_int("TACTFUL_MAX_PROVIDER_BODY_BYTES", 256 * 1024),
        message_chars=_int("TACTFUL_MAX_MESSAGE_CHARS", 2000),
        metadata_bytes=_int("TACTFUL_MAX_METADATA_BYTES", 4096),
        messages_per_sender_per_minute=_int("TACTFUL_RATE_SENDER_PER_MINUTE", 30),
        messages_per_customer_per_minute=_int("TACTFUL_RATE_CUSTOMER_PER_MINUTE", 60),
        sessions_per_client_per_minute=_int("TACTFUL_RATE_SESSIONS_PER_MINUTE", 60),
    )


def load_settings() -> Settings:
    """Read settings now (not at import), so tests can set the environment."""
    default_db = f"sqlite:///{REPO_ROOT / 'var' / 'shop.db'}"
    jwt_secret = _env("TACTFUL_JWT_SECRET")
    return Settings(
        shop_db_url=_env("TACTFUL_SHOP_DB_URL", default_db) or default_db,
        jwt_secret=jwt_secret,
        policy_file=Path(_env("TACTFUL_POLICY_FILE", str(REPO_ROOT / "policy.yml")) or ""),
        action_secret=_env("TACTFUL_ACTION_SECRET"),
        db_timeout_seconds=float(_env("TACTFUL_DB_TIMEOUT", "5") or 5),
        environment=(_env("TACTFUL_ENV", "development") or "development").strip().lower(),
        redis_url=(_env("TACTFUL_REDIS_URL") or "").strip() or None,
        session_secret=_env("TACTFUL_SESSION_SECRET", jwt_secret),
        link_secret=_env("TACTFUL_LINK_SECRET", jwt_secret),
        support_contact=(_env("TACTFUL_SUPPORT_CONTACT") or "").strip() or DEFAULT_CONTACT,
        limits=load_limits(),
    )
