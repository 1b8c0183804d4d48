"""The production profile, started for real: action server and Rasa replicas
(``rasa run --endpoints endpoints.prod.yml``, TACTFUL_ENV=production, strong
random secrets) on free ports, against the local PostgreSQL (two databases
created here and dropped afterwards), Redis (its own database number) and
RabbitMQ (a queue of its own, deleted afterwards)."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tactful.identity import issue_token
from tests.support.assistant import MODEL, rasa_command, run_cli
from tests.support.postgres import fresh_databases
from tests.support.servers import REPO_ROOT, base_env, free_port, skip_or_fail, spawned, wait_http

# Database 0 carries the shared test keys; this profile's rate limits, locks and
# dedupe keys stay apart in their own database. Redis pub/sub ignores the
# database number, so the socket.io channel name is unique per run instead.
REDIS_URL = os.environ.get("TACTFUL_TEST_PROFILE_REDIS_URL", "redis://127.0.0.1:6379/11")
RABBITMQ_URL = os.environ.get("TACTFUL_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


def strong_secret() -> str:
    # Hex: never starts with "-" (a flag to argparse) and cannot hold a
    # development marker such as "test" (tactful/production.py).
    return secrets.token_hex(32)


@dataclass
class Profile:
    rasa_urls: list[str]
    action_url: str
    shop_db_url: str
    tracker_db_url: str
    queue: str
    env: dict[str, str]
    workdir: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def rasa_token(self) -> str:
        return self.env["RASA_TOKEN"]

    def customer_token(self, customer_id: str) -> str:
        return issue_token(customer_id, self.env["TACTFUL_JWT_SECRET"], ttl_seconds=3600)


def _databases(label: str) -> AbstractContextManager[dict[str, str]]:
    prefix = f"tactful_{label}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    return fresh_databases({"shop": f"{prefix}_shop", "tracker": f"{prefix}_tracker"})


def _check_services() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        skip_or_fail(f"Redis unreachable at {REDIS_URL}: {error}")


async def _delete_queue(queue: str) -> None:
    import aio_pika

    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue, if_unused=False, if_empty=False)


def rasa_run(port: int) -> list[str]:
    credentials = str(REPO_ROOT / "credentials.yml")
    return [*rasa_command(port, credentials, endpoints="endpoints.prod.yml"), "--enable-api"]


@contextmanager
def start_profile(
    workdir: Path, replicas: int = 1, extra_env: dict[str, str] | None = None
) -> Iterator[Profile]:
    """One action server and ``replicas`` Rasa servers, sharing every service."""
    if not MODEL.exists():
        skip_or_fail(f"no trained model at {MODEL}; run `make model` first")
    _check_services()
    workdir.mkdir(parents=True, exist_ok=True)
    queue = f"tactful_events_test_{uuid.uuid4().hex[:12]}"
    with ExitStack() as stack:
        databases = stack.enter_context(_databases("prod"))
        action_port = free_port()
        env = base_env(
            TACTFUL_ENV="production",
            TACTFUL_SHOP_DB_URL=databases["shop"],
            TACTFUL_TRACKER_DB=databases["tracker"],
            TACTFUL_REDIS_URL=REDIS_URL,
            TACTFUL_RABBITMQ_URL=RABBITMQ_URL,
            TACTFUL_EVENT_QUEUE=queue,
            TACTFUL_SOCKETIO_CHANNEL=f"tactful-socketio-{queue}",
            TACTFUL_ACTION_PORT=str(action_port),
            TACTFUL_ACTION_URL=f"http://127.0.0.1:{action_port}/webhook",
            TACTFUL_POLICY_FILE=str(REPO_ROOT / "policy.yml"),
            TACTFUL_JWT_SECRET=strong_secret(),
            TACTFUL_ACTION_SECRET=strong_secret(),
            TACTFUL_SESSION_SECRET=strong_secret(),
            TACTFUL_LINK_SECRET=strong_secret(),
            TACTFUL_HELPDESK_SECRET=strong_secret(),
            TACTFUL_LINK_DELIVERY="webhook",
            TACTFUL_LINK_WEBHOOK_URL=f"http://127.0.0.1:{free_port()}/mailer",
            TACTFUL_LINK_WEBHOOK_SECRET=strong_secret(),
            RASA_TOKEN=strong_secret(),
            RASA_TELEMETRY_ENABLED="false",
            **(extra_env or {}),
        )
        stack.callback(lambda: asyncio.run(_delete_queue(queue)))
        run_cli(env, "db", "upgrade")
        run_cli(env, "demo", "load")
        actions = stack.enter_context(
            spawned(
                [sys.executable, "-m", "tactful.action_server", "--port", str(action_port)],
                env,
                workdir / "actions.log",
            )
        )
        ports = [free_port() for _ in range(replicas)]
        # All replicas start at once: loading the model is the slow part.
        rasas = [
            stack.enter_context(
                spawned(
                    rasa_run(port) + [f"--auth-token={env['RASA_TOKEN']}"], env, workdir / f"rasa-{index}.log"
                )
            )
            for index, port in enumerate(ports)
        ]
        wait_http(f"http://127.0.0.1:{action_port}/health", 90, actions, workdir / "actions.log")
        for index, (port, process) in enumerate(zip(ports, rasas, strict=True)):
            wait_http(f"http://127.0.0.1:{port}/", 240, process, workdir / f"rasa-{index}.log")
        yield Profile(
            rasa_urls=[f"http://127.0.0.1:{port}" for port in ports],
            action_url=f"http://127.0.0.1:{action_port}",
            shop_db_url=databases["shop"],
            tracker_db_url=databases["tracker"],
            queue=queue,
            env=env,
            workdir=workdir,
            processes=[actions, *rasas],
        )
