"""The two stacks bench_stack.py compares, served the same way.

Both Rasa servers keep trackers in PostgreSQL (one fresh database each, same
server) and take conversation locks from the same Redis (one db, distinct key
prefixes). The bare bot is ``rasa init``'s project, trained once into
var/bench/bare; Tactful is the repository's model with its action server and a
shop database holding the demo data.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import create_engine, text

from tests.support.assistant import rasa_command
from tests.support.servers import REPO_ROOT, VENV_BIN, base_env, free_port, wait_http

BENCH_DIR = REPO_ROOT / "var" / "bench"
BARE_DIR = BENCH_DIR / "bare"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
# A Redis db of its own, so the demo customers' rate counters never meet the tests' (db 0).
REDIS_DB = 9
JWT_SECRET = "bench-stack-jwt-secret-0123456789abcdef"
ACTION_SECRET = "bench-stack-action-secret"
RASA_TOKEN = "bench-stack-rasa-token"
# Rate limits lifted: the load is one client sending hundreds of turns a minute.
NO_RATE_LIMIT = "1000000"
START_TIMEOUT = 300.0


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path


@dataclass
class Stack:
    name: str
    url: str
    servers: list[Server] = field(default_factory=list)
    databases: list[str] = field(default_factory=list)
    lock_prefix: str = ""


def run_dir(run: str) -> Path:
    """This run's endpoints files and server logs (runs may overlap: nothing is shared)."""
    return BENCH_DIR / f"stack-{run}"


def database_name(run: str, role: str) -> str:
    return f"tactful_bench_stack_{run}_{role}"


def _admin(*statements: str) -> None:
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT", future=True)
    try:
        with admin.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        admin.dispose()


def fresh_database(name: str) -> str:
    """Drop and create ``name`` on the local PostgreSQL; return its URL."""
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


def drop_run(run: str, keep_logs: bool) -> None:
    """Drop this run's databases and, unless its logs are wanted, its files."""
    roles = ("bare_tracker", "shop", "tracker")
    _admin(*(f'DROP DATABASE IF EXISTS "{database_name(run, role)}" WITH (FORCE)' for role in roles))
    if not keep_logs:
        shutil.rmtree(run_dir(run), ignore_errors=True)


def bare_model() -> Path:
    """The bare bot's model, made by ``rasa init`` the first time only."""
    models = sorted((BARE_DIR / "models").glob("*.tar.gz"))
    if models:
        return models[-1]
    BARE_DIR.mkdir(parents=True, exist_ok=True)
    print(f"training the bare `rasa init` bot in {BARE_DIR} (once; cached afterwards)", flush=True)
    log = BENCH_DIR / "bare-init.log"
    with log.open("wb") as output:
        subprocess.run(
            [str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(BARE_DIR)],
            env=base_env(RASA_TELEMETRY_ENABLED="false"),
            stdout=output,
            stderr=subprocess.STDOUT,
            check=True,
        )
    models = sorted((BARE_DIR / "models").glob("*.tar.gz"))
    if not models:
        raise RuntimeError(f"`rasa init` trained no model; see {log}")
    return models[-1]


def lock_store(prefix: str) -> dict[str, object]:
    return {"type": "redis", "url": "127.0.0.1", "port": 6379, "db": REDIS_DB, "key_prefix": prefix}


def write_yaml(path: Path, content: dict[str, object]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(content, sort_keys=False))
    return path


def start(name: str, command: list[str], env: dict[str, str], health_url: str, log: Path) -> Server:
    """Start one process in its own group and wait until ``health_url`` answers."""
    log.parent.mkdir(parents=True, exist_ok=True)
    port = int(health_url.split(":")[2].split("/")[0])
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(name, process, port, log)
    try:
        wait_http(health_url, START_TIMEOUT, process, log)
    except BaseException:
        stop(server)
        raise
    return server


def stop(server: Server) -> None:
    if server.process.poll() is not None:
        return
    os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()


def rasa_run(model: Path, endpoints: Path, credentials: Path, port: int) -> list[str]:
    return [
        str(VENV_BIN / "rasa"),
        "run",
        "--model",
        str(model),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(credentials),
        "--interface",
        "127.0.0.1",
        "--port",
        str(port),
        "--enable-api",
        "--auth-token",
        RASA_TOKEN,
    ]


def run_id() -> str:
    return uuid.uuid4().hex[:8]


