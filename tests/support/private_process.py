"""Starting and stopping the private service processes (tests/support/private_services.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

LOCALHOST = "127.0.0.1"


def wait_until(check: Callable[[], bool], what: str, timeout: float, log: Path | None = None) -> None:
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


def kill_group(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def wait_or_kill(process: subprocess.Popen[bytes], timeout: float) -> None:
    """Give a process asked to stop ``timeout`` seconds, then kill its group."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(process)


def still_running(process: subprocess.Popen[bytes] | None, name: str) -> None:
    """Raise (ending a ``wait_until``) when the server we started has exited."""
    if process is not None and process.poll() is not None:
        raise RuntimeError(f"{name} exited with {process.returncode}")


# --------------------------------------------------------------------------- PostgreSQL
