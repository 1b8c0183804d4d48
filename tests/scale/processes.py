"""The cluster's processes that tests/support does not start: nginx and two Rasa servers at once."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.scale.services import NGINX
from tests.support.servers import REPO_ROOT, stop_group, wait_http

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
# Rasa takes a while to load TensorFlow and the model; two start at once on two cores.
RASA_START_SECONDS = 300


def nginx_config(directory: Path, port: int, actions_port: int, rasa: list[int], actions: list[int]) -> Path:
    values = {
        "PREFIX": str(directory),
        "PORT": str(port),
        "ACTIONS_PORT": str(actions_port),
        "RASA_A": str(rasa[0]),
        "RASA_B": str(rasa[1]),
        "ACTIONS_A": str(actions[0]),
        "ACTIONS_B": str(actions[1]),
        # As root the workers would otherwise run as "nobody", who cannot use the temp folder.
        "USER": "user root;" if os.geteuid() == 0 else "",
    }
    config = TEMPLATE.read_text()
    for name, value in values.items():
        config = config.replace(f"@{name}@", value)
    path = directory / "nginx.conf"
    path.write_text(config)
    return path


@contextmanager
def nginx(directory: Path, config: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    directory.mkdir(parents=True, exist_ok=True)
    command = [
        NGINX,
        "-c",
        str(config),
        "-p",
        str(directory),
        "-g",
        f"daemon off; pid {directory / 'nginx.pid'};",
    ]
    with (directory / "nginx.out").open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_http(f"http://127.0.0.1:{port}/", 30, process, directory / "error.log")
            yield process
        finally:
            stop_group(process, signal.SIGQUIT)  # graceful: finishes the access log


@contextmanager
def rasa_servers(commands: list[list[str]], env: dict[str, str], logs: list[Path]) -> Iterator[None]:
    """Start every Rasa server at once (each loads the model for a minute), then wait for all."""
    processes: list[subprocess.Popen[bytes]] = []
    handles = [log.open("wb") for log in logs]
    try:
        for command, handle in zip(commands, handles, strict=True):
            processes.append(
                subprocess.Popen(
                    command,
                    cwd=REPO_ROOT,
                    env=env,
                    stdout=handle,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        for command, process, log in zip(commands, processes, logs, strict=True):
            port = command[command.index("--port") + 1]
            wait_http(f"http://127.0.0.1:{port}/", RASA_START_SECONDS, process, log)
        yield
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for handle in handles:
            handle.close()
