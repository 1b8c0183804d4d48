"""The shared services the scale-out cluster uses, each with a part of its own.

PostgreSQL, Redis and RabbitMQ are the machine's shared servers (never
stopped here): the run gets its own databases (dropped afterwards), its own
queue (deleted afterwards), and conversation ids and a socket.io channel
nobody else uses in Redis.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.assistant import MODEL
from tests.support.postgres import fresh_databases
from tests.support.servers import skip_or_fail

REDIS_URL = "redis://127.0.0.1:6379/0"
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"
NGINX = os.environ.get("TACTFUL_NGINX", "/usr/sbin/nginx")


def strong_secret() -> str:
    # Hex has no letters beyond "f", so no development marker can appear (tactful/production.py).
    return secrets.token_hex(24)


@contextmanager
def database(label: str) -> Iterator[str]:
    """A fresh, uniquely named database on the shared PostgreSQL server, dropped afterwards."""
    with fresh_databases({"db": f"tactful_scale_{label}_{uuid.uuid4().hex[:10]}"}) as urls:
        yield urls["db"]


async def _rabbit(queue: str | None = None) -> None:
    """Connect to RabbitMQ; with ``queue``, delete it."""
    import aio_pika

    connection = await aio_pika.connect(RABBITMQ_URL, timeout=5)
    async with connection:
        if queue is not None:
            channel = await connection.channel()
            await channel.queue_delete(queue)


def check_services() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        skip_or_fail(f"Redis is not reachable at {REDIS_URL}: {error}")
    try:
        asyncio.run(_rabbit())
    except Exception as error:  # noqa: BLE001 - any failure means RabbitMQ cannot be used
        skip_or_fail(f"RabbitMQ is not reachable at {RABBITMQ_URL}: {error!r}")
    if not os.access(NGINX, os.X_OK):
        skip_or_fail(f"nginx is not installed at {NGINX}; run scripts/ensure-nginx.sh")
    if not MODEL.exists():
        skip_or_fail(f"no trained model at {MODEL}; run `make model` first")


@contextmanager
def event_queue() -> Iterator[str]:
    name = f"tactful_scale_{uuid.uuid4().hex[:10]}"
    try:
        yield name
    finally:
        asyncio.run(_rabbit(name))
