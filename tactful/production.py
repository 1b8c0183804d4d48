"""Production fails closed: start-up checks for ``TACTFUL_ENV=production``.

Each process calls ``check_process`` before it serves anything. In
production a missing or development secret, the demo page, or a file outbox
for link codes stops start-up with a message that names the setting
(README "Production deployment"); so does, for the Rasa process, anything the
production profile lacks: a PostgreSQL tracker store, TACTFUL_REDIS_URL,
TACTFUL_RABBITMQ_URL, or an endpoints file (``rasa run --endpoints``) with the
Redis lock store and the pika event broker (endpoints.prod.yml). Outside production nothing is refused, but
the same problems are logged as warnings.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any, Literal

import yaml

from tactful.settings import Settings, load_settings

logger = logging.getLogger(__name__)

Process = Literal["rasa", "actions", "web", "dashboard"]
MIN_SECRET_CHARS = 32
# Words that mark the development defaults (Makefile) and placeholders.
DEV_MARKERS = ("dev-only", "change-me", "changeme", "example", "secret123", "test")


class UnsafeConfiguration(SystemExit):
    """Raised (exits) when production would start on unsafe settings."""


def secret_problem(name: str, value: str | None) -> str | None:
    if not value:
        return f"{name} is not set"
    if len(value) < MIN_SECRET_CHARS:
        return f"{name} is shorter than {MIN_SECRET_CHARS} characters"
    if any(marker in value.lower() for marker in DEV_MARKERS):
        return f"{name} is a development or placeholder value"
    return None


def problems_for(process: Process, settings: Settings, argv: Sequence[str] = ()) -> list[str]:
    """Every unsafe setting for ``process``, each naming its variable."""
    secrets = {"TACTFUL_JWT_SECRET": settings.jwt_secret}
    found: list[str] = []
    if process == "web":
        found.append(
            "the demo page (tactful.web.server) signs tokens for any listed customer and must not run in"
            " production; leave it out and sign tokens in the shop's own backend"
        )
    if process == "rasa":
        secrets["TACTFUL_ACTION_SECRET"] = settings.action_secret
        secrets["TACTFUL_SESSION_SECRET"] = settings.explicit_secrets["TACTFUL_SESSION_SECRET"]
        secrets["TACTFUL_HELPDESK_SECRET"] = settings.explicit_secrets["TACTFUL_HELPDESK_SECRET"]
        api_enabled, token = rasa_api_arguments(argv)
        if api_enabled:
            secrets["rasa run --auth-token (RASA_TOKEN)"] = token
        if settings.is_production:
            found.extend(backend_problems(settings, rasa_endpoints_argument(argv)))
    if process == "dashboard":
        # Staff see every customer's decisions: the token is a production secret.
        secrets = {"TACTFUL_DASHBOARD_TOKEN": settings.dashboard.token}
    if process == "actions":
        secrets["TACTFUL_ACTION_SECRET"] = settings.action_secret
        secrets["TACTFUL_LINK_SECRET"] = settings.explicit_secrets["TACTFUL_LINK_SECRET"]
        secrets["TACTFUL_HELPDESK_SECRET"] = settings.explicit_secrets["TACTFUL_HELPDESK_SECRET"]
        if settings.link_delivery.kind == "webhook":
            secrets["TACTFUL_LINK_WEBHOOK_SECRET"] = settings.link_delivery.webhook_secret
        if settings.link_delivery.kind == "outbox":
            found.append(
                "TACTFUL_LINK_DELIVERY is the file outbox, which keeps live link codes on disk; set"
                " TACTFUL_LINK_DELIVERY=webhook with TACTFUL_LINK_WEBHOOK_URL"
            )
    found.extend(problem for name, value in secrets.items() if (problem := secret_problem(name, value)))
    return found


def _rasa_arguments(argv: Sequence[str]) -> argparse.Namespace | None:
    """``argv`` as Rasa itself reads it, None when it cannot.

    Rasa's own parser, because argparse accepts abbreviations (``--enable``,
    ``--endp``) and the short ``-t``.
    """
    from rasa.__main__ import create_argument_parser

    try:
        args, _ = create_argument_parser().parse_known_args(list(argv[1:]))
    except SystemExit:
        return None
    return args if isinstance(args, argparse.Namespace) else None


def rasa_api_arguments(argv: Sequence[str]) -> tuple[bool, str | None]:
    """(HTTP API on, its token); a command line Rasa cannot read counts as an API without a token."""
    args = _rasa_arguments(argv)
    if args is None:
        return True, None
    return bool(getattr(args, "enable_api", False)), getattr(args, "auth_token", None)


def rasa_endpoints_argument(argv: Sequence[str]) -> str:
    """The endpoints file ``rasa run`` uses (Rasa's default when not given)."""
    from rasa.shared.constants import DEFAULT_ENDPOINTS_PATH

    args = _rasa_arguments(argv)
    return str(getattr(args, "endpoints", None) or DEFAULT_ENDPOINTS_PATH)


def _endpoints(path: str) -> dict[str, Any] | None:
    """The endpoints file as written, None when unreadable.

    Read without expanding ``${...}`` (Rasa's YAML loader does that, from the
    process environment): only the literal ``type`` keys matter here, and the
    URLs are checked from the settings, which name the same variables.
    """
    try:
        with open(path, encoding="utf-8") as stream:
            content = yaml.load(stream, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds only str/list/dict
    except (OSError, yaml.YAMLError):
        return None
    return content if isinstance(content, dict) else None


def _is_kind(entry: Any, names: tuple[str, ...], base: str, untyped: str | None) -> bool:
    """Whether an endpoints entry's ``type`` is one of Rasa's ``names`` or a subclass of ``base``.

    ``untyped``: what Rasa builds for an entry without a ``type``.
    """
    if not isinstance(entry, dict):
        return False
    kind = str(entry.get("type") or untyped or "")
    if kind.lower() in names:
        return True
    from rasa.shared.utils.common import class_from_module_path

    try:
        found, expected = class_from_module_path(kind), class_from_module_path(base)
    except (ImportError, AttributeError, ValueError):
        return False
    return isinstance(found, type) and issubclass(found, expected)


def backend_problems(settings: Settings, endpoints_path: str) -> list[str]:
    """What the production profile lacks: shared tracker, lock store, event broker, Redis."""
    found: list[str] = []
    backends = settings.backends
    if not backends.tracker_db.lower().startswith(("postgresql://", "postgresql+", "postgres://")):
        found.append(
            "TACTFUL_TRACKER_DB must be a postgresql:// URL (every replica shares the tracker store)"
        )
    if not (settings.redis_url or "").lower().startswith(("redis://", "rediss://")):
        found.append(
            "TACTFUL_REDIS_URL must be a redis:// URL (lock store, socket.io, rate limits, webhook dedupe)"
        )
    if not (backends.rabbitmq_url or "").lower().startswith(("amqp://", "amqps://")):
        found.append("TACTFUL_RABBITMQ_URL must be an amqp:// URL (the event broker)")
    endpoints = _endpoints(endpoints_path)
    if endpoints is None:
        found.append(f"rasa run --endpoints: cannot read {endpoints_path!r}; use endpoints.prod.yml")
        return found
    wanted = [
        ("tracker_store", ("sql",), "rasa.core.tracker_store.SQLTrackerStore", None, "a SQL tracker_store"),
        ("lock_store", ("redis",), "rasa.core.lock_store.RedisLockStore", None, "a Redis lock_store"),
        ("event_broker", ("pika",), "rasa.core.brokers.pika.PikaEventBroker", "pika", "a pika event_broker"),
    ]
    for key, names, base, untyped, what in wanted:
        if not _is_kind(endpoints.get(key), names, base, untyped):
            found.append(
                f"rasa run --endpoints {endpoints_path!r} lacks {what} ({key}); use endpoints.prod.yml"
            )
    return found


def check_process(
    process: Process, settings: Settings | None = None, argv: Sequence[str] | None = None
) -> None:
    """Refuse to start an unsafe production process; warn about the same outside production."""
    settings = settings or load_settings()
    found = problems_for(process, settings, sys.argv if argv is None else argv)
    if not found:
        return
    if settings.is_production:
        lines = "\n".join(f"  - {problem}" for problem in found)
        message = f"Refusing to start the {process} process with TACTFUL_ENV=production:\n{lines}"
        raise UnsafeConfiguration(message)
    for problem in found:
        if process != "web":
            logger.warning("not fit for production: %s", problem)
