"""The typed sections of the settings; ``tactful.settings`` fills them from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PRODUCTION = "production"


@dataclass(frozen=True)
class Limits:
    """Input sizes and rates (docs/security.md); every channel applies them."""

    # Any request to the Rasa server (Sanic's REQUEST_MAX_SIZE; its default is 100 MB).
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
    # New socket.io connections per client address per minute.
    sessions_per_client_per_minute: int


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


@dataclass(frozen=True)
class LinkDeliverySettings:
    """How account-link codes reach the customer (tactful/linking/delivery.py)."""

    kind: str  # "outbox" (development) or "webhook" (the shop's mailer)
    webhook_url: str | None
    webhook_secret: str | None
    outbox: Path


@dataclass(frozen=True)
class MessagingSettings:
    # Provider API bases (tests and staging point them at a local fake).
    api_bases: Mapping[str, str]
    # The public https base URL providers call (Twilio signs the exact URL).
    public_url: str | None
    dedupe_ttl_seconds: float
    telegram_bot_token: str | None
    telegram_secret_token: str | None


@dataclass(frozen=True)
class WebSettings:
    """The demo shop page (tactful/web) and the widget's origins."""

    rasa_url: str
    host: str
    port: int
    token_ttl_seconds: int
    web_root: Path
    secure_cookie: bool
    # Page origins the socket.io channel accepts (TACTFUL_WEB_ORIGINS, comma-separated);
    # empty: credentials.yml's list, else the demo page (tactful/channels/socketio.py).
    origins: tuple[str, ...]


@dataclass(frozen=True)
class BackendSettings:
    """The shared services of the production profile (endpoints.prod.yml, deploy/README.md)."""

    # Rasa's tracker store: a SQLite file path or a SQLAlchemy URL (postgresql://...).
    tracker_db: str
    # Where Rasa calls the action server (another host behind a Service in Kubernetes).
    action_url: str
    # The event broker (amqp://user:pass@host:5672/vhost) and the queue it fills.
    rabbitmq_url: str | None
    event_queue: str
    # Redis pub/sub channel that carries socket.io emits between replicas.
    socketio_channel: str


@dataclass(frozen=True)
class DashboardSettings:
    """The staff dashboard (tactful/dashboard, docs/analytics.md "Dashboard")."""

    host: str
    port: int
    # The staff token: typed into the login form, or sent as a Bearer token.
    token: str | None


@dataclass(frozen=True)
class Settings:
    shop_db_url: str
    jwt_secret: str | None
    policy_file: Path
    action_secret: str | None
    action_host: str
    action_port: int
    db_timeout_seconds: float
    # "production" turns on the fail-closed start-up checks (tactful.production).
    environment: str
    # Shared state across replicas (rate limits, webhook dedupe, replay guard).
    redis_url: str | None
    # Signs the socket.io session ids the server issues.
    session_secret: str | None
    # Keys the hash of account-link codes.
    link_secret: str | None
    # Secrets exactly as set, without fallbacks (the production check needs them).
    explicit_secrets: Mapping[str, str | None]
    support_contact: str
    log_level: str
    # "json" (one object per line, docs/observability.md) or "text".
    log_format: str
    debug: bool
    limits: Limits
    helpdesk: HelpdeskSettings
    link_delivery: LinkDeliverySettings
    messaging: MessagingSettings
    web: WebSettings
    backends: BackendSettings
    dashboard: DashboardSettings

    @property
    def is_production(self) -> bool:
        return self.environment == PRODUCTION
