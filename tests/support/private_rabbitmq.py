"""A private RabbitMQ node that a fault test may stop and start (see private_services.py)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.private_process import LOCALHOST, kill_group, still_running, wait_or_kill, wait_until
from tests.support.servers import free_port, skip_or_fail

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
        wait_or_kill(self.process, 30)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def wait_ready(self, timeout: float = 120) -> None:
        def answers() -> bool:
            still_running(self.process, "rabbitmq-server")
            asyncio.run(self._open_and_close())
            return True

        wait_until(answers, f"private RabbitMQ {self.node}", timeout, self.log)
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
        kill_group(self.process)


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
