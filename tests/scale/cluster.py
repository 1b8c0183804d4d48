"""The scale-out cluster: 2 Rasa servers and 2 action servers behind Debian's nginx.

Everything runs for real on this machine, on free ports: PostgreSQL databases
of their own for the trackers and the shop (on the shared server, dropped
afterwards), the shared Redis (lock store, counters, socket.io manager; the
conversation ids and the socket.io channel are unique to the run), a RabbitMQ
queue of the run's own (deleted afterwards), a local helpdesk receiver, and
nginx started by the test with its own config and prefix (never the system
service). The production profile is used as shipped: endpoints.prod.yml and
TACTFUL_ENV=production with strong secrets.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tactful.engine.policy import policy_from_data
from tactful.engine.policy_model import Policy
from tactful.identity import issue_token
from tests.scale.processes import nginx, nginx_config, rasa_servers
from tests.scale.services import (
    RABBITMQ_URL,
    REDIS_URL,
    check_services,
    database,
    event_queue,
    strong_secret,
)
from tests.support.assistant import rasa_command, run_cli
from tests.support.helpdesk import HelpdeskReceiver
from tests.support.policies import DEMO_HOLDOUT, policy_data, write_policy
from tests.support.servers import REPO_ROOT, base_env, free_port, running


@dataclass
class Cluster:
    url: str  # nginx, in front of both Rasa servers
    rasa_urls: list[str]
    action_urls: list[str]
    shop_db_url: str
    tracker_db_url: str
    policy: Policy
    helpdesk: HelpdeskReceiver
    nginx_dir: Path
    workdir: Path
    event_queue: str
    jwt_secret: str
    rasa_token: str

    def token(self, customer_id: str) -> str:
        return issue_token(customer_id, self.jwt_secret, ttl_seconds=3600)

    @property
    def access_log(self) -> Path:
        return self.nginx_dir / "access.log"


def cluster_policy(path: Path) -> Policy:
    """The demo rules with the test numbers (tests/support/policies.py); C007 held out."""
    write_policy(path, holdout=DEMO_HOLDOUT)
    return policy_from_data(policy_data(holdout=DEMO_HOLDOUT), source=str(path))


@contextmanager
def start_cluster(workdir: Path, helpdesk: HelpdeskReceiver) -> Iterator[Cluster]:
    check_services()
    workdir.mkdir(parents=True, exist_ok=True)
    policy = cluster_policy(workdir / "policy.yml")
    with ExitStack() as stack:
        shop_db = stack.enter_context(database("shop"))
        tracker_db = stack.enter_context(database("tracker"))
        queue = stack.enter_context(event_queue())
        rasa_ports, action_ports = [free_port(), free_port()], [free_port(), free_port()]
        port, actions_port = free_port(), free_port()
        jwt_secret, rasa_token, helpdesk_secret = strong_secret(), strong_secret(), strong_secret()
        helpdesk.secret = helpdesk_secret
        env = base_env(
            TACTFUL_ENV="production",
            TACTFUL_SHOP_DB_URL=shop_db,
            TACTFUL_TRACKER_DB=tracker_db,
            TACTFUL_REDIS_URL=REDIS_URL,
            TACTFUL_RABBITMQ_URL=RABBITMQ_URL,
            TACTFUL_EVENT_QUEUE=queue,
            TACTFUL_SOCKETIO_CHANNEL=f"tactful-socketio-{queue}",
            TACTFUL_ACTION_URL=f"http://127.0.0.1:{actions_port}/webhook",
            TACTFUL_POLICY_FILE=str(workdir / "policy.yml"),
            TACTFUL_JWT_SECRET=jwt_secret,
            TACTFUL_ACTION_SECRET=strong_secret(),
            TACTFUL_SESSION_SECRET=strong_secret(),
            TACTFUL_LINK_SECRET=strong_secret(),
            TACTFUL_LINK_DELIVERY="webhook",
            # Never called in this test: no conversation asks for an account link.
            TACTFUL_LINK_WEBHOOK_URL=f"http://127.0.0.1:{free_port()}/mailer",
            TACTFUL_LINK_WEBHOOK_SECRET=strong_secret(),
            TACTFUL_HELPDESK_URL=helpdesk.url,
            TACTFUL_HELPDESK_SECRET=helpdesk_secret,
            TACTFUL_HELPDESK_TIMEOUT="2",
            TACTFUL_HELPDESK_RETRY_SECONDS="0.5",
            TACTFUL_HELPDESK_RETRY_MAX_SECONDS="1",
            # Every client of this test comes from 127.0.0.1 and there are only
            # eleven demo customers: the per-address and per-customer limits
            # would refuse most of the load, which is not what this test measures.
            TACTFUL_RATE_SESSIONS_PER_MINUTE="100000",
            TACTFUL_RATE_CUSTOMER_PER_MINUTE="100000",
            TACTFUL_RATE_SENDER_PER_MINUTE="100000",
            TACTFUL_LOG_LEVEL="WARNING",
            RASA_TOKEN=rasa_token,
        )
        run_cli(env, "db", "upgrade")
        run_cli(env, "demo", "load")
        if (
            "mine"
            in subprocess.run(
                [sys.executable, "-m", "tactful", "--help"],
                cwd=REPO_ROOT,
                env=env,
                capture_output=True,
                text=True,
            ).stdout
        ):
            run_cli(env, "mine")
        for index, action_port in enumerate(action_ports):
            stack.enter_context(
                running(
                    [sys.executable, "-m", "tactful.action_server", "--port", str(action_port)],
                    env,
                    workdir / f"actions-{index}.log",
                    f"http://127.0.0.1:{action_port}/health",
                    timeout=90,
                )
            )
        nginx_dir = workdir / "nginx"
        nginx_dir.mkdir()
        config = nginx_config(nginx_dir, port, actions_port, rasa_ports, action_ports)
        commands = [
            [
                *rasa_command(rasa_port, str(REPO_ROOT / "credentials.yml"), endpoints="endpoints.prod.yml"),
                "--enable-api",
                "--auth-token",
                rasa_token,
            ]
            for rasa_port in rasa_ports
        ]
        stack.enter_context(
            rasa_servers(commands, env, [workdir / f"rasa-{index}.log" for index in range(2)])
        )
        stack.enter_context(nginx(nginx_dir, config, port))
        yield Cluster(
            url=f"http://127.0.0.1:{port}",
            rasa_urls=[f"http://127.0.0.1:{p}" for p in rasa_ports],
            action_urls=[f"http://127.0.0.1:{p}" for p in action_ports],
            shop_db_url=shop_db,
            tracker_db_url=tracker_db,
            policy=policy,
            helpdesk=helpdesk,
            nginx_dir=nginx_dir,
            workdir=workdir,
            event_queue=queue,
            jwt_secret=jwt_secret,
            rasa_token=rasa_token,
        )


def keep_logs(cluster: Cluster, destination: Path) -> None:
    """Copy the servers' and nginx's logs next to the summary, for a failed run."""
    destination.mkdir(parents=True, exist_ok=True)
    for log in [*cluster.workdir.glob("*.log"), *cluster.nginx_dir.glob("*.log")]:
        shutil.copy(log, destination / log.name)
