"""The dashboard's access log, by route rather than by path.

A customer lookup's path holds the customer's id (or email), and the logs
carry no personal data (docs/observability.md): each request is logged with
the pattern of the route that answered it, e.g.
``GET /dashboard/api/customers/{customer_id} 200``.
"""

from __future__ import annotations

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, Request, StreamResponse


class RouteAccessLogger(AbstractAccessLogger):
    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        route = request.match_info.route.resource if isinstance(request, Request) else None
        pattern = route.canonical if route is not None else "(no route)"
        self.logger.info("%s %s %s %.1f ms", request.method, pattern, response.status, time * 1000)
