"""``python -m tactful.web.server --port N``: the demo shop page's backend (aiohttp).

aiohttp rather than Sanic: this process is separate from Rasa, and aiohttp
needs no app registry or worker processes for a page this small.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from tactful import bootstrap
from tactful.observability.aiohttp_routes import add_routes as add_observability_routes
from tactful.observability.health import policy_check, shop_db_check
from tactful.observability.logs import configure_logging
from tactful.production import check_process
from tactful.services.aio import run_blocking
from tactful.services.policy_provider import PolicyProvider
from tactful.settings import SettingsError
from tactful.store.unit_of_work import UnitOfWork, uow_for
from tactful.web import shop
from tactful.web.api import CONFIG, POLICY, UOW, add_api_routes, errors_as_json
from tactful.web.config import ConfigError, WebConfig, web_config
from tactful.web.pages import add_page_routes
from tactful.web.validation import MAX_BODY_BYTES

logger = logging.getLogger(__name__)


@web.middleware
async def security_headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


async def health(request: web.Request) -> web.Response:
    """ok, or 503 "degraded" saying what is missing (database or widget file)."""
    config = request.app[CONFIG]
    problems = []
    try:
        await run_blocking(
            shop.demo_customer, request.app[UOW], "C001", timeout=config.db_timeout_seconds + 1
        )
    except (asyncio.TimeoutError, SQLAlchemyError) as error:
        problems.append(f"shop database: {type(error).__name__}")
    if not config.widget_file.is_file():
        problems.append("widget file missing (run `make web`)")
    if problems:
        return web.json_response({"status": "degraded", "problems": problems}, status=503)
    return web.json_response({"status": "ok"})


def make_app(
    config: WebConfig, uow: Callable[[], UnitOfWork] | None = None, policy: PolicyProvider | None = None
) -> web.Application:
    app = web.Application(middlewares=[security_headers, errors_as_json], client_max_size=MAX_BODY_BYTES)
    app[CONFIG] = config
    app[UOW] = uow or (lambda: uow_for(config.shop_db_url, config.db_timeout_seconds))
    app[POLICY] = policy or PolicyProvider(config.policy_file)
    app.router.add_get("/health", health)
    add_observability_routes(app, {"database": shop_db_check(app[UOW]), "policy": policy_check(app[POLICY])})
    add_api_routes(app)
    add_page_routes(app)
    return app


def main(argv: list[str] | None = None) -> int:
    try:
        services = bootstrap.root()
        config = web_config(services.settings)
    except (ConfigError, SettingsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(description="Tactful demo shop page backend")
    parser.add_argument("--port", type=int, default=services.settings.web.port)
    parser.add_argument("--host", default=services.settings.web.host)
    args = parser.parse_args(argv)
    configure_logging(services.settings, "web")
    check_process("web", services.settings)
    logger.info("demo shop on http://%s:%s/ (Rasa at %s)", args.host, args.port, config.rasa_url)
    app = make_app(config, services.new_uow, services.policy_provider)
    web.run_app(app, host=args.host, port=args.port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
