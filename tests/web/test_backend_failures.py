"""The backend without a usable database or secret: clear errors, never a crash."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

from tactful.engine.policy_model import Policy
from tests.support.servers import REPO_ROOT, base_env, free_port
from tests.web.backend import start_web_backend
from tests.web.conftest import JWT_SECRET


def test_an_unusable_database_gives_503_and_a_degraded_health(tmp_path: Path) -> None:
    # An empty file: SQLite opens it, but no table exists (never migrated).
    env = base_env(
        TACTFUL_SHOP_DB_URL=f"sqlite:///{tmp_path / 'empty.db'}",
        TACTFUL_JWT_SECRET=JWT_SECRET,
        TACTFUL_POLICY_FILE=str(tmp_path / "missing-policy.yml"),
    )
    with start_web_backend(env, free_port(), tmp_path / "web.log") as backend:
        health = requests.get(f"{backend.url}/health", timeout=10)
        assert health.status_code == 503
        assert health.json()["status"] == "degraded"
        customers = requests.get(f"{backend.url}/api/customers", timeout=10)
        assert customers.status_code == 503
        assert "shop database is not available" in customers.json()["error"]
        picked = requests.post(f"{backend.url}/api/session", json={"customer_id": "C001"}, timeout=10)
        assert picked.status_code == 503
        # The page itself still loads and says what is wrong; without a
        # policy file the page falls back to the default currency symbol.
        assert requests.get(f"{backend.url}/", timeout=10).status_code == 200
        config = requests.get(f"{backend.url}/api/config", timeout=10).json()
        assert config["currency"] == Policy.currency_symbol
    assert "Traceback" not in (tmp_path / "web.log").read_text()


def test_a_missing_secret_stops_the_server_with_a_clear_message() -> None:
    env = base_env(TACTFUL_JWT_SECRET="")
    result = subprocess.run(
        [sys.executable, "-m", "tactful.web.server", "--port", str(free_port())],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "TACTFUL_JWT_SECRET" in result.stderr
    assert "Traceback" not in result.stderr
