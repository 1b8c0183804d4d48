from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.assistant import run_cli
from tests.support.servers import REPO_ROOT, base_env, free_port
from tests.web.backend import WebBackend, start_web_backend

JWT_SECRET = "web-test-jwt-secret-0123456789abcdef"
RASA_URL = "http://127.0.0.1:5999"


@pytest.fixture(scope="session")
def shop_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A migrated SQLite shop database with the demo data, and the env to use it."""
    workdir = tmp_path_factory.mktemp("web")
    env = base_env(
        TACTFUL_SHOP_DB_URL=f"sqlite:///{workdir / 'shop.db'}",
        TACTFUL_JWT_SECRET=JWT_SECRET,
        TACTFUL_RASA_URL=RASA_URL,
        TACTFUL_POLICY_FILE=str(REPO_ROOT / "policy.yml"),
    )
    run_cli(env, "db", "upgrade")
    run_cli(env, "demo", "load")
    return env


@pytest.fixture(scope="session")
def backend(shop_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebBackend]:
    log = Path(tmp_path_factory.mktemp("web-log")) / "web.log"
    with start_web_backend(shop_env, free_port(), log) as running_backend:
        yield running_backend
