"""Run the rasa-sdk action server on localhost, behind a required shared secret.

rasa-sdk binds to 0.0.0.0 and has no authentication. This entry point binds to
TACTFUL_ACTION_HOST (127.0.0.1 by default) and rejects every call whose
``token`` query parameter does not match TACTFUL_ACTION_SECRET (Rasa sends it
from ``action_endpoint.token`` in endpoints.yml). It refuses to start without
that secret: an action server without one would answer anybody.
"""

from __future__ import annotations

import argparse
import hmac
import logging

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from tactful import bootstrap
from tactful.production import check_process

logger = logging.getLogger(__name__)


def build_app(secret: str) -> Sanic:
    if not secret:
        raise ValueError("the action server needs TACTFUL_ACTION_SECRET")
    app: Sanic = create_app("actions", cors_origins=[])

    @app.middleware("request")  # type: ignore[misc, no-untyped-call]  # sanic leaves middleware() untyped
    async def require_secret(request: Request) -> HTTPResponse | None:
        if request.path == "/health":
            # Answered here so it also says whether offers are on ("degraded").
            return response.json(health_payload())
        supplied = request.args.get("token", "")
        if not hmac.compare_digest(supplied.encode(), secret.encode()):
            return response.json({"error": "missing or wrong action server token"}, status=401)
        return None

    return app


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
    logging.basicConfig(level=settings.log_level)
    check_process("actions", settings)
    if not settings.action_secret:
        parser.exit(
            2, "error: TACTFUL_ACTION_SECRET is not set; the action server refuses to run without it\n"
        )
    app = build_app(settings.action_secret)
    logger.info("Action server on http://%s:%s", args.host, args.port)
    app.run(host=args.host, port=args.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
