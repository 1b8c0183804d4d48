"""JSON endpoints of the demo shop page."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from tactful.engine.policy_model import Policy
from tactful.identity import issue_token
from tactful.services.aio import run_blocking
from tactful.services.clock import utcnow
from tactful.services.policy_provider import PolicyProvider
from tactful.web import shop
from tactful.web.config import SESSION_COOKIE_SECONDS, WebConfig
from tactful.web.cookies import COOKIE_NAME, read_session, sign_session
from tactful.web.validation import BadRequest, error_response, int_field, json_object, string_field

logger = logging.getLogger(__name__)
T = TypeVar("T")
CONFIG = web.AppKey("config", WebConfig)
UOW = web.AppKey[shop.UowFactory]("uow")
POLICY = web.AppKey("policy", PolicyProvider)


async def store_call(request: web.Request, function: Callable[..., T], *args: object) -> T:
    """Run a blocking store call off the event loop, bounded by the DB timeout."""
    config = request.app[CONFIG]
    try:
        return await run_blocking(function, request.app[UOW], *args, timeout=config.db_timeout_seconds + 1)
    except (asyncio.TimeoutError, SQLAlchemyError) as error:
        logger.warning("shop database call %s failed: %r", function.__name__, error)
        raise BadRequest("the shop database is not available right now; try again shortly", 503) from None


@web.middleware
async def errors_as_json(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except BadRequest as error:
        return error_response(error.message, error.status)


def session_customer(request: web.Request) -> str | None:
    return read_session(request.app[CONFIG].cookie_key, request.cookies.get(COOKIE_NAME))


def require_customer(request: web.Request) -> str:
    customer_id = session_customer(request)
    if customer_id is None:
        raise BadRequest("pick a demo customer first", 401)
    return customer_id


def session_payload(config: WebConfig, customer: shop.DemoCustomer) -> dict[str, Any]:
    # Signed here, server-side: the browser only ever holds the finished token.
    token = issue_token(customer.id, config.jwt_secret, ttl_seconds=config.token_ttl_seconds)
    return {
        "customer": {"id": customer.id, "name": customer.name},
        "customer_token": token,
        "expires_in": config.token_ttl_seconds,
    }


def currency_symbol(request: web.Request) -> str:
    """The offer policy's currency, so the page shows prices as the bot words them."""
    policy = request.app[POLICY].get()  # cached; re-read only when the file changes
    return policy.currency_symbol if policy is not None else Policy.currency_symbol


async def get_config(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    return web.json_response(
        {
            "socketUrl": config.rasa_url,
            "socketPath": "/socket.io/",
            "storage": "session",
            "currency": currency_symbol(request),
        }
    )


async def get_customers(request: web.Request) -> web.Response:
    customers = await store_call(request, shop.demo_customers)
    return web.json_response({"customers": [{"id": c.id, "name": c.name} for c in customers]})


async def get_session(request: web.Request) -> web.Response:
    """The picked customer and a freshly signed token, or ``customer: null``."""
    customer_id = session_customer(request)
    customer = await store_call(request, shop.demo_customer, customer_id) if customer_id else None
    if customer is None:
        return web.json_response({"customer": None, "customer_token": None})
    return web.json_response(session_payload(request.app[CONFIG], customer))


async def post_session(request: web.Request) -> web.Response:
    body = await json_object(request)
    customer_id = string_field(body, "customer_id")
    customer = await store_call(request, shop.demo_customer, customer_id)
    if customer is None:
        raise BadRequest(f"{customer_id!r} is not one of the demo customers", 404)
    config = request.app[CONFIG]
    response = web.json_response(session_payload(config, customer))
    response.set_cookie(
        COOKIE_NAME,
        sign_session(config.cookie_key, customer.id, SESSION_COOKIE_SECONDS),
        max_age=SESSION_COOKIE_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=config.secure_cookie,
        path="/",
    )
    return response


async def delete_session(request: web.Request) -> web.Response:
    response = web.json_response({"customer": None})
    response.del_cookie(COOKIE_NAME, path="/")
    return response


async def get_products(request: web.Request) -> web.Response:
    products = await store_call(request, shop.products)
    return web.json_response({"products": [shop.product_json(p) for p in products]})


async def get_cart(request: web.Request) -> web.Response:
    customer_id = require_customer(request)
    view = await store_call(request, shop.cart, customer_id)
    return web.json_response(shop.cart_json(view))


async def post_cart(request: web.Request) -> web.Response:
    """Body ``{"sku": "SD-64", "quantity": 2}`` sets that line; quantity 0 removes it."""
    customer_id = require_customer(request)
    body = await json_object(request)
    sku = string_field(body, "sku")
    quantity = int_field(body, "quantity", 0, shop.MAX_QUANTITY)
    try:
        view = await store_call(request, shop.set_cart_quantity, customer_id, sku, quantity, utcnow())
    except shop.CartError as error:
        raise BadRequest(str(error)) from None
    return web.json_response(shop.cart_json(view))


def add_api_routes(app: web.Application) -> None:
    app.router.add_get("/api/config", get_config)
    app.router.add_get("/api/customers", get_customers)
    app.router.add_get("/api/session", get_session)
    app.router.add_post("/api/session", post_session)
    app.router.add_delete("/api/session", delete_session)
    app.router.add_get("/api/products", get_products)
    app.router.add_get("/api/cart", get_cart)
    app.router.add_post("/api/cart", post_cart)
