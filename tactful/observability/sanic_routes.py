"""``/metrics``, ``/health/live`` and ``/health/ready`` on a Sanic app (Rasa, action server).

The routes need no token: Rasa's own ``/status`` wants the API token, and a
load balancer or Prometheus has none. They reveal counts and check names only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from tactful.observability.health import Check, readiness
from tactful.observability.metrics import exposition

ChecksFor = Callable[[Sanic], Mapping[str, Check]]
PATHS = ("/metrics", "/health/live", "/health/ready")


def add_routes(app: Sanic, checks: ChecksFor) -> None:
    """Add the three routes once per app, before the server starts (its router is final then)."""
    if getattr(app.ctx, "tactful_observability", False):
        return
    app.ctx.tactful_observability = True

    async def metrics(_: Request) -> HTTPResponse:
        body, content_type = exposition()
        return response.raw(body, content_type=content_type)

    async def live(_: Request) -> HTTPResponse:
        return response.json({"status": "live"})

    async def ready(request: Request) -> HTTPResponse:
        status, body = await readiness(checks(request.app))
        return response.json(body, status=status)

    handlers: tuple[tuple[str, Any], ...] = (("metrics", metrics), ("live", live), ("ready", ready))
    for path, (name, handler) in zip(PATHS, handlers, strict=True):
        app.add_route(handler, path, methods=["GET"], name=f"tactful_{name}")
