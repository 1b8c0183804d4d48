"""Private PostgreSQL, Redis and RabbitMQ instances that a test may stop and start at will.

Fault tests must never stop the machine's shared services, so each instance here
has its own data directory in a temporary folder, its own port and, for RabbitMQ,
its own node name. Each class has ``start``/``stop``/``restart`` and waits until
the server answers; the ``private_*`` context managers kill whatever is still
running when the block ends, whether the test passed or not.
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.servers import free_port, skip_or_fail

LOCALHOST = "127.0.0.1"


def _wait_until(check: Callable[[], bool], what: str, timeout: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception as problem:  # noqa: BLE001 - not up yet; keep the last reason
            error = problem
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:] if log is not None and log.exists() else ""
    raise RuntimeError(f"{what} was not ready within {timeout}s ({error}):\n{tail}")


def _kill_group(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _wait_or_kill(process: subprocess.Popen[bytes], timeout: float) -> None:
    """Give a process asked to stop ``timeout`` seconds, then kill its group."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)


def _still_running(process: subprocess.Popen[bytes] | None, name: str) -> None:
    """Raise (ending a ``_wait_until``) when the server we started has exited."""
    if process is not None and process.poll() is not None:
        raise RuntimeError(f"{name} exited with {process.returncode}")


# --------------------------------------------------------------------------- PostgreSQL


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path is None:
        skip_or_fail(f"no PostgreSQL {name} (looked in /usr/lib/postgresql/*/bin and PATH)")
    return str(on_path)


