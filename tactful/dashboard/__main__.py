"""``python -m tactful.dashboard [--port N]``: serve the staff dashboard."""

from __future__ import annotations

import argparse
import logging
import sys

from aiohttp import web

from tactful import bootstrap
from tactful.dashboard.access_log import RouteAccessLogger
from tactful.dashboard.app import Dashboard, make_app
from tactful.dashboard.auth import StaffAuth
from tactful.dashboard.revocations import revocations_for
from tactful.observability.logs import configure_logging
from tactful.production import check_process
from tactful.settings import SettingsError

logger = logging.getLogger("tactful.dashboard")


def main(argv: list[str] | None = None) -> int:
    try:
        services = bootstrap.root()
        settings = services.settings
        auth = StaffAuth(settings.dashboard.token or "")
    except (SettingsError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(description="Tactful staff dashboard")
    parser.add_argument("--port", type=int, default=settings.dashboard.port)
    parser.add_argument("--host", default=settings.dashboard.host)
    args = parser.parse_args(argv)
    configure_logging(settings, "dashboard")
    check_process("dashboard", settings)
    dashboard = Dashboard(
        auth,
        services.new_uow,
        services.policy_provider,
        services.async_counter,
        revocations_for(settings.redis_url),
        settings.web.web_root,
        settings.web.secure_cookie,
        settings.db_timeout_seconds,
    )
    logger.info("staff dashboard on http://%s:%s/dashboard", args.host, args.port)
    web.run_app(
        make_app(dashboard),
        host=args.host,
        port=args.port,
        print=None,
        access_log_class=RouteAccessLogger,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
