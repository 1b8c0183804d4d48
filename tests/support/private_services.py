"""Private PostgreSQL and Redis instances (RabbitMQ: private_rabbitmq.py) that a test may stop and start at will.

Fault tests must never stop the machine's shared services, so each instance here
has its own data directory in a temporary folder, its own port and, for RabbitMQ,
its own node name. Each class has ``start``/``stop``/``restart`` and waits until
the server answers; the ``private_*`` context managers kill whatever is still
running when the block ends, whether the test passed or not.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.private_process import LOCALHOST, kill_group, still_running, wait_or_kill, wait_until
from tests.support.servers import free_port, skip_or_fail


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

        wait_until(answers, f"private PostgreSQL on port {self.port}", timeout, self.log)

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
            wait_or_kill(self.process, 10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def wait_ready(self, timeout: float = 30) -> None:
        import redis

        def answers() -> bool:
            still_running(self.process, "redis-server")
            client = redis.Redis(host=LOCALHOST, port=self.port, socket_timeout=1, socket_connect_timeout=1)
            try:
                return bool(client.ping())
            finally:
                client.close()

        wait_until(answers, f"private Redis on port {self.port}", timeout, self.log)

    def kill(self) -> None:
        kill_group(self.process)


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