def start_bare(run: str) -> Stack:
    model = bare_model()
    tracker = database_name(run, "bare_tracker")
    fresh_database(tracker)
    prefix = f"benchbare{run}"
    endpoints = write_yaml(
        run_dir(run) / "bare-endpoints.yml",
        {
            "tracker_store": {
                "type": "sql",
                "dialect": "postgresql",
                "url": "127.0.0.1",
                "port": 5432,
                "username": "postgres",
                "db": tracker,
            },
            "lock_store": lock_store(prefix),
        },
    )
    port = free_port()
    env = base_env(RASA_TELEMETRY_ENABLED="false")
    rasa = start(
        "bare-rasa",
        rasa_run(model, endpoints, BARE_DIR / "credentials.yml", port),
        env,
        f"http://127.0.0.1:{port}/",
        run_dir(run) / "bare-rasa.log",
    )
    return Stack("bare", f"http://127.0.0.1:{port}", [rasa], [tracker], prefix)


def tactful_env(shop_url: str, tracker_url: str, action_port: int) -> dict[str, str]:
    return base_env(
        RASA_TELEMETRY_ENABLED="false",
        TACTFUL_SHOP_DB_URL=shop_url,
        TACTFUL_TRACKER_DB=tracker_url,
        TACTFUL_JWT_SECRET=JWT_SECRET,
        TACTFUL_ACTION_SECRET=ACTION_SECRET,
        TACTFUL_ACTION_PORT=str(action_port),
        TACTFUL_POLICY_FILE=str(REPO_ROOT / "policy.yml"),
        TACTFUL_REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
        TACTFUL_RATE_SENDER_PER_MINUTE=NO_RATE_LIMIT,
        TACTFUL_RATE_CUSTOMER_PER_MINUTE=NO_RATE_LIMIT,
        RASA_TOKEN=RASA_TOKEN,
    )


def start_tactful(run: str) -> Stack:
    shop, tracker = database_name(run, "shop"), database_name(run, "tracker")
    shop_url, tracker_url = fresh_database(shop), fresh_database(tracker)
    action_port, rasa_port = free_port(), free_port()
    env = tactful_env(shop_url, tracker_url, action_port)
    # As `make db` prepares a shop: schema, demo data, the stored co-purchase rules.
    for args in (("db", "upgrade"), ("demo", "load"), ("mine",)):
        done = subprocess.run(
            [sys.executable, "-m", "tactful", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True
        )
        if done.returncode:
            raise RuntimeError(f"`tactful {' '.join(args)}` failed:\n{done.stderr[-3000:]}")
    prefix = f"benchtactful{run}"
    endpoints = write_yaml(
        run_dir(run) / "tactful-endpoints.yml",
        {
            "action_endpoint": {"url": f"http://127.0.0.1:{action_port}/webhook", "token": ACTION_SECRET},
            "tracker_store": {
                "type": "tactful.channels.tracker_store.SafeSQLTrackerStore",
                "db": tracker_url,
            },
            "lock_store": lock_store(prefix),
        },
    )
    stack = Stack("tactful", f"http://127.0.0.1:{rasa_port}", [], [shop, tracker], prefix)
    stack.servers.append(
        start(
            "tactful-actions",
            [sys.executable, "-m", "tactful.action_server", "--port", str(action_port)],
            env,
            f"http://127.0.0.1:{action_port}/health",
            run_dir(run) / "tactful-actions.log",
        )
    )
    # The tests' command line (model, credentials, interface), with this run's endpoints.
    command = rasa_command(rasa_port, str(REPO_ROOT / "credentials.yml"))
    command[command.index("--endpoints") + 1] = str(endpoints)
    try:
        stack.servers.append(
            start(
                "tactful-rasa",
                command + ["--enable-api", "--auth-token", RASA_TOKEN],
                env,
                f"http://127.0.0.1:{rasa_port}/",
                run_dir(run) / "tactful-rasa.log",
            )
        )
    except BaseException:
        stop_stack(stack)
        raise
    return stack


def stop_stack(stack: Stack) -> None:
    for server in reversed(stack.servers):
        stop(server)


def clear_locks(prefixes: list[str]) -> None:
    """Delete this run's lock keys and Tactful's counters in the bench's Redis db."""
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    try:
        for pattern in [f"{prefix}:*" for prefix in prefixes] + ["tactful:*"]:
            keys = list(client.scan_iter(match=pattern))
            if keys:
                client.delete(*keys)
    finally:
        client.close()
