"""The production profile on private services: an action server and ``rasa run
--endpoints endpoints.prod.yml`` on a private PostgreSQL (tracker and shop
databases), a private Redis (lock store, rate counters) and a private RabbitMQ
(event broker). Each process can be killed and started again on its own port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.assistant import MODEL, rasa_command, run_cli
from tests.support.private_rabbitmq import PrivateRabbitMQ
from tests.support.private_services import PrivatePostgres, PrivateRedis
from tests.support.servers import REPO_ROOT, base_env, free_port, skip_or_fail, stop_group, wait_http

# Production refuses short or development-looking secrets (tactful/production.py).
JWT_SECRET = "fZ7q2LwN9vRkX4pT8sYbH3mC6jD1aE5u"
ACTION_SECRET = "Qm4Rt8Vy2Wn6Zp1Ks5Lx9Hc3Jb7Gd0Fa"
RASA_TOKEN = "Nv3Bx7Mz1Qk5Wr9Tp2Ys6Lh0Jd4Gf8Ca"
OTHER_SECRETS = {
    "TACTFUL_SESSION_SECRET": "Ue6Io2Pa8Sd4Fg0Hj3Kl7Zx1Cv5Bn9Mq",
    "TACTFUL_HELPDESK_SECRET": "Wy5Ru1Ti7Op3As9Df2Gh6Jk0Lz4Xc8Vb",
    "TACTFUL_LINK_SECRET": "Ep8Qa2Ws6Ed0Rf4Tg1Yh5Uj9Ik3Ol7Pz",
    "TACTFUL_LINK_WEBHOOK_SECRET": "Rt4Yu8Io2Pa6Sd0Fg3Hj7Kl1Zx5Cv9Bn",
}


@dataclass
class Process:
    """One server process that a fault may kill (SIGKILL) and the test starts again."""

    name: str
    command: list[str]
    env: dict[str, str]
    health_url: str
    log: Path
    timeout: float
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        with self.log.open("ab") as output:
            self.popen = subprocess.Popen(
                self.command, cwd=REPO_ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def wait_ready(self) -> None:
        wait_http(self.health_url, self.timeout, self.popen, self.log)

    def kill(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()

    def stop(self) -> None:
        if self.popen is not None:
            stop_group(self.popen)


@dataclass
class Stack:
    postgres: PrivatePostgres
    redis: PrivateRedis
    rabbitmq: PrivateRabbitMQ
    workdir: Path
    queue: str = field(default_factory=lambda: f"tactful_faults_{uuid.uuid4().hex[:8]}")
    actions: Process | None = None
    rasa: Process | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        assert self.rasa is not None
        return self.rasa.health_url.rstrip("/")

    @property
    def shop_db_url(self) -> str:
        return self.postgres.url("shop")

    @property
    def tracker_db_url(self) -> str:
        return self.postgres.url("tracker")

    def start(self) -> None:
        if not MODEL.exists():
            skip_or_fail(f"no trained model at {MODEL}; run `make model` first")
        if not (REPO_ROOT / "endpoints.prod.yml").exists():
            skip_or_fail("no endpoints.prod.yml (the production profile)")
        self.postgres.create_database("shop")
        self.postgres.create_database("tracker")
        action_port, rasa_port = free_port(), free_port()
        self.env = base_env(
            TACTFUL_ENV="production",
            TACTFUL_LOG_FORMAT="text",
            TACTFUL_SHOP_DB_URL=self.shop_db_url,
            TACTFUL_TRACKER_DB=self.tracker_db_url,
            TACTFUL_REDIS_URL=self.redis.url,
            TACTFUL_RABBITMQ_URL=self.rabbitmq.url,
            TACTFUL_EVENT_QUEUE=self.queue,
            TACTFUL_JWT_SECRET=JWT_SECRET,
            TACTFUL_ACTION_SECRET=ACTION_SECRET,
            TACTFUL_ACTION_PORT=str(action_port),
            TACTFUL_ACTION_URL=f"http://127.0.0.1:{action_port}/webhook",
            TACTFUL_POLICY_FILE=str(REPO_ROOT / "policy.yml"),
            # Nothing here links accounts; the mailer is never called.
            TACTFUL_LINK_DELIVERY="webhook",
            TACTFUL_LINK_WEBHOOK_URL="http://127.0.0.1:9/never-called",
            # The background load is steady, not a flood: the rate limits are not under test.
            TACTFUL_RATE_SENDER_PER_MINUTE="10000",
            TACTFUL_RATE_CUSTOMER_PER_MINUTE="10000",
            TACTFUL_DB_TIMEOUT="3",
            RASA_TOKEN=RASA_TOKEN,
            RASA_TELEMETRY_ENABLED="false",
            **OTHER_SECRETS,
        )
        run_cli(self.env, "db", "upgrade")
        run_cli(self.env, "demo", "load")
        self.actions = Process(
            "actions",
            [sys.executable, "-m", "tactful.action_server", "--port", str(action_port)],
            self.env,
            f"http://127.0.0.1:{action_port}/health",
            self.workdir / "actions.log",
            timeout=90,
        )
        self.rasa = Process(
            "rasa",
            [
                *rasa_command(rasa_port, str(REPO_ROOT / "credentials.yml"), endpoints="endpoints.prod.yml"),
                "--enable-api",
                "--auth-token",
                RASA_TOKEN,
            ],
            self.env,
            f"http://127.0.0.1:{rasa_port}/",
            self.workdir / "rasa.log",
            timeout=240,
        )
        # Both boot at once; Rasa needs RabbitMQ up before it starts (its broker connects at start-up).
        self.actions.launch()
        self.rabbitmq.wait_ready()
        self.rasa.launch()
        self.actions.wait_ready()
        self.rasa.wait_ready()

    def stop(self) -> None:
        for process in (self.rasa, self.actions):
            if process is not None:
                process.stop()
