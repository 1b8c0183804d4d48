"""Metrics, health and JSON logs on the Rasa server (docs/observability.md).

Every channel's blueprint calls ``serve_observability`` (through
tactful.channels.startup), so the routes exist whichever channels a shop
enables; ``sanic_routes.add_routes`` adds them once per app. They are added
when the main process starts, before Sanic finalises its router, and without
Rasa's token check. Readiness needs the shop database, the tracker store, a
valid offer policy and a loaded model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sanic import Blueprint, Sanic

from tactful import bootstrap
from tactful.observability.health import Check, blocking_check, engine_check, policy_check, shop_db_check
from tactful.observability.logs import configure_logging
from tactful.observability.sanic_routes import add_routes

ROLE = "rasa"


def configure_rasa_logging() -> None:
    configure_logging(bootstrap.root().settings, ROLE)


def _agent(app: Sanic) -> Any:
    return getattr(app.ctx, "agent", None)


def _tracker_store_check(app: Sanic) -> Check:
    agent = _agent(app)
    store: Any = getattr(agent, "tracker_store", None)
    # Rasa wraps the configured store (fail-safe, awaitable); check the real one.
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    if hasattr(store, "engine"):
        return engine_check(store.engine)
    if hasattr(store, "red"):
        return blocking_check(store.red.ping)

    async def in_memory_or_missing() -> str | None:
        return None if store is not None else "no tracker store yet"

    return in_memory_or_missing


def rasa_checks(app: Sanic) -> Mapping[str, Check]:
    services = bootstrap.root()

    async def model() -> str | None:
        # Rasa loads the model as the server starts; until then the process is not ready.
        agent = _agent(app)
        return None if agent is not None and agent.is_ready() else "no model loaded"

    return {
        "database": shop_db_check(services.new_uow),
        "tracker_store": _tracker_store_check(app),
        "policy": policy_check(services.policy_provider),
        "model": model,
    }


def serve_observability(blueprint: Blueprint) -> None:
    @blueprint.listener("main_process_start")  # type: ignore[misc]  # sanic's decorators are untyped
    async def add_observability_routes(app: Sanic, _loop: Any) -> None:
        configure_rasa_logging()
        add_routes(app, rasa_checks)

    @blueprint.listener("before_server_start")  # type: ignore[misc]  # sanic's decorators are untyped
    async def format_logs(_app: Sanic, _loop: Any) -> None:
        # Again in each worker: Sanic sets up its own log handlers as it starts.
        configure_rasa_logging()