class PrivatePostgres:
    """A PostgreSQL cluster of its own: own data directory, port and socket directory, trust auth.

    initdb refuses to run as root, so as root every server command runs as the
    ``postgres`` user, in a folder that user owns.
    """

    def __init__(self, base: Path) -> None:
        self.base = base
        self.data = base / "data"
        self.sockets = base / "sockets"
        self.log = base / "postgres.log"
        self.port = free_port()
        self._as_owner: list[str] = []
        if os.geteuid() == 0:
            self._as_owner = ["runuser", "-u", "postgres", "--"]

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@{LOCALHOST}:{self.port}/{database}"

    def _run(self, *command: str, timeout: float = 120) -> None:
        result = subprocess.run(
            [*self._as_owner, *command], capture_output=True, text=True, timeout=timeout, cwd=self.base
        )
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {result.stdout}\n{result.stderr}")

    def init(self) -> None:
        self.sockets.mkdir(parents=True, exist_ok=True)
        if self._as_owner:
            shutil.chown(self.base, "postgres", "postgres")
            shutil.chown(self.sockets, "postgres", "postgres")
        self._run(
            _postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--no-sync",
        )  # fmt: skip

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses={LOCALHOST} "
            "-c fsync=off -c max_connections=100"
        )
        self._run(
            _postgres_bin("pg_ctl"), action, "-D", str(self.data), "-l", str(self.log), "-o", options,
            "-w", "-t", "60", *extra,
        )  # fmt: skip

    def start(self) -> None:
        self._pg_ctl("start")
        self.wait_ready()

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "fast")

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: every open connection is cut."""
        self._pg_ctl("restart", "-m", "fast")
        self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        import psycopg2

        def answers() -> bool:
            with psycopg2.connect(self.url(), connect_timeout=2) as connection:
                connection.cursor().execute("SELECT 1")
            return True

        _wait_until(answers, f"private PostgreSQL on port {self.port}", timeout, self.log)

    def create_database(self, name: str) -> str:
        import psycopg2

        connection = psycopg2.connect(self.url(), connect_timeout=5)
        connection.autocommit = True
        try:
            connection.cursor().execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()
        return self.url(name)

    def kill(self) -> None:
        """Stop at teardown whatever state the server is in."""
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return
        try:
            self._pg_ctl("stop", "-m", "immediate")
        except (RuntimeError, subprocess.TimeoutExpired):
            pid = int(pid_file.read_text().split()[0])
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    base = Path(tempfile.mkdtemp(prefix="tactful-pg-"))
    server = PrivatePostgres(base)
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.kill()
        shutil.rmtree(base, ignore_errors=True)


# --------------------------------------------------------------------------- Redis


class PrivateRedis:
    """``redis-server`` on its own port with no persistence (nothing written but its log)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.log = base / "redis.log"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{LOCALHOST}:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            skip_or_fail("no redis-server on PATH")
        command = [
            str(binary), "--port", str(self.port), "--bind", LOCALHOST, "--save", "",
            "--appendonly", "no", "--dir", str(self.base), "--logfile", str(self.log),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.wait_ready()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            _wait_or_kill(self.process, 10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def wait_ready(self, timeout: float = 30) -> None:
        import redis

        def answers() -> bool:
            _still_running(self.process, "redis-server")
            client = redis.Redis(host=LOCALHOST, port=self.port, socket_timeout=1, socket_connect_timeout=1)
            try:
                return bool(client.ping())
            finally:
                client.close()

        _wait_until(answers, f"private Redis on port {self.port}", timeout, self.log)

    def kill(self) -> None:
        _kill_group(self.process)


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    base = Path(tempfile.mkdtemp(prefix="tactful-redis-"))
    server = PrivateRedis(base)
    try:
        server.start()
        yield server
    finally:
        server.kill()
        shutil.rmtree(base, ignore_errors=True)


# --------------------------------------------------------------------------- RabbitMQ

RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")


class PrivateRabbitMQ:
    """A RabbitMQ node of its own (``tactful-<port>@localhost``), with no plugins.

    The Debian wrappers in /usr/sbin switch to the ``rabbitmq`` user and read
    /etc/rabbitmq, which names the shared node; the scripts in
    /usr/lib/rabbitmq/bin are run directly instead, with every path (cookie,
    config, env file, data, logs) in this instance's own folder.
    """

    def __init__(self, base: Path) -> None:
        self.base = base
        self.port = free_port()
        self.dist_port = free_port()
        self.node = f"tactful-{self.port}@localhost"
        self.log = base / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._began = time.monotonic()
        # Seconds from launch until the last start answered.
        self.started_in: float | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@{LOCALHOST}:{self.port}/%2F"

    def env(self) -> dict[str, str]:
        (self.base / "home").mkdir(exist_ok=True)
        (self.base / "enabled_plugins").write_text("[].\n")
        (self.base / "rabbitmq-env.conf").write_text("")
        (self.base / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = {LOCALHOST}:{self.port}\n"
            "loopback_users = none\n"
            # A full disk on a shared test machine must not block publishers here.
            "disk_free_limit.absolute = 1MB\n"
        )
        env = dict(os.environ)
        env.pop("ERL_FLAGS", None)
        env.update(
            HOME=str(self.base / "home"),
            RABBITMQ_NODENAME=self.node,
            RABBITMQ_NODE_IP_ADDRESS=LOCALHOST,
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(self.dist_port),
            RABBITMQ_MNESIA_BASE=str(self.base / "mnesia"),
            RABBITMQ_LOG_BASE=str(self.base / "log"),
            RABBITMQ_CONFIG_FILE=str(self.base / "rabbitmq.conf"),
            RABBITMQ_CONF_ENV_FILE=str(self.base / "rabbitmq-env.conf"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(self.base / "enabled_plugins"),
            RABBITMQ_ENABLED_PLUGINS="",
            RABBITMQ_PID_FILE=str(self.base / "rabbitmq.pid"),
            ERL_EPMD_ADDRESS=LOCALHOST,
        )
        return env

    def start(self, timeout: float = 120) -> None:
        self.launch()
        self.wait_ready(timeout)

    def launch(self) -> None:
        """Start the node without waiting (``wait_ready`` waits); it boots while other work goes on."""
        if not (RABBITMQ_BIN / "rabbitmq-server").exists():
            skip_or_fail(f"no RabbitMQ server scripts in {RABBITMQ_BIN}")
        self._began = time.monotonic()
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [str(RABBITMQ_BIN / "rabbitmq-server")],
                env=self.env(),
                cwd=self.base,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self) -> None:
        if self.process is None:
            return
        subprocess.run(
            [str(RABBITMQ_BIN / "rabbitmqctl"), "-n", self.node, "stop"],
            env=self.env(),
            capture_output=True,
            timeout=60,
        )
        _wait_or_kill(self.process, 30)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def wait_ready(self, timeout: float = 120) -> None:
        def answers() -> bool:
            _still_running(self.process, "rabbitmq-server")
            asyncio.run(self._open_and_close())
            return True

        _wait_until(answers, f"private RabbitMQ {self.node}", timeout, self.log)
        self.started_in = time.monotonic() - self._began

    async def _open_and_close(self) -> None:
        import aio_pika

        connection = await asyncio.wait_for(aio_pika.connect(self.url), timeout=3)
        await connection.close()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                self.stop()
            except (OSError, subprocess.TimeoutExpired):
                pass
        _kill_group(self.process)


@contextmanager
def private_rabbitmq(wait: bool = True) -> Iterator[PrivateRabbitMQ]:
    """A private node; with ``wait=False`` the caller calls ``wait_ready`` once it needs it."""
    base = Path(tempfile.mkdtemp(prefix="tactful-rabbit-"))
    server = PrivateRabbitMQ(base)
    try:
        server.launch()
        if wait:
            server.wait_ready()
        yield server
    finally:
        server.kill()
        shutil.rmtree(base, ignore_errors=True)
