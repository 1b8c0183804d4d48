"""Production fails closed: start-up checks for ``TACTFUL_ENV=production``.

Each process calls ``check_process`` before it serves anything. In
production a missing or development secret, the demo page, or a file outbox
for link codes stops start-up with a message that names the setting
(README "Production deployment"). Outside production nothing is refused, but
the same problems are logged as warnings.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Literal

from tactful.settings import Settings, load_settings

logger = logging.getLogger(__name__)

Process = Literal["rasa", "actions", "web"]
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


def rasa_api_arguments(argv: Sequence[str]) -> tuple[bool, str | None]:
    """(HTTP API on, its token) as Rasa itself reads ``argv``.

    Rasa's own parser, because argparse accepts abbreviations (``--enable``)
    and the short ``-t``; a command line it cannot read counts as an API
    without a token.
    """
    from rasa.__main__ import create_argument_parser

    try:
        args, _ = create_argument_parser().parse_known_args(list(argv[1:]))
    except SystemExit:
        return True, None
    return bool(getattr(args, "enable_api", False)), getattr(args, "auth_token", None)


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
