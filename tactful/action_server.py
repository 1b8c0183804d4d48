"""Run the rasa-sdk action server on localhost, behind a required shared secret.

rasa-sdk binds to 0.0.0.0 and has no authentication. This entry point binds to
TACTFUL_ACTION_HOST (127.0.0.1 by default) and rejects every call whose
``token`` query parameter does not match TACTFUL_ACTION_SECRET (Rasa sends it
from ``action_endpoint.token`` in endpoints.yml). It refuses to start without
that secret: an action server without one would answer anybody.
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import logging
import time
from collections.abc import Mapping

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from tactful import bootstrap
from tactful.observability.health import Check, policy_check, shop_db_check
from tactful.observability.logs import configure_logging
from tactful.observability.sanic_routes import PATHS, add_routes
from tactful.production import check_process

logger = logging.getLogger(__name__)
ROLE = "actions"
OPEN_PATHS = frozenset(PATHS)


def build_app(secret: str) -> Sanic:
    if not secret:
        raise ValueError("the action server needs TACTFUL_ACTION_SECRET")
    app: Sanic = create_app("actions", cors_origins=[])

    @app.middleware("request")  # type: ignore[misc, no-untyped-call]  # sanic leaves middleware() untyped
    async def require_secret(request: Request) -> HTTPResponse | None:
        if request.path == "/health":
            # Answered here so it also says whether offers are on ("degraded").
            return response.json(health_payload())
        if request.path in OPEN_PATHS:
            return None  # counts and check names only (docs/observability.md)
        supplied = request.args.get("token", "")
        if not hmac.compare_digest(supplied.encode(), secret.encode()):
            return response.json({"error": "missing or wrong action server token"}, status=401)
        return None

    add_routes(app, action_checks)

    async def format_logs(_app: Sanic, _loop: object) -> None:
        configure_logging(bootstrap.root().settings, ROLE)

    app.register_listener(format_logs, "before_server_start")

    async def train_reply_classifier(_app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
        # Off the loop and at start, so the first answer to an offer after a
        # (re)start does not wait seconds for the classifier to train.
        loop.run_in_executor(None, warm_reply_classifier)

    app.register_listener(train_reply_classifier, "after_server_start")
    return app


def warm_reply_classifier() -> None:
    from actions import runtime

    started = time.perf_counter()
    try:
        runtime.reply_classifier().model  # noqa: B018 - the property trains it once
    except Exception:  # noqa: BLE001 - the first offer reply retries and reports it again
        logger.exception("the offer-reply classifier could not be trained at start")
        return
    logger.info("offer-reply classifier trained in %.1f s", time.perf_counter() - started)


def action_checks(_app: Sanic) -> Mapping[str, Check]:
    """Readiness of the action server: the shop database and the offer policy (it has no model)."""
    from actions import runtime

    return {"database": shop_db_check(runtime.new_uow), "policy": policy_check(runtime.policy_provider())}


def health_payload() -> dict[str, str]:
    from actions import runtime

    status = runtime.policy_provider().status()
    return {
        "status": "ok" if status.ok else "degraded",
        "offers": "on" if status.ok else "off",
        "detail": status.detail,
    }


def main() -> None:
    settings = bootstrap.root().settings
    parser = argparse.ArgumentParser(description="Tactful action server")
    parser.add_argument("--port", type=int, default=settings.action_port)
    parser.add_argument("--host", default=settings.action_host)
    args = parser.parse_args()
    configure_logging(settings, ROLE)
    check_process("actions", settings)
    if not settings.action_secret:
        parser.exit(
            2, "error: TACTFUL_ACTION_SECRET is not set; the action server refuses to run without it\n"
        )
    app = build_app(settings.action_secret)
    configure_logging(settings, ROLE)  # again: the Sanic app brought its own handlers
    logger.info("Action server on http://%s:%s", args.host, args.port)
    app.run(host=args.host, port=args.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
