"""With TACTFUL_ENV=production and the Makefile's development secrets, every process
refuses to start, quickly, naming the setting at fault."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.assistant import rasa_command
from tests.support.servers import REPO_ROOT, base_env, free_port

pytestmark = pytest.mark.e2e

QUICKLY_SECONDS = 90  # Rasa's own imports take ~10 s on this machine; a model load far longer


def makefile_dev_secrets() -> dict[str, str]:
    """The ``export NAME ?= dev-only-...`` defaults of the Makefile."""
    found = re.findall(r"^export (\w+) \?= (dev-only-\S+)$", (REPO_ROOT / "Makefile").read_text(), re.M)
    secrets = dict(found)
    assert {"TACTFUL_JWT_SECRET", "TACTFUL_ACTION_SECRET", "RASA_TOKEN"} <= secrets.keys(), secrets
    return secrets


def commands(tmp: Path, secrets: dict[str, str]) -> dict[str, list[str]]:
    return {
        "actions": [sys.executable, "-m", "tactful.action_server", "--port", str(free_port())],
        "web": [sys.executable, "-m", "tactful.web.server", "--port", str(free_port())],
        "rasa": rasa_command(free_port(), str(REPO_ROOT / "credentials.yml"))
        + ["--enable-api", "--auth-token", secrets["RASA_TOKEN"]],
    }


# Settings each process must name (docs/security.md "Production fails closed").
MUST_NAME = {
    "actions": ["TACTFUL_ACTION_SECRET", "TACTFUL_JWT_SECRET"],
    "web": ["TACTFUL_JWT_SECRET", "tactful.web.server"],
    "rasa": ["TACTFUL_ACTION_SECRET", "TACTFUL_JWT_SECRET", "TACTFUL_SESSION_SECRET", "--auth-token"],
}


def test_every_process_refuses_to_start_in_production_with_development_secrets(tmp_path: Path) -> None:
    secrets = makefile_dev_secrets()
    env = base_env(
        **secrets,
        TACTFUL_ENV="production",
        TACTFUL_SHOP_DB_URL=f"sqlite:///{tmp_path / 'shop.db'}",
        TACTFUL_TRACKER_DB=str(tmp_path / "tracker.db"),
        TACTFUL_POLICY_FILE=str(REPO_ROOT / "policy.yml"),
        TACTFUL_ACTION_PORT=str(free_port()),
    )
    started = time.monotonic()
    processes = {
        name: subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=(tmp_path / f"{name}.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for name, command in commands(tmp_path, secrets).items()
    }
    try:
        for name, process in processes.items():
            left = max(1.0, QUICKLY_SECONDS - (time.monotonic() - started))
            try:
                process.wait(timeout=left)
            except subprocess.TimeoutExpired:
                pytest.fail(f"{name} was still running after {QUICKLY_SECONDS}s with development secrets")
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    for name, process in processes.items():
        output = (tmp_path / f"{name}.log").read_text(errors="replace")
        assert process.returncode != 0, (name, output[-2000:])
        assert "TACTFUL_ENV=production" in output, (name, output[-2000:])
        missing = [setting for setting in MUST_NAME[name] if setting not in output]
        assert not missing, (name, missing, output[-2000:])
