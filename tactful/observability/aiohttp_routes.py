"""``/metrics``, ``/health/live`` and ``/health/ready`` on an aiohttp app (the demo page)."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from tactful.observability.health import Check, readiness
from tactful.observability.metrics import exposition


def add_routes(app: web.Application, checks: Mapping[str, Check]) -> None:
    async def metrics(_: web.Request) -> web.Response:
        body, content_type = exposition()
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def live(_: web.Request) -> web.Response:
        return web.json_response({"status": "live"})

    async def ready(_: web.Request) -> web.Response:
        status, body = await readiness(checks)
        return web.json_response(body, status=status)

    app.router.add_get("/metrics", metrics)
    app.router.add_get("/health/live", live)
    app.router.add_get("/health/ready", ready)
