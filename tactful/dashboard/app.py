"""The dashboard's aiohttp application: pages, sign-in and the two JSON endpoints.

| route | what |
|---|---|
| ``GET /dashboard`` | the page (sign-in form until signed in) |
| ``GET /dashboard/static/{dashboard.js,dashboard.css,chart.js}`` | only these files |
| ``POST /dashboard/api/login`` ``{"token": ...}`` | staff cookie (HttpOnly, SameSite=Strict) |
| ``POST /dashboard/api/logout`` | clears it |
| ``GET /dashboard/api/report?days=30`` | the report JSON (``tactful.analytics.report``) |
| ``GET /dashboard/api/customers/{id}`` | one customer's decisions (``lookup``) |

The API also takes ``Authorization: Bearer <staff token>`` for scripts.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from tactful.analytics.report import build_report
from tactful.dashboard.auth import COOKIE_NAME, COOKIE_SECONDS, LOGIN_ATTEMPTS_PER_MINUTE, StaffAuth
from tactful.dashboard.lookup import CUSTOMER_ID, UnknownCustomer, customer_decisions
from tactful.dashboard.report_cache import ReportCache
from tactful.dashboard.revocations import Revocations
from tactful.observability.aiohttp_routes import add_routes as add_observability_routes
from tactful.observability.health import policy_check, shop_db_check
from tactful.ratelimit import AsyncCounter, CounterUnavailable
from tactful.services.aio import run_blocking
from tactful.services.policy_provider import PolicyProvider
from tactful.store.unit_of_work import UnitOfWork
from tactful.web.validation import BadRequest, error_response

logger = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_BODY_BYTES = 4096
MAX_DAYS = 366
_DAYS = re.compile(r"[0-9]{1,3}")
STATIC = {
    "dashboard.js": ("dashboard.js", "text/javascript"),
    "dashboard.css": ("dashboard.css", "text/css"),
    # Chart.js's UMD build, installed by `make web` (web/package.json).
    "chart.js": ("node_modules/chart.js/dist/chart.umd.js", "text/javascript"),
}
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class Dashboard:
    def __init__(
        self,
        auth: StaffAuth,
        new_uow: Callable[[], UnitOfWork],
        policy: PolicyProvider,
        counter: AsyncCounter,
        revocations: Revocations,
        web_root: Path,
        secure_cookie: bool,
        db_timeout_seconds: float,
    ) -> None:
        self.auth = auth
        self.new_uow = new_uow
        self.policy = policy
        self.counter = counter
        self.revocations = revocations
        self.web_root = web_root
        self.secure_cookie = secure_cookie
        self.timeout = db_timeout_seconds * 10  # the report reads a whole period
        self.reports = ReportCache()

    async def _count_failure(self, request: web.Request) -> None:
        """One more failed attempt from this address; 429 past the limit."""
        try:
            attempts = await self.counter.hit(f"dashboard-login:{request.remote or 'unknown'}", 60)
        except CounterUnavailable:
            raise BadRequest("sign-in is unavailable right now; try again shortly", 503) from None
        if attempts > LOGIN_ATTEMPTS_PER_MINUTE:
            raise BadRequest("too many sign-in attempts; wait a minute", 429)

    async def signed_in(self, request: web.Request) -> bool:
        session = self.auth.session(request.cookies.get(COOKIE_NAME))
        if session is not None:
            return not await self._revoked(session.session_id)
        header = request.headers.get("Authorization")
        if header is None:
            return False
        if self.auth.bearer_valid(header):
            return True
        await self._count_failure(request)
        return False

    async def _revoked(self, session_id: str) -> bool:
        try:
            return await self.revocations.is_revoked(session_id)
        except Exception:  # noqa: BLE001 - cannot tell: refuse (fail closed)
            logger.warning("cannot read signed-out sessions; refusing the staff cookie")
            raise BadRequest("sign-in is unavailable right now; try again shortly", 503) from None

    async def _blocking(self, function: Callable[..., Any], *args: Any) -> Any:
        try:
            return await run_blocking(function, *args, timeout=self.timeout)
        except asyncio.TimeoutError:
            logger.warning("dashboard query %s took longer than %s s", function.__name__, self.timeout)
            raise BadRequest("that took too long; try a shorter period or again shortly", 503) from None
        except SQLAlchemyError as error:
            logger.warning("dashboard query %s failed: %s", function.__name__, type(error).__name__)
            raise BadRequest("the shop database is not available right now; try again shortly", 503) from None

    async def page(self, request: web.Request) -> web.StreamResponse:
        return self._file("dashboard.html", "text/html")

    async def static(self, request: web.Request) -> web.StreamResponse:
        entry = STATIC.get(request.match_info["name"])
        if entry is None:
            raise web.HTTPNotFound()
        return self._file(*entry)

    def _file(self, relative: str, content_type: str) -> web.StreamResponse:
        path = self.web_root / relative
        if not path.is_file():
            return error_response(f"{path.name} is missing (run `make web`)", 503)
        return web.FileResponse(
            path, headers={"Content-Type": f"{content_type}; charset=utf-8", "Cache-Control": "no-cache"}
        )

    async def login(self, request: web.Request) -> web.Response:
        # Every attempt counts, so a guesser gains nothing from good ones in between.
        await self._count_failure(request)
        body = await _json_body(request)
        if not self.auth.token_matches(body.get("token") if isinstance(body.get("token"), str) else None):
            logger.warning("dashboard sign-in refused")
            raise BadRequest("wrong staff token", 401)
        response = web.json_response({"signed_in": True})
        response.set_cookie(
            COOKIE_NAME,
            self.auth.cookie(),
            max_age=COOKIE_SECONDS,
            httponly=True,
            samesite="Strict",
            secure=self.secure_cookie,
            path="/dashboard",
        )
        return response

    async def logout(self, request: web.Request) -> web.Response:
        session = self.auth.session(request.cookies.get(COOKIE_NAME))
        if session is not None:
            await self.revocations.revoke(session.session_id, session.expires - int(time.time()) + 1)
        response = web.json_response({"signed_in": False})
        response.del_cookie(COOKIE_NAME, path="/dashboard")
        return response

    async def session(self, request: web.Request) -> web.Response:
        return web.json_response({"signed_in": await self.signed_in(request)})

    async def report(self, request: web.Request) -> web.Response:
        days = _days(request.query.get("days", "30"))
        policy = self.policy.get()
        if policy is None:
            raise BadRequest("the offer policy is invalid; fix it (python -m tactful policy check)", 503)

        async def build() -> dict[str, Any]:
            until = datetime.utcnow()
            since = until - timedelta(days=days)
            report: dict[str, Any] = await self._blocking(build_report, self.new_uow, policy, since, until)
            return report

        return web.json_response(await self.reports.get(days, build))

    async def customer(self, request: web.Request) -> web.Response:
        customer_id = request.match_info["customer_id"]
        if not CUSTOMER_ID.fullmatch(customer_id):
            raise BadRequest("a customer id is 1-64 letters, digits or _.:@-", 400)
        try:
            found = await self._blocking(customer_decisions, self.new_uow, customer_id)
        except UnknownCustomer:
            raise BadRequest(f"no customer {customer_id}", 404) from None
        return web.json_response(found)


def _days(text: str) -> int:
    if not _DAYS.fullmatch(text) or not 1 <= int(text) <= MAX_DAYS:
        raise BadRequest(f"days must be a whole number from 1 to {MAX_DAYS}", 400)
    return int(text)


async def _json_body(request: web.Request) -> dict[str, Any]:
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise BadRequest("request body too large", 413)
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the body must be a JSON object", 400) from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object", 400)
    return body


def _middlewares(dashboard: Dashboard) -> list[Any]:
    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        open_paths = ("/dashboard/api/login", "/dashboard/api/session")
        needs_staff = request.path.startswith("/dashboard/api/") and request.path not in open_paths
        try:
            if needs_staff and not await dashboard.signed_in(request):
                raise BadRequest("sign in with the staff token", 401)
            response = await handler(request)
        except BadRequest as error:
            response = error_response(error.message, error.status)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CSP)
        if request.path.startswith("/dashboard/api/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    return [guard]


def make_app(dashboard: Dashboard) -> web.Application:
    app = web.Application(middlewares=_middlewares(dashboard), client_max_size=MAX_BODY_BYTES)
    app.router.add_get("/", _to_dashboard)
    app.router.add_get("/favicon.ico", _no_icon)
    app.router.add_get("/dashboard", dashboard.page)
    app.router.add_get("/dashboard/static/{name}", dashboard.static)
    app.router.add_post("/dashboard/api/login", dashboard.login)
    app.router.add_post("/dashboard/api/logout", dashboard.logout)
    app.router.add_get("/dashboard/api/session", dashboard.session)
    app.router.add_get("/dashboard/api/report", dashboard.report)
    app.router.add_get("/dashboard/api/customers/{customer_id}", dashboard.customer)
    checks = {"database": shop_db_check(dashboard.new_uow), "policy": policy_check(dashboard.policy)}
    add_observability_routes(app, checks)
    return app


async def _no_icon(_: web.Request) -> web.Response:
    return web.Response(status=204)


async def _to_dashboard(_: web.Request) -> web.Response:
    raise web.HTTPFound("/dashboard")
