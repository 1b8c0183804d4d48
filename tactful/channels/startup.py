"""Start-up duties of the Rasa process that no single channel owns.

Every channel calls these, so they hold whichever channels a shop's
credentials.yml enables: the production checks run once before the server
starts (docs/security.md, "Production fails closed"), and every request to
the server is capped in size before Sanic reads its body.
"""

from __future__ import annotations

import threading
from typing import Any

from sanic import Blueprint, Sanic

from tactful import bootstrap
from tactful.channels.observability import configure_rasa_logging, serve_observability
from tactful.production import check_process
from tactful.settings import Settings

_lock = threading.Lock()
# The settings already checked (a process checks its root's settings once).
_checked: list[Settings] = []


def check_rasa_process() -> None:
    """The production checks for the Rasa process, once per set of settings."""
    settings = bootstrap.root().settings
    with _lock:
        if not any(checked is settings for checked in _checked):
            if settings.log_format == "json":
                # From the first line of ours; text logs keep Rasa's format until the server starts.
                configure_rasa_logging()
            check_process("rasa", settings)
            _checked.append(settings)


def cap_request_size(blueprint: Blueprint) -> None:
    # Every channel calls this, so the health and metrics routes come with any of them.
    serve_observability(blueprint)

    @blueprint.listener("before_server_start")  # type: ignore[misc]  # sanic's decorators are untyped
    async def limit_requests(app: Sanic, _loop: Any) -> None:
        # Sanic reads the whole body before any handler runs (its default
        # limit is 100 MB); cap every request to the server.
        app.config.REQUEST_MAX_SIZE = bootstrap.root().settings.limits.request_bytes
